/**
 * Reference crop kernels: `crop` removes [before, after] positions per spatial axis (the inverse
 * of pad); `center_crop` keeps a centred window of a given size, offset as torchvision's
 * `center_crop` does: round((N − size) / 2), Python's round (half to even). Both are strided
 * views of the input; the gradient is dy inside the window, zero outside.
 */
import type { Tensor } from "../../exec/tensor.js";
import { gatherBackward, gatherForward, stridesOf, viewSources } from "../../exec/kernels/gather.js";
import { ExecError } from "../../exec/kernels/util.js";

/** The view keeping `size[k]` positions from `first[k]` on every spatial axis k. */
function windowView(x: Tensor, first: readonly number[], size: readonly number[]) {
  const [C, ...S] = x.shape.slice(1) as [number, ...number[]];
  const st = stridesOf([C, ...S]);
  S.forEach((n, k) => {
    if (first[k]! < 0 || size[k]! < 1 || first[k]! + size[k]! > n) throw new ExecError(`cannot keep ${size[k]} positions from ${first[k]} of ${n}`);
  });
  const axes = [{ size: C, stride: st[0]! }, ...S.map((_, k) => ({ size: size[k]!, stride: st[k + 1]! }))];
  const offset = S.reduce((o, _, k) => o + first[k]! * st[k + 1]!, 0);
  return { src: viewSources(axes, offset), out: [C, ...size] };
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  if (v - f !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

function cropView(x: Tensor, pads: readonly (readonly [number, number])[]) {
  const S = x.shape.slice(2);
  if (pads.length !== S.length) throw new ExecError(`${pads.length} crop amounts for ${S.length} spatial axes`);
  return windowView(x, pads.map((p) => p[0]), S.map((n, k) => n - pads[k]![0] - pads[k]![1]));
}

function centerView(x: Tensor, size: readonly number[]) {
  const S = x.shape.slice(2);
  if (size.length !== S.length) throw new ExecError(`${size.length} sizes for ${S.length} spatial axes`);
  return windowView(x, S.map((n, k) => roundHalfEven((n - size[k]!) / 2)), size);
}

/** Removes pads[k] = [before, after] positions along spatial axis k. */
export function cropForward(x: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  const v = cropView(x, pads);
  return gatherForward(x, v.src, v.out);
}

export function cropBackward(x: Tensor, pads: readonly (readonly [number, number])[], dy: Tensor): Tensor {
  return gatherBackward(x, cropView(x, pads).src, dy);
}

/** Keeps the centred window of `size` (one per spatial axis). */
export function centerCropForward(x: Tensor, size: readonly number[]): Tensor {
  const v = centerView(x, size);
  return gatherForward(x, v.src, v.out);
}

export function centerCropBackward(x: Tensor, size: readonly number[], dy: Tensor): Tensor {
  return gatherBackward(x, centerView(x, size).src, dy);
}
