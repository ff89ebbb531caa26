import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastDense } from "../../src/exec/fast/dense.js";
import { SumCounter } from "../../src/exec/kernels/api.js";
import { denseForward } from "../../src/families/dense/kernel.js";
import { rng, randomTensor } from "../onnx/ort.js";

describe("fast dense against the definition and the reference kernel", () => {
  it("random sizes (batch 1 to 9, in/out not multiples of 4), with and without bias", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 23 }), fc.boolean(), fc.integer(),
      (N, I, O, hasBias, seed) => {
        const r = rng(seed);
        const x = randomTensor([N, I], r), w = randomTensor([O, I], r), b = hasBias ? randomTensor([O], r) : undefined;
        const counter = new SumCounter();
        const y = fastDense(x, w, b, counter);
        expect(y.shape).toEqual([N, O]);
        for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
          let s = b ? b.data[o]! : 0;
          for (let i = 0; i < I; i++) s += x.data[n * I + i]! * w.data[o * I + i]!;
          expect(Math.abs(y.data[n * O + o]! - s)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s)));
        }
        expect(counter.total).toBe(N * I * O);
        const refCounter = new SumCounter();
        const ref = denseForward(x, w, b, refCounter);
        expect(refCounter.total).toBe(counter.total);
        for (let i = 0; i < ref.data.length; i++) expect(Math.abs(y.data[i]! - ref.data[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.data[i]!)));
      }), { numRuns: 100 });
  });
});
