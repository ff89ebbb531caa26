/**
 * Helpers every reference kernel shares: buffers of the input's element type, and the 3-D view
 * (1-D and 2-D tensors are run as 3-D with leading size-1 axes).
 */
import type { Float, Tensor } from "../tensor.js";

/** A kernel cannot run on what it was given (a shape the analyzer should have rejected). */
export class ExecError extends Error {}

/** Where `alloc` first looks for a recycled zero-filled buffer (a BufferPool in use, see sparse.ts). */
let recycled: ((like: Float, n: number) => Float | undefined) | undefined;

/** Sets (or with undefined clears) the source of recycled buffers; returns the previous one. */
export function setRecycler(r: typeof recycled): typeof recycled {
  const prev = recycled;
  recycled = r;
  return prev;
}

/** A zero-filled buffer of the same element type as `like`. */
export function alloc(like: Float, n: number): Float {
  return recycled?.(like, n) ?? (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
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

