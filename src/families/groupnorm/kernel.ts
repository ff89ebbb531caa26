/**
 * Reference group and instance normalisation (PyTorch's GroupNorm and InstanceNorm with
 * track_running_stats=False): statistics of each sample over a run of channels and every
 * position, γ and β per channel. Instance norm is a group norm with one channel per group.
 */
import type { Tensor } from "../../exec/tensor.js";
import { groupnormLayout, normBackward, normForward, normProbeBackward } from "../norm/kernel.js";

/** The normalisation's own arguments: the group count (C for instance norm) and eps. */
export interface GroupnormArgs {
  readonly groups: number;
  readonly eps: number;
}

/** y = (x − μ)/√(σ² + eps)·γ_c + β_c, μ and σ² (biased) over each group's channels and positions. */
export function groupnormForward(x: Tensor, a: GroupnormArgs, weight: Tensor | undefined, bias: Tensor | undefined): Tensor {
  return normForward(x, groupnormLayout(x.shape, a.groups), weight, bias, a.eps);
}

/** Gradients of groupnormForward (input, γ and β). */
export function groupnormBackward(x: Tensor, a: GroupnormArgs, weight: Tensor | undefined, dy: Tensor): { dx: Tensor; dweight: Tensor; dbias: Tensor } {
  return normBackward(x, groupnormLayout(x.shape, a.groups), weight, a.eps, dy);
}

/** The probe's positive surrogate: dy plus its group's mean, nothing mixed across groups. */
export function groupnormProbeBackward(x: Tensor, a: GroupnormArgs, dy: Tensor): Tensor {
  return normProbeBackward(groupnormLayout(x.shape, a.groups), dy);
}
