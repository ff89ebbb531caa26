/** Reference maxout kernels: the maximum over groups of k consecutive channels, and its gradient. */
import type { Float, Tensor } from "../../exec/tensor.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";

/** Maxout: y[n, g] = max over channels g·k … g·k + k − 1 of x[n]. */
export function channelMaxForward(x: Tensor, k: number): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  if (C % k !== 0) throw new ExecError(`${C} channels do not split into groups of ${k}`);
  const plane = x.data.length / (N * C), G = C / k;
  const y = alloc(x.data, N * G * plane);
  for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) for (let i = 0; i < plane; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, x.data[(n * C + g * k + j) * plane + i]!);
    y[(n * G + g) * plane + i] = m;
  }
  return { shape: [N, G, ...x.shape.slice(2)], data: y };
}

/** Gradient of channelMaxForward: to the first maximum, or with `spread` to every channel of the group. */
export function channelMaxBackward(x: Tensor, k: number, dy: Tensor, spread = false): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C), G = C / k;
  const dx: Float = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) for (let i = 0; i < plane; i++) {
    const gy = dy.data[(n * G + g) * plane + i]!;
    let best = -1, m = -Infinity;
    for (let j = 0; j < k; j++) {
      const at = (n * C + g * k + j) * plane + i;
      if (spread) dx[at]! += gy;
      else if (x.data[at]! > m) { m = x.data[at]!; best = at; }
    }
    if (!spread && best >= 0) dx[best]! += gy;
  }
  return { shape: [...x.shape], data: dx };
}
