/**
 * Strided views: layers that only move data (slice, select, crop, permute, pixel shuffle) copy
 * output element o of every sample from input element `offset + Σ index_k · stride_k`, where
 * the output's elements are visited in row-major order over a list of (size, stride) axes. The
 * backward pass sends each output's gradient back to the element it was copied from.
 */
import type { Tensor } from "../tensor.js";
import { alloc, prod } from "./util.js";

/** One axis of a strided view: how many steps, and how far each one moves in the input. */
export interface ViewAxis {
  readonly size: number;
  readonly stride: number;
}

/** Row-major strides (in elements) of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) s[a] = s[a + 1]! * shape[a + 1]!;
  return s;
}

/** The input element (within one sample) each output element of the view reads, in output order. */
export function viewSources(axes: readonly ViewAxis[], offset: number): Int32Array {
  const src = new Int32Array(prod(axes.map((a) => a.size)));
  let n = 0;
  const visit = (k: number, at: number): void => {
    if (k === axes.length) {
      src[n++] = at;
      return;
    }
    const { size, stride } = axes[k]!;
    for (let i = 0; i < size; i++) visit(k + 1, at + i * stride);
  };
  if (src.length > 0) visit(0, offset);
  return src;
}

/** y[n, o] = x[n, src[o]] for every sample n; `shape` is the output's shape without the batch axis. */
export function gatherForward(x: Tensor, src: Int32Array, shape: readonly number[]): Tensor {
  const N = x.shape[0]!, I = x.data.length / N, O = src.length;
  const y = alloc(x.data, N * O);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) y[n * O + o] = x.data[n * I + src[o]!]!;
  return { shape: [N, ...shape], data: y };
}

/** dx[n, src[o]] += dy[n, o]: the gradient of gatherForward. */
export function gatherBackward(x: Tensor, src: Int32Array, dy: Tensor): Tensor {
  const N = x.shape[0]!, I = x.data.length / N, O = src.length;
  const dx = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) dx[n * I + src[o]!]! += dy.data[n * O + o]!;
  return { shape: [...x.shape], data: dx };
}
