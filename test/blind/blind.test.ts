/**
 * The second blind trial, kept as a regression test: 22 architectures written in ConvSpec from
 * LANGUAGE.md alone (test/fixtures/blind/*.cnn), each compared at two input sizes with PyTorch's
 * own figures (test/fixtures/blind/truths.json, made by scripts/blind-truths.py with torch 1.13 /
 * torchvision 0.14; torch is not needed here). PyTorch side: params = sum(p.numel()); buffers =
 * every buffer but batchnorm's num_batches_tracked (running mean + var, a registered constant),
 * as convspec documents; MACs from forward hooks on conv (out·Cin/g·∏K), transposed conv
 * (in·Cout/g·∏K), linear (out·in) and multi-head attention (4·L·E² + 2·L²·E); shapes of every
 * named output and of the labelled layers ("taps"). Receptive fields are
 * measured there too, not computed: with weights 1/fan-in, zero biases and identity batchnorm
 * every unit rises monotonically with any input, so spiking input rows shows which outputs
 * each one reaches; per output unit on the centre line, `lo..hi` is the input span it reads.
 * FINDINGS.md has what the trial turned up.
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
/** A measured field: output `i` along an axis depends on input indices lo..hi (and none outside). */
interface Reach {
  readonly i: number;
  readonly lo: number;
  readonly hi: number;
}
interface RfTruth {
  readonly inputs: number[][];
  /** Per spatial axis, the unclipped outputs on the centre line ("centre" mode: just the middle one). */
  readonly axes: Reach[][];
}
interface Truth {
  readonly params: string;
  readonly buffers: string;
  readonly sizes: Record<string, SizeTruth>;
  readonly rf?: Record<string, RfTruth>;
}

const TRUTHS = JSON.parse(readFileSync(DIR + "truths.json", "utf8")) as Record<string, Truth>;
const SPECS = readdirSync(DIR).filter((f) => f.endsWith(".cnn")).map((f) => f.slice(0, -4)).sort();

/** Input name → shape, the names in the spec's declaration order. */
function inputsOf(name: string, shapes: number[][]): Record<string, number[]> {
  return Object.fromEntries(Object.keys(analyzed(name).inputs).map((n, i) => [n, shapes[i]!]));
}

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
  it("the same 22 names on both sides", () => {
    expect(Object.keys(TRUTHS).sort()).toEqual(SPECS);
    expect(SPECS).toHaveLength(22);
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
        const m = analyzed(name, inputsOf(name, size.inputs));
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

    for (const [label, rf] of Object.entries(truth.rf ?? {})) {
      it(`receptive field of ${label}: size and centre per axis as measured in PyTorch`, () => {
        const field = layer(analyzed(name, inputsOf(name, rf.inputs)), label).rf;
        expect(field.global).toBe(false);
        rf.axes.forEach((reaches, a) => {
          // The size is the widest unit's: units at a map's edge may be narrower (a partial
          // ceil-mode window), and after a transposed conv or upsample the width varies by phase.
          const widest = Math.max(...reaches.map((r) => r.hi - r.lo + 1));
          expect([a, widest]).toEqual([a, field.size[a]]);
          const phases = field.phases?.[a];
          if (phases) {
            // Unit u reads [lo, hi][u mod period] + floor(u / period)·shift: check the widest of each phase.
            for (let k = 0; k < phases.period; k++) {
              const same = reaches.filter((r) => r.i % phases.period === k);
              const w = Math.max(...same.map((r) => r.hi - r.lo + 1));
              for (const r of same.filter((x) => x.hi - x.lo + 1 === w)) {
                const shift = Math.floor(r.i / phases.period) * phases.shift;
                expect([a, r.i, r.lo, r.hi]).toEqual([a, r.i, phases.lo[k]! + shift, phases.hi[k]! + shift]);
              }
            }
            return;
          }
          // A whole-width unit i is centred at start + i·jump.
          for (const r of reaches.filter((x) => x.hi - x.lo + 1 === widest)) {
            expect([a, r.i, (r.lo + r.hi) / 2]).toEqual([a, r.i, field.start[a]! + r.i * field.jump[a]!]);
          }
        });
      });
    }
  });
}
