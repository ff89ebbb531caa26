/**
 * Reference PReLU (He et al. 2015; PyTorch's nn.PReLU): y = x for x > 0, a·x otherwise, with a
 * learned slope a — one for the whole tensor, or one per channel (axis 1 of the full shape).
 */
import type { Tensor } from "../../exec/tensor.js";
import { copyNonZero } from "../../exec/kernels/sparse.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";

/** The slope's index for flat element i: 0 for one slope, else i's channel (axis 1). */
function slopeIndex(x: Tensor, slopes: number): (i: number) => number {
  if (slopes === 1) return () => 0;
  const C = x.shape[1];
  if (C !== slopes) throw new ExecError(`prelu has ${slopes} slopes for ${C ?? "no"} channels`);
  const inner = x.data.length / (x.shape[0]! * C);
  return (i) => Math.floor(i / inner) % C;
}

/** y = x for x > 0, slope·x otherwise. */
export function preluForward(x: Tensor, weight: Tensor): Tensor {
  const at = slopeIndex(x, weight.data.length);
  const y = alloc(x.data, x.data.length);
  for (let i = 0; i < y.length; i++) {
    const v = x.data[i]!;
    y[i] = v > 0 ? v : weight.data[at(i)]! * v;
  }
  return { shape: [...x.shape], data: y };
}

/**
 * dx = dy for x > 0, slope·dy otherwise; d slope = Σ dy·x over the elements with x ≤ 0 that
 * share it. With `passThrough` (the receptive-field probe) dx is dy unchanged.
 */
export function preluBackward(x: Tensor, weight: Tensor, dy: Tensor, passThrough = false): { dx: Tensor; dweight: Tensor } {
  const at = slopeIndex(x, weight.data.length);
  const dx = alloc(x.data, x.data.length);
  const dw = alloc(weight.data, weight.data.length);
  if (passThrough) return { dx: copyNonZero(dy, dx), dweight: { shape: [...weight.shape], data: dw } };
  for (let i = 0; i < dx.length; i++) {
    const v = x.data[i]!, g = dy.data[i]!;
    if (v > 0) dx[i] = g;
    else {
      dx[i] = weight.data[at(i)]! * g;
      dw[at(i)]! += g * v;
    }
  }
  return { dx: { shape: [...x.shape], data: dx }, dweight: { shape: [...weight.shape], data: dw } };
}
