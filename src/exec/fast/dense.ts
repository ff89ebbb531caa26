/**
 * Fast fully connected layer: y[n, o] = b[o] + Σ_i x[n, i]·w[o, i], tiled 4 outputs × 4
 * batch rows so each loaded weight and input serves four products (a GEMV when the batch is 1).
 * Weights are read in place, row-major, with no packing: for big layers the pass is bound by
 * memory bandwidth, and packing would cost as much as the product.
 */
import type { DenseImpl, MacCounter } from "../kernels/api.js";
import type { Tensor } from "../tensor.js";

/** Dot products of 4 weight rows with up to 4 input rows, written to y. */
function tile(x: Float32Array, w: Float32Array, I: number, O: number, n0: number, nr: number, o0: number, or: number,
  bias: Float32Array | null, y: Float32Array): void {
  if (nr === 4 && or === 4) {
    const x0 = n0 * I, x1 = x0 + I, x2 = x1 + I, x3 = x2 + I;
    const w0 = o0 * I, w1 = w0 + I, w2 = w1 + I, w3 = w2 + I;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (let i = 0; i < I; i++) {
      const a0 = w[w0 + i]!, a1 = w[w1 + i]!, a2 = w[w2 + i]!, a3 = w[w3 + i]!;
      let v = x[x0 + i]!; s00 += a0 * v; s01 += a1 * v; s02 += a2 * v; s03 += a3 * v;
      v = x[x1 + i]!; s10 += a0 * v; s11 += a1 * v; s12 += a2 * v; s13 += a3 * v;
      v = x[x2 + i]!; s20 += a0 * v; s21 += a1 * v; s22 += a2 * v; s23 += a3 * v;
      v = x[x3 + i]!; s30 += a0 * v; s31 += a1 * v; s32 += a2 * v; s33 += a3 * v;
    }
    const s = [s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) y[(n0 + r) * O + o0 + c] = s[r * 4 + c]! + (bias ? bias[o0 + c]! : 0);
    return;
  }
  for (let r = 0; r < nr; r++) {
    const xo = (n0 + r) * I;
    for (let c = 0; c < or; c++) {
      const wo = (o0 + c) * I;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      // Four partial sums break the dependency chain of one running sum.
      for (; i + 3 < I; i += 4) {
        s0 += w[wo + i]! * x[xo + i]!; s1 += w[wo + i + 1]! * x[xo + i + 1]!;
        s2 += w[wo + i + 2]! * x[xo + i + 2]!; s3 += w[wo + i + 3]! * x[xo + i + 3]!;
      }
      for (; i < I; i++) s0 += w[wo + i]! * x[xo + i]!;
      y[(n0 + r) * O + o0 + c] = s0 + s1 + s2 + s3 + (bias ? bias[o0 + c]! : 0);
    }
  }
}

/** Dense layer on Float32 data: x [N, in], w [out, in], b [out] → y [N, out]. */
export const fastDense: DenseImpl = (x: Tensor, w: Tensor, b: Tensor | undefined, counter: MacCounter): Tensor => {
  const N = x.shape[0]!, I = x.shape[1]!, O = w.shape[0]!;
  const xd = x.data as Float32Array, wd = w.data as Float32Array;
  const bias = b ? (b.data as Float32Array) : null;
  const y = new Float32Array(N * O);
  for (let n0 = 0; n0 < N; n0 += 4) {
    const nr = Math.min(4, N - n0);
    for (let o0 = 0; o0 < O; o0 += 4) {
      const or = Math.min(4, O - o0);
      tile(xd, wd, I, O, n0, nr, o0, or, bias, y);
      counter.add(nr * or * I);
    }
  }
  return { shape: [N, O], data: y };
};
