/**
 * Window geometry for the exporter: explicit per-side pads from a padding argument and
 * output sizes (Dumoulin & Visin, "A guide to convolution arithmetic for deep learning").
 * The exporter resolves pads itself (ONNX wants them explicit); shapes come from the analyzer
 * (shapes.ts), and the ONNX cross-check compares the result with the runtime's kernels.
 */
import type { ArgValue } from "../graph/ir.js";

/** Per-side zero padding of each spatial axis. */
export interface Pads {
  readonly before: number[];
  readonly after: number[];
}

/**
 * Resolves `padding` (integer, `valid`, `same`, `full`, list of integers or [before, after]
 * pairs) to explicit pads; a string is the reason the value cannot be used.
 *   same (TensorFlow): out = ceil(N/S), total = max(0, (out−1)·S + D·(K−1) + 1 − N), odd unit after;
 *   full: D·(K−1) on each side.
 */
export function resolvePads(padding: ArgValue, size: readonly number[], kernel: readonly number[],
  stride: readonly number[], dilation: readonly number[]): Pads | string {
  const n = size.length;
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < n; i++) {
    const eff = dilation[i]! * (kernel[i]! - 1) + 1;
    if (padding === "valid") { before.push(0); after.push(0); }
    else if (padding === "same") {
      const out = Math.ceil(size[i]! / stride[i]!);
      const total = Math.max(0, (out - 1) * stride[i]! + eff - size[i]!);
      before.push(Math.floor(total / 2));
      after.push(total - Math.floor(total / 2));
    } else if (padding === "full") { before.push(eff - 1); after.push(eff - 1); }
    else if (typeof padding === "number") { before.push(padding); after.push(padding); }
    else if (Array.isArray(padding)) {
      if (padding.length !== n && padding.length !== 1) return `padding lists ${padding.length} axes, the input has ${n} spatial axes`;
      const p = padding.length === 1 ? padding[0]! : padding[i]!;
      if (typeof p === "number") { before.push(p); after.push(p); }
      else if (Array.isArray(p) && typeof p[0] === "number" && typeof p[1] === "number") { before.push(p[0]); after.push(p[1]); }
      else return `padding entry ${JSON.stringify(p)} is not a size or a [before, after] pair`;
    } else return `padding ${JSON.stringify(padding)} is not understood`;
  }
  return { before, after };
}

/**
 * Output size of a sliding window: floor((N + Pb + Pa − D·(K−1) − 1) / S) + 1; with `ceil`
 * rounded up, dropping a last window that would start in the trailing padding (PyTorch).
 */
export function windowOut(size: number, pb: number, pa: number, k: number, s: number, d: number, ceil = false): number {
  const span = size + pb + pa - d * (k - 1) - 1;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= size + pb) out -= 1;
  return out;
}
