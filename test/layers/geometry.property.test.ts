/**
 * Property tests: the window geometry against brute-force enumeration of window positions,
 * and the analyzer's receptive fields against the backward interval recursion
 * (Araujo et al., Distill 2019, eq. r_{l−1} = S_l·r_l + (K_l − S_l)).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { transposedSize, windowGeometry } from "../../src/families/geometry.js";
import { chain } from "../analysis/helpers.js";

/** Windows that fit: starts 0, S, 2S, ... with start + Keff ≤ N + Pb + Pa. */
function countFloor(n: number, k: number, s: number, pb: number, pa: number, d: number): number {
  let count = 0;
  for (let p = 0; p + d * (k - 1) + 1 <= n + pb + pa; p += s) count++;
  return count;
}

/** PyTorch ceil mode: one more window may overhang the end if it starts inside the input or left padding. */
function countCeil(n: number, k: number, s: number, pb: number, pa: number, d: number): number {
  const fit = countFloor(n, k, s, pb, pa, d);
  const lastEnd = (fit - 1) * s + d * (k - 1) + 1;
  const next = fit * s;
  return lastEnd < n + pb + pa && next < n + pb ? fit + 1 : fit;
}

const axis = fc.record({
  n: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 7 }),
  s: fc.integer({ min: 1, max: 5 }),
  d: fc.integer({ min: 1, max: 3 }),
  pb: fc.integer({ min: 0, max: 4 }),
  pa: fc.integer({ min: 0, max: 4 }),
});

describe("window geometry against enumeration", () => {
  test("floor mode", () => {
    fc.assert(fc.property(axis, ({ n, k, s, d, pb, pa }) => {
      fc.pre(n + pb + pa >= d * (k - 1) + 1);
      expect(windowGeometry(n, k, s, [pb, pa], d).out).toBe(countFloor(n, k, s, pb, pa, d));
    }), { numRuns: 300 });
  });
  test("ceil mode", () => {
    fc.assert(fc.property(axis, ({ n, k, s, d, pb, pa }) => {
      // Pooling pads at most half the window (PyTorch's rule, enforced by convspec's pool rules).
      const half = Math.floor((d * (k - 1) + 1) / 2);
      fc.pre(n + pb + pa >= d * (k - 1) + 1 && pb <= half && pa <= half);
      expect(windowGeometry(n, k, s, [pb, pa], d, true).out).toBe(countCeil(n, k, s, pb, pa, d));
    }), { numRuns: 300 });
  });
  test("same: out = ceil(N/S), the odd pad unit after", () => {
    fc.assert(fc.property(axis, ({ n, k, s, d }) => {
      const g = windowGeometry(n, k, s, "same", d);
      expect(g.out).toBe(Math.ceil(n / s));
      expect(g.padAfter - g.padBefore === 0 || g.padAfter - g.padBefore === 1).toBe(true);
    }), { numRuns: 300 });
  });
  test("transposed size = the furthest output index any input tap reaches, + 1", () => {
    fc.assert(fc.property(axis, fc.integer({ min: 0, max: 2 }), ({ n, k, s, d, pb, pa }, op) => {
      let furthest = 0;
      for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) furthest = Math.max(furthest, i * s + t * d);
      expect(transposedSize(n, k, s, [pb, pa], d, op)).toBe(furthest + 1 - pb - pa + op);
    }), { numRuns: 200 });
  });
});

describe("receptive field against the backward interval recursion", () => {
  const layer = fc.record({ k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }) });
  test("random 1-D conv chains", () => {
    fc.assert(fc.property(fc.array(layer, { minLength: 1, maxLength: 5 }), (layers) => {
      // Input long enough that every layer has outputs.
      const n = 400;
      // One output unit covers r_L = 1; going back a layer: r ← S·r + (Keff − S)... written as
      // the interval of inputs [lo, hi] one output index reads, mapped through each layer.
      let lo = 0;
      let hi = 0;
      for (const l of [...layers].reverse()) {
        lo = lo * l.s;
        hi = hi * l.s + l.d * (l.k - 1);
      }
      // Every layer must still fit (five stride-3 layers with Keff 9 shrink 400 to nothing).
      let len = n;
      for (const l of layers) {
        const keff = l.d * (l.k - 1) + 1;
        fc.pre(len >= keff);
        len = Math.floor((len - keff) / l.s) + 1;
      }
      const steps = layers.map((l) => `conv1d(1, ${l.k}, stride=${l.s}, dilation=${l.d})`).join(" -> ");
      const r = chain([1, n], steps);
      const last = r.model.layers.at(-1)!;
      expect(last.rf.size).toEqual([hi - lo + 1]);
      expect(last.rf.jump).toEqual([layers.reduce((a, l) => a * l.s, 1)]);
      // The first output unit's field is [lo, hi] (no padding): its centre is the start.
      expect(last.rf.start).toEqual([(lo + hi) / 2]);
    }), { numRuns: 60 });
  });
});
