/**
 * Reference pixel-shuffle kernels (Shi et al. 2016; PyTorch's nn.PixelShuffle and
 * nn.PixelUnshuffle, extended to any number of spatial axes): shuffle moves channel
 * c·r^d + Σ i_k·r^(d−1−k) to output position (c, S_k·r + i_k ...); unshuffle is its inverse.
 * Both are strided views of the input; gradients go back along the same copies.
 */
import type { Tensor } from "../../exec/tensor.js";
import { gatherBackward, gatherForward, stridesOf, viewSources, type ViewAxis } from "../../exec/kernels/gather.js";
import { ExecError, prod } from "../../exec/kernels/util.js";

/** Output (c, s_1·r + i_1, ...) reads input (c·r^d + i_1·r^(d−1) + ..., s_1, ...): the view [C, S_1, r, S_2, r, ...]. */
function shuffleView(x: Tensor, r: number) {
  const [C, ...S] = x.shape.slice(1) as [number, ...number[]];
  const d = S.length, block = r ** d, plane = prod(S), st = stridesOf(S);
  if (C % block !== 0) throw new ExecError(`${C} channels are not a multiple of ${r}^${d} = ${block}`);
  const axes: ViewAxis[] = [{ size: C / block, stride: block * plane }];
  S.forEach((n, k) => axes.push({ size: n, stride: st[k]! }, { size: r, stride: r ** (d - 1 - k) * plane }));
  return { src: viewSources(axes, 0), out: [C / block, ...S.map((n) => n * r)] };
}

/** Output (c·r^d + i_1·r^(d−1) + ..., s_1, ...) reads input (c, s_1·r + i_1, ...): the view [C, r, ..., r, S_1, ...]. */
function unshuffleView(x: Tensor, r: number) {
  const [C, ...S] = x.shape.slice(1) as [number, ...number[]];
  if (S.some((n) => n % r !== 0)) throw new ExecError(`spatial sizes [${S.join(", ")}] are not multiples of ${r}`);
  const st = stridesOf(S), plane = prod(S);
  const axes: ViewAxis[] = [{ size: C, stride: plane }, ...S.map((_, k) => ({ size: r, stride: st[k]! })), ...S.map((n, k) => ({ size: n / r, stride: r * st[k]! }))];
  return { src: viewSources(axes, 0), out: [C * r ** S.length, ...S.map((n) => n / r)] };
}

/** [N, C·r^d, S...] → [N, C, S·r...]. */
export function pixelShuffleForward(x: Tensor, r: number): Tensor {
  const v = shuffleView(x, r);
  return gatherForward(x, v.src, v.out);
}

export function pixelShuffleBackward(x: Tensor, r: number, dy: Tensor): Tensor {
  return gatherBackward(x, shuffleView(x, r).src, dy);
}

/** [N, C, S·r...] → [N, C·r^d, S...]. */
export function pixelUnshuffleForward(x: Tensor, r: number): Tensor {
  const v = unshuffleView(x, r);
  return gatherForward(x, v.src, v.out);
}

export function pixelUnshuffleBackward(x: Tensor, r: number, dy: Tensor): Tensor {
  return gatherBackward(x, unshuffleView(x, r).src, dy);
}
