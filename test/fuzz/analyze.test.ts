/**
 * Random valid conv/pool/dense stacks with random hyper-parameters: the analyzer accepts them,
 * every shape is positive and every count non-negative, the totals equal the sum of the rows,
 * and shapes and parameter counts match an independent textbook computation
 * (Dumoulin & Visin: out = floor((n + 2p - d(k - 1) - 1) / s) + 1).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";

type Layer =
  | { kind: "conv"; out: number; k: number; s: number; p: number; d: number; bias: boolean }
  | { kind: "pool"; op: "maxpool" | "avgpool"; k: number; s: number; p: number }
  | { kind: "act"; op: "relu" | "tanh" | "sigmoid" };

const layerArb: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({
    kind: fc.constant("conv" as const), out: fc.integer({ min: 1, max: 16 }), k: fc.integer({ min: 1, max: 7 }),
    s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 3 }), d: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("pool" as const), op: fc.constantFrom("maxpool" as const, "avgpool" as const), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant("act" as const), op: fc.constantFrom("relu" as const, "tanh" as const, "sigmoid" as const) }),
);

interface Stack {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly layers: readonly Layer[];
  readonly units: readonly number[];
}

const stackArb: fc.Arbitrary<Stack> = fc.record({
  c: fc.integer({ min: 1, max: 8 }),
  h: fc.integer({ min: 1, max: 64 }),
  w: fc.integer({ min: 1, max: 64 }),
  layers: fc.array(layerArb, { maxLength: 8 }),
  units: fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 3 }),
});

const outSize = (n: number, k: number, s: number, p: number, d = 1) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/** The spec text, keeping only layers whose output is at least 1 wide, and the expected facts. */
function build(st: Stack) {
  let [c, h, w] = [st.c, st.h, st.w];
  let params = 0n;
  const steps: string[] = [];
  for (const l of st.layers) {
    if (l.kind === "act") steps.push(l.op);
    else if (l.kind === "conv") {
      const [oh, ow] = [outSize(h, l.k, l.s, l.p, l.d), outSize(w, l.k, l.s, l.p, l.d)];
      if (oh < 1 || ow < 1) continue;
      steps.push(`conv2d(${l.out}, ${l.k}, stride=${l.s}, padding=${l.p}, dilation=${l.d}, bias=${l.bias})`);
      params += BigInt(l.out * c * l.k * l.k + (l.bias ? l.out : 0));
      [c, h, w] = [l.out, oh, ow];
    } else {
      // A pooling window may not start in the padding (PyTorch: padding at most half the kernel).
      if (2 * l.p > l.k) continue;
      const [oh, ow] = [outSize(h, l.k, l.s, l.p), outSize(w, l.k, l.s, l.p)];
      if (oh < 1 || ow < 1) continue;
      steps.push(`${l.op}(${l.k}, stride=${l.s}, padding=${l.p})`);
      [h, w] = [oh, ow];
    }
  }
  let shape = [c, h, w];
  if (st.units.length > 0) {
    steps.push("flatten");
    let n = c * h * w;
    for (const u of st.units) {
      steps.push(`dense(${u})`);
      params += BigInt(n * u + u);
      n = u;
    }
    shape = [n];
  }
  const text = `model r {\n  input x: [${st.c}, ${st.h}, ${st.w}]\n  output x${steps.map((s) => `\n    -> ${s}`).join("")}\n}\n`;
  return { text, shape, params };
}

describe("analysis of random valid stacks", () => {
  it("has positive shapes, non-negative counts, totals equal to the rows, and textbook shapes and params", () => {
    fc.assert(
      fc.property(stackArb, (st) => {
        const { text, shape, params } = build(st);
        const c = compile(text);
        expect(c.diagnostics, text).toEqual([]);
        const a = analyze(c.graph);
        expect(a.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        const m = a.models[0]!;
        const sum = (f: (l: (typeof m.layers)[number]) => bigint) => m.layers.reduce((acc, l) => acc + f(l), 0n);
        for (const l of m.layers) {
          for (const d of l.outputShape) expect(d).toBeGreaterThanOrEqual(1);
          for (const v of [l.params, l.trainableParams, l.nonTrainableParams, l.macs, l.flops, l.activationBytes]) expect(v >= 0n).toBe(true);
        }
        expect(m.totals.params).toBe(sum((l) => l.params));
        expect(m.totals.trainableParams).toBe(sum((l) => l.trainableParams));
        expect(m.totals.nonTrainableParams).toBe(sum((l) => l.nonTrainableParams));
        expect(m.totals.macs).toBe(sum((l) => l.macs));
        expect(m.totals.flops).toBe(sum((l) => l.flops));
        expect(m.totals.activationBytes).toBe(sum((l) => l.activationBytes));
        expect(m.totals.params, text).toBe(params);
        expect(m.outputs.output ?? Object.values(m.outputs)[0], text).toEqual(shape);
      }),
      { seed: 20261122, numRuns: 200 },
    );
  });
});
