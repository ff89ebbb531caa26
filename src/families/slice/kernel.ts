/**
 * Reference kernels of slice and select, as strided views of the input (../../exec/kernels/
 * gather.ts). Python's slice semantics: a negative bound counts from the end, bounds past the
 * ends are clamped, and a slice may be empty. `axis` is the full axis (1 = channels).
 */
import type { Tensor } from "../../exec/tensor.js";
import { gatherBackward, gatherForward, stridesOf, viewSources, type ViewAxis } from "../../exec/kernels/gather.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";
import { emptyBoxes, grow, setRegion, toVisit } from "../../exec/kernels/sparse.js";

/** Python's `range(n)[start:end:step]` for step ≥ 1: its first index and length. */
export function pythonSlice(n: number, start: number, end: number, step: number): { first: number; count: number } {
  if (step < 1) throw new ExecError(`slice step ${step} must be at least 1`);
  const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const first = clamp(start), last = clamp(end);
  return { first, count: Math.max(0, Math.ceil((last - first) / step)) };
}

/** The view that keeps `count` indices from `first`, `step` apart, along full axis `axis` of `shape`. */
function sliceView(shape: readonly number[], axis: number, first: number, count: number, step: number) {
  const sample = shape.slice(1), st = stridesOf(sample), a = axis - 1;
  const axes: ViewAxis[] = sample.map((size, k) => (k === a ? { size: count, stride: st[k]! * step } : { size, stride: st[k]! }));
  const out = sample.map((size, k) => (k === a ? count : size));
  return { src: viewSources(axes, first * st[a]!), out };
}

function sliceOf(x: Tensor, axis: number, start: number, end: number, step: number) {
  if (axis < 1 || axis >= x.shape.length) throw new ExecError(`slice axis ${axis} is outside a rank-${x.shape.length} tensor`);
  const { first, count } = pythonSlice(x.shape[axis]!, start, end, step);
  if (count === 0) throw new ExecError(`slice [${start}:${end}:${step}] of ${x.shape[axis]} elements is empty`);
  return sliceView(x.shape, axis, first, count, step);
}

/** x[..., start:end:step, ...] along full axis `axis`. */
export function sliceForward(x: Tensor, axis: number, start: number, end: number, step: number): Tensor {
  const v = sliceOf(x, axis, start, end, step);
  return gatherForward(x, v.src, v.out);
}

/** The slice's gradient: dy in the kept positions, zero elsewhere. */
export function sliceBackward(x: Tensor, axis: number, start: number, end: number, step: number, dy: Tensor): Tensor {
  if (axis === 1 && x.shape.length <= 5) {
    const { first, count } = pythonSlice(x.shape[1]!, start, end, step);
    if (count > 0) return channelSliceBackward(x, first, step, dy);
  }
  return gatherBackward(x, sliceOf(x, axis, start, end, step).src, dy);
}

/**
 * A slice of channels backward: dy's channel c goes to dx's channel first + c·step, visiting
 * only dy's non-zero rows (the receptive-field probe's one-unit gradients are zero almost
 * everywhere, exec/kernels/sparse.ts) and recording where dx was written.
 */
function channelSliceBackward(x: Tensor, first: number, step: number, dy: Tensor): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!], Cy = dy.shape[1]!;
  const dx: Tensor = { shape: [...x.shape], data: alloc(x.data, x.data.length) };
  const nz = toVisit(dy);
  const [D, H, W] = nz.dims, g = dy.data;
  const boxes = emptyBoxes(N * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < Cy; c++) {
    const p = n * Cy + c, q = n * C + first + c * step, o = p * 6;
    for (let d = nz.box[o]!; d <= nz.box[o + 1]!; d++) for (let h = nz.box[o + 2]!; h <= nz.box[o + 3]!; h++) {
      const r = (p * D + d) * H + h, a = nz.first[r]!, b = nz.last[r]!;
      if (a > b) continue;
      dx.data.set(g.subarray(r * W + a, r * W + b + 1), ((q * D + d) * H + h) * W + a);
      grow(boxes, q, d, d, h, h, a, b);
    }
  }
  setRegion(dx, boxes);
  return dx;
}

function selectOf(x: Tensor, axis: number, index: number) {
  const n = x.shape[axis];
  if (n === undefined || axis < 1) throw new ExecError(`select axis ${axis} is outside a rank-${x.shape.length} tensor`);
  const i = index < 0 ? index + n : index;
  if (i < 0 || i >= n) throw new ExecError(`index ${index} is outside an axis of ${n}`);
  const v = sliceView(x.shape, axis, i, 1, 1);
  return { src: v.src, out: v.out.filter((_, k) => k !== axis - 1) };
}

/** x[..., index, ...] along full axis `axis`, which disappears. */
export function selectForward(x: Tensor, axis: number, index: number): Tensor {
  const v = selectOf(x, axis, index);
  return gatherForward(x, v.src, v.out);
}

/** The select's gradient: dy at the chosen position, zero elsewhere. */
export function selectBackward(x: Tensor, axis: number, index: number, dy: Tensor): Tensor {
  return gatherBackward(x, selectOf(x, axis, index).src, dy);
}

/**
 * Part `part` of an axis of n split into `sections` equal parts (a number) or parts of the
 * given sizes (a list): its first index and length.
 */
export function splitPart(n: number, sections: number | readonly number[], part: number): { first: number; count: number } {
  const sizes = typeof sections === "number" ? new Array<number>(sections).fill(n / sections) : sections;
  if (sizes.some((v) => !Number.isInteger(v) || v < 1) || sizes.reduce((a, b) => a + b, 0) !== n) throw new ExecError(`an axis of ${n} does not split into [${sizes.join(", ")}]`);
  if (part < 0 || part >= sizes.length) throw new ExecError(`part ${part} of ${sizes.length}`);
  return { first: sizes.slice(0, part).reduce((a, b) => a + b, 0), count: sizes[part]! };
}
