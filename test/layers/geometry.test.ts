import { describe, expect, test } from "vitest";
import { effectiveKernel, resolvePads, transposedSize, windowGeometry } from "../../src/families/geometry.js";
import { adaptiveAxis } from "../../src/families/global_pool/family.js";
import { transposedSpan } from "../../src/families/rf.js";

describe("windowGeometry, the seeds' worked examples", () => {
  test("N=227 K=11 S=4 (AlexNet conv1)", () => {
    // (227 − 11)/4 + 1 = 55
    expect(windowGeometry(227, 11, 4, 0).out).toBe(55);
  });
  test("N=55 K=3 S=2 (AlexNet pool1)", () => {
    // (55 − 3)/2 + 1 = 27
    expect(windowGeometry(55, 3, 2, 0).out).toBe(27);
  });
  test("N=6 K=3 S=1 → 4; N=8 → 6", () => {
    expect(windowGeometry(6, 3, 1, 0).out).toBe(4);
    expect(windowGeometry(8, 3, 1, 0).out).toBe(6);
  });
  test("padding (K − 1)/2 with stride 1 keeps the size", () => {
    for (const k of [1, 3, 5, 7]) expect(windowGeometry(17, k, 1, (k - 1) / 2).out).toBe(17);
  });
  test("N=5 K=3 P=1 S=2 → 3 (the 5×5×3 volume example)", () => {
    // (5 − 3 + 2)/2 + 1 = 3
    expect(windowGeometry(5, 3, 2, 1).out).toBe(3);
  });
});

describe("padding forms", () => {
  test("in=32 k=3 s=2 p=same: out ceil(32/2) = 16, total pad (16−1)·2 + 3 − 32 = 1, the odd unit after", () => {
    const g = windowGeometry(32, 3, 2, "same");
    expect([g.out, g.padBefore, g.padAfter]).toEqual([16, 0, 1]);
  });
  test("in=7 k=3 s=2 p=same: out 4, total (4−1)·2 + 3 − 7 = 2 → [1, 1]", () => {
    const g = windowGeometry(7, 3, 2, "same");
    expect([g.out, g.padBefore, g.padAfter]).toEqual([4, 1, 1]);
  });
  test("in=9 k=4 s=4 p=same: out ceil(9/4) = 3, total pad (3 − 1)·4 + 4 − 9 = 3 → [1, 2]", () => {
    expect(resolvePads("same", 9, 4, 4)).toEqual([1, 2]);
  });
  test("in=10 k=1 s=4 p=same: out 3, (3 − 1)·4 + 1 − 10 < 0 → no padding", () => {
    expect(resolvePads("same", 10, 1, 4)).toEqual([0, 0]);
  });
  test("in=5 k=1 s=3 p=same: max(0, (2 − 1)·3 + 1 − 5) = 0", () => {
    expect(resolvePads("same", 5, 1, 3)).toEqual([0, 0]);
  });
  test("in=10 k=3 d=2 p=same: Keff 5, total 4 → [2, 2], out 10", () => {
    const g = windowGeometry(10, 3, 1, "same", 2);
    expect([g.effKernel, g.padBefore, g.padAfter, g.out]).toEqual([5, 2, 2, 10]);
  });
  test("in=8 k=3 p=valid → 6; p=full → pads 2 and 2, out 8 + 4 − 3 + 1 = 10", () => {
    expect(windowGeometry(8, 3, 1, "valid").out).toBe(6);
    const g = windowGeometry(8, 3, 1, "full");
    expect([g.padBefore, g.padAfter, g.out]).toEqual([2, 2, 10]);
  });
  test("in=8 k=3 p=[0, 1] s=2: (8 + 0 + 1 − 3)/2 + 1 = 4", () => {
    expect(windowGeometry(8, 3, 2, [0, 1]).out).toBe(4);
  });
});

describe("dilation", () => {
  test("effective kernel D·(K−1)+1: k=3 d=2 → 5, k=3 d=4 → 9", () => {
    expect(effectiveKernel(3, 2)).toBe(5);
    expect(effectiveKernel(3, 4)).toBe(9);
  });
  test("in=32 k=3 d=2 p=0: (32 − 5)/1 + 1 = 28", () => {
    expect(windowGeometry(32, 3, 1, 0, 2).out).toBe(28);
  });
});

describe("ceil mode (PyTorch)", () => {
  test("in=112 k=3 s=2 ceil: ceil(109/2) + 1 = 56 (floor gives 55)", () => {
    expect(windowGeometry(112, 3, 2, 0, 1, false).out).toBe(55);
    expect(windowGeometry(112, 3, 2, 0, 1, true).out).toBe(56);
  });
  test("in=5 k=2 s=2 p=1 ceil: ceil(5/2) + 1 = 4, but the 4th window would start in the right padding → 3", () => {
    // span = 5 + 2 − 2 = 5; ceil(5/2) + 1 = 4; (4 − 1)·2 = 6 ≥ N + Pb = 6, so the last window starts in the right padding
    expect(windowGeometry(5, 2, 2, 1, 1, true).out).toBe(3);
  });
  test("in=6 k=3 s=2 ceil: ceil(3/2) + 1 = 3; the third window starts at 4 < 6, kept", () => {
    expect(windowGeometry(6, 3, 2, 0, 1, true).out).toBe(3);
  });
});

