/**
 * Reference channel-shuffle kernels (ShuffleNet; PyTorch's nn.ChannelShuffle): view the C
 * channels as [groups, C/groups], transpose to [C/groups, groups], flatten. Output channel
 * j = a·groups + b reads input channel b·(C/groups) + a.
 */
import type { Tensor } from "../../exec/tensor.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";

/** The input channel each output channel copies, for C channels in `groups` groups. */
function sources(C: number, groups: number): number[] {
  if (C % groups !== 0) throw new ExecError(`${C} channels do not split into ${groups} groups`);
  const per = C / groups;
  const src: number[] = [];
  for (let j = 0; j < C; j++) src.push((j % groups) * per + Math.floor(j / groups));
  return src;
}

/** y[n, j] = x[n, source(j)] for every position. */
export function channelShuffleForward(x: Tensor, groups: number): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C), src = sources(C, groups);
  const y = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) for (let j = 0; j < C; j++) {
    y.set(x.data.subarray((n * C + src[j]!) * plane, (n * C + src[j]! + 1) * plane), (n * C + j) * plane);
  }
  return { shape: [...x.shape], data: y };
}

/** The gradient goes back along the same copies: dx[n, source(j)] = dy[n, j]. */
export function channelShuffleBackward(x: Tensor, groups: number, dy: Tensor): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C), src = sources(C, groups);
  const dx = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) for (let j = 0; j < C; j++) {
    dx.set(dy.data.subarray((n * C + j) * plane, (n * C + j + 1) * plane), (n * C + src[j]!) * plane);
  }
  return { shape: [...x.shape], data: dx };
}
