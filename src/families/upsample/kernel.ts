/**
 * Reference interpolation kernels, forward and gradient, separable per axis: each output reads
 * a few inputs per axis with weights (its taps). The taps of PyTorch's modes (nearest, linear,
 * cubic; align_corners=false) are built in ../resize/kernel.ts, for upsample and resize alike.
 */
import type { Tensor } from "../../exec/tensor.js";
import { alloc, prod, to3 } from "../../exec/kernels/util.js";

/** Interpolation taps of one axis: for each output index, source indices and weights. */
export type Taps = { idx: number[]; w: number[] }[];

/** Visits (output offset, input offset, weight) of a separable per-axis interpolation. */
function sweepTaps(x: Tensor, axes: readonly Taps[], visit: (o: number, i: number, w: number) => void): number[] {
  const dims = x.shape.length - 2;
  const one: Taps = [{ idx: [0], w: [1] }];
  const T = [...new Array<Taps>(3 - dims).fill(one), ...axes];
  const I = to3(x.shape.slice(2), 1);
  const O = T.map((t) => t.length);
  const planes = x.shape[0]! * x.shape[1]!, inPlane = prod(I), outPlane = prod(O);
  for (let d = 0; d < O[0]!; d++) for (let h = 0; h < O[1]!; h++) for (let w = 0; w < O[2]!; w++) {
    const td = T[0]![d]!, th = T[1]![h]!, tw = T[2]![w]!, o = (d * O[1]! + h) * O[2]! + w;
    for (let a = 0; a < td.idx.length; a++) for (let b = 0; b < th.idx.length; b++) for (let c = 0; c < tw.idx.length; c++) {
      const wt = td.w[a]! * th.w[b]! * tw.w[c]!;
      const off = (td.idx[a]! * I[1] + th.idx[b]!) * I[2] + tw.idx[c]!;
      for (let p = 0; p < planes; p++) visit(p * outPlane + o, p * inPlane + off, wt);
    }
  }
  return [x.shape[0]!, x.shape[1]!, ...O.slice(3 - dims)];
}

/** Upsamples the spatial axes of x with per-axis taps. */
export function upsampleForward(x: Tensor, axes: readonly Taps[]): Tensor {
  const y = alloc(x.data, x.shape[0]! * x.shape[1]! * prod(axes.map((t) => t.length)));
  const shape = sweepTaps(x, axes, (o, i, w) => { y[o]! += w * x.data[i]!; });
  return { shape, data: y };
}

/** Gradient of upsampleForward: every output's gradient flows back along its taps. */
export function upsampleBackward(x: Tensor, axes: readonly Taps[], dy: Tensor): Tensor {
  const dx = alloc(x.data, x.data.length);
  sweepTaps(x, axes, (o, i, w) => { dx[i]! += w * dy.data[o]!; });
  return { shape: [...x.shape], data: dx };
}
