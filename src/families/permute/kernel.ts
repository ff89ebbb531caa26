/**
 * Reference permute kernels: output axis k is input axis order[k] (axes without the batch
 * axis, 0 = channels), a strided view of the input; the gradient permutes back.
 */
import type { Tensor } from "../../exec/tensor.js";
import { gatherBackward, gatherForward, stridesOf, viewSources } from "../../exec/kernels/gather.js";
import { ExecError } from "../../exec/kernels/util.js";

function view(x: Tensor, order: readonly number[]) {
  const sample = x.shape.slice(1), st = stridesOf(sample);
  const sorted = [...order].sort((a, b) => a - b);
  if (order.length !== sample.length || sorted.some((a, k) => a !== k)) throw new ExecError(`[${order.join(", ")}] is not an order of ${sample.length} axes`);
  return { src: viewSources(order.map((a) => ({ size: sample[a]!, stride: st[a]! })), 0), out: order.map((a) => sample[a]!) };
}

/** y[n, i_0, ..., i_k] = x[n, j] with j[order[k]] = i_k. */
export function permuteForward(x: Tensor, order: readonly number[]): Tensor {
  const v = view(x, order);
  return gatherForward(x, v.src, v.out);
}

/** The gradient of permuteForward: dy permuted back. */
export function permuteBackward(x: Tensor, order: readonly number[], dy: Tensor): Tensor {
  return gatherBackward(x, view(x, order).src, dy);
}
