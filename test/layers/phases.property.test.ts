/**
 * Exact per-position receptive fields (src/layers/phases.ts) against brute force: random 1-D
 * chains of convs, transposed convs and upsamples, where the input positions each central
 * output unit depends on are enumerated through every layer's index map directly.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fieldAt } from "../../src/families/phases.js";
import { chain } from "../analysis/helpers.js";

type Layer =
  | { kind: "conv"; k: number; s: number; d: number; p: number }
  | { kind: "deconv"; k: number; s: number; p: number }
  | { kind: "up"; s: number; linear: boolean };

/** Output length of a layer, as PyTorch computes it. */
function outLen(l: Layer, n: number): number {
  if (l.kind === "conv") return Math.floor((n + 2 * l.p - l.d * (l.k - 1) - 1) / l.s) + 1;
  if (l.kind === "deconv") return (n - 1) * l.s - 2 * l.p + l.k;
  return n * l.s;
}

/** The input indices (of this layer's input) that output unit o reads. */
function reads(l: Layer, o: number, n: number): number[] {
  const out: number[] = [];
  if (l.kind === "conv") for (let t = 0; t < l.k; t++) out.push(o * l.s - l.p + t * l.d);
  else if (l.kind === "deconv") {
    for (let t = 0; t < l.k; t++) {
      const x = o + l.p - t;
      if (x % l.s === 0) out.push(x / l.s);
    }
  } else if (!l.linear) out.push(Math.floor(o / l.s));
  else {
    const x = Math.max(0, (o + 0.5) / l.s - 0.5);
    const i = Math.floor(x);
    out.push(i);
    if (x > i) out.push(Math.min(i + 1, n - 1));
  }
  return out.filter((i) => i >= 0 && i < n);
}

/** [lo, hi] of the model input that unit o of the last layer depends on. */
function brute(layers: readonly Layer[], sizes: readonly number[], o: number): [number, number] {
  let units = new Set([o]);
  for (let i = layers.length - 1; i >= 0; i--) {
    const next = new Set<number>();
    for (const u of units) for (const x of reads(layers[i]!, u, sizes[i]!)) next.add(x);
    units = next;
  }
  return [Math.min(...units), Math.max(...units)];
}

function step(l: Layer): string {
  if (l.kind === "conv") return `conv1d(1, ${l.k}, stride=${l.s}, dilation=${l.d}, padding=${l.p})`;
  if (l.kind === "deconv") return `deconv1d(1, ${l.k}, stride=${l.s}, padding=${l.p})`;
  return `upsample(${l.s}${l.linear ? ", mode=linear" : ""})`;
}

const layer: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({ kind: fc.constant("conv" as const), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant("deconv" as const), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant("up" as const), s: fc.integer({ min: 2, max: 3 }), linear: fc.boolean() }),
);

describe("exact fields after transposed convs and upsamples, against enumeration", () => {
  test("random 1-D chains: every central unit's field, and the widest", () => {
    fc.assert(fc.property(fc.array(layer, { minLength: 1, maxLength: 4 }), (layers) => {
      const sizes = [120];
      for (const l of layers) {
        fc.pre(l.kind !== "deconv" || (l.p < l.k && l.p < l.s + 1));
        sizes.push(outLen(l, sizes.at(-1)!));
        fc.pre(sizes.at(-1)! >= 24 && sizes.at(-1)! <= 2000);
      }
      const r = chain([1, 120], layers.map(step).join(" -> "));
      const last = r.model.layers.at(-1)!;
      const n = sizes.at(-1)!;
      // Units in the middle third, away from the borders where the input clips fields.
      const mid = Math.floor(n / 2);
      const span = Math.floor(n / 6);
      let widest = 0;
      for (let o = mid - span; o <= mid + span; o++) {
        const [lo, hi] = brute(layers, sizes, o);
        fc.pre(lo > 0 && hi < 119);
        widest = Math.max(widest, hi - lo + 1);
        if (last.rf.phases) expect(fieldAt(last.rf.phases[0]!, o)).toEqual([lo, hi]);
      }
      expect(last.rf.size[0]!).toBeGreaterThanOrEqual(widest);
      if (last.rf.phases) expect(last.rf.size[0]).toBe(widest);
    }), { numRuns: 80 });
  });
});
