/**
 * Helpers every reference kernel shares: per-axis hyper-parameters, buffers of the input's
 * element type, and the 3-D view (1-D and 2-D tensors are run as 3-D with leading size-1 axes).
 */
import type { ArgValue } from "../../graph/ir.js";
import type { Float, Tensor } from "../tensor.js";

/** A kernel cannot run on what it was given (a shape the analyzer should have rejected). */
export class ExecError extends Error {}

/** One integer per spatial axis from an `ints` argument: a number repeats, a list is per axis. */
export function perAxis(v: ArgValue | undefined, dims: number, fallback: number): number[] {
  if (v === undefined || v === null) return new Array<number>(dims).fill(fallback);
  if (typeof v === "number") return new Array<number>(dims).fill(v);
  if (Array.isArray(v)) {
    const nums = v.map((x) => (typeof x === "number" ? x : fallback));
    if (nums.length === dims) return nums;
    if (nums.length === 1) return new Array<number>(dims).fill(nums[0]!);
    throw new ExecError(`expected ${dims} values (one per spatial axis), got ${nums.length}`);
  }
  throw new ExecError(`expected a number or a list, got ${String(v)}`);
}

/** A zero-filled buffer of the same element type as `like`. */
export function alloc(like: Float, n: number): Float {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** A zero tensor of the given shape with the element type of `like`. */
export function zerosLike(like: Float, shape: readonly number[]): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return { shape: [...shape], data: alloc(like, n) };
}

/** Spatial sizes of a [N, C, ...S] shape, left-padded with `fill` to three axes. */
export function to3(values: readonly number[], fill: number): [number, number, number] {
  const v = [...values];
  while (v.length < 3) v.unshift(fill);
  if (v.length > 3) throw new ExecError(`at most 3 spatial axes are supported, got ${values.length}`);
  return [v[0]!, v[1]!, v[2]!];
}

/** The spatial axes of a [N, C, ...S] tensor. */
export function spatial(t: Tensor): number[] {
  return t.shape.slice(2);
}

/** A copy of a tensor with another shape of the same size. */
export function withShape(t: Tensor, shape: readonly number[]): Tensor {
  return { shape: [...shape], data: t.data.slice() };
}

/** Product of a list of sizes. */
export function prod(xs: readonly number[]): number {
  let n = 1;
  for (const x of xs) n *= x;
  return n;
}

/**
 * Where a spatial tensor [N, C, ...S] is non-zero, read from its values: for every row (each
 * index but the last axis, in memory order) the first and last non-zero index along the last
 * axis (first > last for an all-zero row), and for every (n, c) plane the bounding box of its
 * non-zero elements on the three axes of `to3`: [d0, d1, h0, h1, w0, w1] (d0 > d1 for an
 * all-zero plane). NaN counts as non-zero. Backward kernels use it to skip the elements of dy
 * that are zero (the receptive-field probe's gradients are zero outside a small region), which
 * changes nothing where a zero gradient contributes exact zeros.
 */
export interface NonZero {
  /** Spatial sizes as three axes (see `to3`). */
  readonly dims: readonly [number, number, number];
  readonly first: Int32Array;
  readonly last: Int32Array;
  readonly box: Int32Array;
}

/** The non-zero rows and plane boxes of t (see NonZero); with `all`, every element counts as non-zero. */
export function nonZero(t: Tensor, all = false): NonZero {
  const dims = to3(t.shape.slice(2), 1);
  const [D, H, W] = dims;
  const planes = t.shape[0]! * t.shape[1]!;
  const first = new Int32Array(planes * D * H), last = new Int32Array(planes * D * H);
  const box = new Int32Array(planes * 6);
  const g = t.data;
  for (let p = 0, r = 0; p < planes; p++) {
    let d0 = D, d1 = -1, h0 = H, h1 = -1, w0 = W, w1 = -1;
    for (let d = 0; d < D; d++) for (let h = 0; h < H; h++, r++) {
      const base = r * W;
      let a = 0, b = W - 1;
      if (!all) {
        while (a < W && g[base + a] === 0) a++;
        if (a === W) { first[r] = W; last[r] = -1; continue; }
        while (g[base + b] === 0) b--;
      }
      first[r] = a;
      last[r] = b;
      if (d < d0) d0 = d;
      d1 = d;
      if (h < h0) h0 = h;
      if (h > h1) h1 = h;
      if (a < w0) w0 = a;
      if (b > w1) w1 = b;
    }
    box[p * 6] = d0; box[p * 6 + 1] = d1; box[p * 6 + 2] = h0; box[p * 6 + 3] = h1; box[p * 6 + 4] = w0; box[p * 6 + 5] = w1;
  }
  return { dims, first, last, box };
}

/** Whether every element is finite (a zero times a finite number is exactly zero; times ∞ or NaN it is NaN). */
export function allFinite(a: Float): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}
