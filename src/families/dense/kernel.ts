/** Reference fully connected layer (PyTorch's Linear) and its gradients. */
import type { Tensor } from "../../exec/tensor.js";
import type { MacCounter } from "../../exec/kernels/api.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";

/** y[n, o] = b[o] + Σ_i w[o, i] · x[n, i]; x [N, in], w [out, in]. */
export function denseForward(x: Tensor, w: Tensor, b: Tensor | undefined, counter: MacCounter): Tensor {
  const [N, IN] = [x.shape[0]!, x.data.length / x.shape[0]!];
  const OUT = w.shape[0]!;
  if (w.shape[1] !== IN) throw new ExecError(`weight expects ${w.shape[1]} inputs, the input has ${IN}`);
  const y = alloc(x.data, N * OUT);
  let macs = 0;
  for (let n = 0; n < N; n++) for (let o = 0; o < OUT; o++) {
    let s = b ? b.data[o]! : 0;
    const xo = n * IN, wo = o * IN;
    for (let i = 0; i < IN; i++) s += w.data[wo + i]! * x.data[xo + i]!;
    macs += IN;
    y[n * OUT + o] = s;
  }
  counter.add(macs);
  return { shape: [N, OUT], data: y };
}

/** Gradients of denseForward: dx = dy·W, dW = dyᵀ·x, db = Σ_n dy. */
export function denseBackward(x: Tensor, w: Tensor, hasBias: boolean, dy: Tensor): { dx: Tensor; dw: Tensor; db?: Tensor } {
  const [N, IN] = [x.shape[0]!, x.data.length / x.shape[0]!];
  const OUT = w.shape[0]!;
  const dx = alloc(x.data, x.data.length), dw = alloc(w.data, w.data.length), db = alloc(w.data, OUT);
  for (let n = 0; n < N; n++) for (let o = 0; o < OUT; o++) {
    const g = dy.data[n * OUT + o]!;
    db[o]! += g;
    for (let i = 0; i < IN; i++) {
      dx[n * IN + i]! += g * w.data[o * IN + i]!;
      dw[o * IN + i]! += g * x.data[n * IN + i]!;
    }
  }
  const out: { dx: Tensor; dw: Tensor; db?: Tensor } = { dx: { shape: [...x.shape], data: dx }, dw: { shape: [...w.shape], data: dw } };
  if (hasBias) out.db = { shape: [OUT], data: db };
  return out;
}
