/**
 * The second blind trial, kept as a regression test: 20 architectures written in ConvSpec from
 * LANGUAGE.md alone (test/fixtures/blind/*.cnn), each compared at two input sizes with PyTorch's
 * own figures (test/fixtures/blind/truths.json, made by scripts/blind-truths.py with torch 1.13 /
 * torchvision 0.14; torch is not needed here). PyTorch side: params = sum(p.numel()); buffers =
 * batchnorm running mean + var (num_batches_tracked left out, as convspec documents); MACs from
 * forward hooks on conv (out·Cin/g·∏K), transposed conv (in·Cout/g·∏K) and linear (out·in);
 * shapes of every named output and of the labelled layers ("taps"). FINDINGS.md has what the
 * trial turned up.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyze, compile, type ModelAnalysis } from "../../src/index.js";
import { layer } from "../zoo/load.js";

const DIR = fileURLToPath(new URL("../fixtures/blind/", import.meta.url));

interface SizeTruth {
  /** One shape per model input, in declaration order, without the batch axis. */
  readonly inputs: number[][];
  readonly macs: string;
  /** Named outputs and labelled layers → shape without the batch axis. */
  readonly shapes: Record<string, number[]>;
}
interface Truth {
  readonly params: string;
  readonly buffers: string;
  readonly sizes: Record<string, SizeTruth>;
}

const TRUTHS = JSON.parse(readFileSync(DIR + "truths.json", "utf8")) as Record<string, Truth>;
const SPECS = readdirSync(DIR).filter((f) => f.endsWith(".cnn")).map((f) => f.slice(0, -4)).sort();

/** The spec's one model, with its inputs replaced when `inputs` is given (asserts then off: they state the declared size). */
function analyzed(name: string, inputs?: Record<string, number[]>): ModelAnalysis {
  const file = `${DIR}${name}.cnn`;
  const c = compile({ file, text: readFileSync(file, "utf8") }, { file, inputShapes: inputs });
  const a = analyze(c.graph, { asserts: inputs === undefined });
  const errors = [...c.diagnostics, ...a.diagnostics].filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(a.models).toHaveLength(1);
  return a.models[0]!;
}

describe("blind trial: every spec has PyTorch's figures and every figure a spec", () => {
  it("the same 20 names on both sides", () => {
    expect(Object.keys(TRUTHS).sort()).toEqual(SPECS);
    expect(SPECS).toHaveLength(20);
  });
});

for (const name of SPECS) {
  describe(`blind trial: ${name}`, () => {
    const truth = TRUTHS[name]!;
    const sizes = Object.entries(truth.sizes);

    it("as declared: no errors, its asserts hold, the declared input is PyTorch's first size", () => {
      const m = analyzed(name);
      expect(m.asserts.filter((r) => !r.pass).map((r) => r.message)).toEqual([]);
      expect(Object.values(m.inputs)).toEqual(sizes[0]![1].inputs);
    });

    for (const [key, size] of sizes) {
      it(`at ${key}: params ${truth.params}, buffers ${truth.buffers}, MACs ${size.macs}, shapes`, () => {
        const names = Object.keys(analyzed(name).inputs);
        const m = analyzed(name, Object.fromEntries(names.map((n, i) => [n, size.inputs[i]!])));
        expect(m.totals.params).toBe(BigInt(truth.params));
        expect(m.totals.trainableParams).toBe(BigInt(truth.params));
        expect(m.totals.nonTrainableParams).toBe(BigInt(truth.buffers));
        expect(m.totals.macs).toBe(BigInt(size.macs));
        for (const [tensor, shape] of Object.entries(size.shapes)) {
          const got = m.outputs[tensor] ?? layer(m, tensor).outputShape;
          expect([tensor, got]).toEqual([tensor, shape]);
        }
      });
    }
  });
}