describe("dropped rows", () => {
  test("in=30 k=3 s=2: (30 − 3)/2 + 1 = 14.5 → 14; windows end at index 28, row 29 is never read", () => {
    const g = windowGeometry(30, 3, 2, 0);
    expect([g.out, g.exact, g.dropped]).toEqual([14, 14.5, 1]);
  });
  test("in=29 k=3 s=2 is exact: (29 − 3)/2 + 1 = 14, nothing dropped", () => {
    expect(windowGeometry(29, 3, 2, 0).dropped).toBe(0);
  });
  test("in=10 k=3 s=4: windows at 0 and 4 read 0..6; rows 7..9 unread, 1 of them beyond the regular gap of S − K = 1", () => {
    expect(windowGeometry(10, 3, 4, 0).dropped).toBe(2);
  });
  test("in=56 k=1 s=2 (ResNet's 1×1 shortcut): the skipped last row is the regular gap, not dropped", () => {
    expect(windowGeometry(56, 1, 2, 0).dropped).toBe(0);
  });
  test("in=224 k=7 s=2 p=3: (224 + 6 − 7)/2 + 1 = 112.5 → 112, the unread unit is padding", () => {
    const g = windowGeometry(224, 7, 2, 3);
    expect([g.out, g.dropped]).toEqual([112, 0]);
  });
});

describe("transposed conv", () => {
  test("in=4 k=3 s=2 p=0: (4 − 1)·2 + 3 = 9", () => {
    expect(transposedSize(4, 3, 2, [0, 0], 1, 0)).toBe(9);
  });
  test("in=4 k=4 s=2 p=1 (DCGAN doubling): 3·2 − 2 + 4 = 8", () => {
    expect(transposedSize(4, 4, 2, [1, 1], 1, 0)).toBe(8);
  });
  test("in=5 k=3 s=2 p=1 output_padding=1: 8 − 2 + 3 + 1 = 10", () => {
    expect(transposedSize(5, 3, 2, [1, 1], 1, 1)).toBe(10);
  });
  test("in=3 k=3 d=2: (3 − 1) + 5 = 7", () => {
    expect(transposedSize(3, 3, 1, [0, 0], 2, 0)).toBe(7);
  });
  test("inputs one output reads: k=3 s=2 → 2 (even outputs read 2, odd 1); k=4 s=2 → 2; k=3 s=1 → 3; k=1 s=2 → 1", () => {
    expect(transposedSpan(3, 2, 1)).toBe(2);
    expect(transposedSpan(4, 2, 1)).toBe(2);
    expect(transposedSpan(3, 1, 1)).toBe(3);
    expect(transposedSpan(1, 2, 1)).toBe(1);
  });
  test("the closed form equals enumerating every output position's taps (k ≤ 9, s ≤ 7, d ≤ 4)", () => {
    for (let k = 1; k <= 9; k++) for (let s = 1; s <= 7; s++) for (let d = 1; d <= 4; d++) {
      let best = 0;
      for (let o = 0; o < 2 * s * d; o++) {
        const hit: number[] = [];
        for (let t = 0; t < k; t++) if ((o - t * d) % s === 0) hit.push((o - t * d) / s);
        if (hit.length) best = Math.max(best, Math.max(...hit) - Math.min(...hit) + 1);
      }
      expect([k, s, d, transposedSpan(k, s, d)]).toEqual([k, s, d, best]);
    }
  });
  test("a huge stride answers at once: k=3 s=10^12 → 1 input per unit", () => {
    expect(transposedSpan(3, 1e12, 1)).toBe(1);
  });
});

describe("adaptive pooling windows in closed form", () => {
  test("first, largest and total equal enumerating PyTorch's windows [floor(iN/O), ceil((i+1)N/O))", () => {
    for (let n = 1; n <= 40; n++) for (let o = 1; o <= 45; o++) {
      const w = Array.from({ length: o }, (_, i) => Math.ceil(((i + 1) * n) / o) - Math.floor((i * n) / o));
      const got = adaptiveAxis(n, o);
      expect([n, o, got.first, got.largest, got.total]).toEqual([n, o, w[0], Math.max(...w), BigInt(w.reduce((a, b) => a + b, 0))]);
    }
  });
  test("N=5 → O=3: windows [0,2) [1,4) [3,5), sizes 2, 3, 2", () => {
    expect(adaptiveAxis(5, 3)).toEqual({ first: 2, largest: 3, total: 7n });
  });
  test("an output size of 10^12 answers at once: N=7, windows of 1 or 2, 10^12 + 7 − 1 elements read", () => {
    expect(adaptiveAxis(7, 1e12)).toEqual({ first: 1, largest: 2, total: 1_000_000_000_006n });
  });
});
