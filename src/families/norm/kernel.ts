/**
 * Reference normalisations and their gradients: batch norm in inference mode (running
 * statistics), layer norm over all non-batch axes, and PyTorch's LocalResponseNorm.
 */
import type { Tensor } from "../../exec/tensor.js";
import { copyNonZero } from "../../exec/kernels/sparse.js";
import { alloc } from "../../exec/kernels/util.js";

/** Batch-norm parameters: γ and β (absent without affine) and the running statistics. */
export interface BatchnormParams {
  readonly weight?: Tensor;
  readonly bias?: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
  readonly eps: number;
}

function bnScale(p: BatchnormParams, c: number): number {
  return (p.weight ? p.weight.data[c]! : 1) / Math.sqrt(p.variance.data[c]! + p.eps);
}

/** y = (x − mean_c) / √(var_c + eps) · γ_c + β_c, per channel c. */
export function batchnormForward(x: Tensor, p: BatchnormParams): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C);
  const y = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const k = bnScale(p, c), m = p.mean.data[c]!, b = p.bias ? p.bias.data[c]! : 0;
    const base = (n * C + c) * plane;
    for (let i = 0; i < plane; i++) y[base + i] = (x.data[base + i]! - m) * k + b;
  }
  return { shape: [...x.shape], data: y };
}

/**
 * Gradients of batchnormForward: dx = dy·γ/√(var+eps), dγ = Σ dy·x̂, dβ = Σ dy (statistics are
 * constants). Without `wantParams` (the receptive-field probe) only dx is computed.
 */
export function batchnormBackward(x: Tensor, p: BatchnormParams, dy: Tensor, wantParams?: true): { dx: Tensor; dweight: Tensor; dbias: Tensor };
export function batchnormBackward(x: Tensor, p: BatchnormParams, dy: Tensor, wantParams: boolean): { dx: Tensor; dweight?: Tensor; dbias?: Tensor };
export function batchnormBackward(x: Tensor, p: BatchnormParams, dy: Tensor, wantParams = true): { dx: Tensor; dweight?: Tensor; dbias?: Tensor } {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C);
  const dx = alloc(x.data, x.data.length);
  if (!wantParams) {
    const k = Array.from({ length: C }, (_, c) => bnScale(p, c));
    if (k.every(Number.isFinite)) return { dx: copyNonZero(dy, dx, k) };
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const base = (n * C + c) * plane;
      for (let i = base; i < base + plane; i++) dx[i] = dy.data[i]! * k[c]!;
    }
    return { dx: { shape: [...x.shape], data: dx } };
  }
  const dg = alloc(x.data, C), dbeta = alloc(x.data, C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(p.variance.data[c]! + p.eps), k = bnScale(p, c), m = p.mean.data[c]!;
    const base = (n * C + c) * plane;
    for (let i = 0; i < plane; i++) {
      const g = dy.data[base + i]!;
      dx[base + i] = g * k;
      dg[c]! += g * (x.data[base + i]! - m) * inv;
      dbeta[c]! += g;
    }
  }
  return { dx: { shape: [...x.shape], data: dx }, dweight: { shape: [C], data: dg }, dbias: { shape: [C], data: dbeta } };
}

/** Layer norm over every non-batch axis: x̂ = (x − μ)/√(σ² + eps) (biased σ²), y = x̂·γ + β element-wise. */
export function layernormForward(x: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, eps: number): Tensor {
  const N = x.shape[0]!, M = x.data.length / N;
  const y = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) {
    const { mu, inv } = moments(x, n * M, M, eps);
    for (let i = 0; i < M; i++) {
      const xh = (x.data[n * M + i]! - mu) * inv;
      y[n * M + i] = xh * (weight ? weight.data[i]! : 1) + (bias ? bias.data[i]! : 0);
    }
  }
  return { shape: [...x.shape], data: y };
}

function moments(x: Tensor, base: number, M: number, eps: number): { mu: number; inv: number } {
  let mu = 0;
  for (let i = 0; i < M; i++) mu += x.data[base + i]!;
  mu /= M;
  let v = 0;
  for (let i = 0; i < M; i++) v += (x.data[base + i]! - mu) ** 2;
  return { mu, inv: 1 / Math.sqrt(v / M + eps) };
}

/** Gradients of layernormForward: dx = inv/M · (M·g − Σg − x̂·Σ g·x̂) with g = dy·γ. */
export function layernormBackward(x: Tensor, weight: Tensor | undefined, eps: number, dy: Tensor): { dx: Tensor; dweight: Tensor; dbias: Tensor } {
  const N = x.shape[0]!, M = x.data.length / N;
  const dx = alloc(x.data, x.data.length), dw = alloc(x.data, M), db = alloc(x.data, M);
  for (let n = 0; n < N; n++) {
    const base = n * M;
    const { mu, inv } = moments(x, base, M, eps);
    let sg = 0, sgx = 0;
    for (let i = 0; i < M; i++) {
      const xh = (x.data[base + i]! - mu) * inv, d = dy.data[base + i]!;
      const g = d * (weight ? weight.data[i]! : 1);
      sg += g;
      sgx += g * xh;
      dw[i]! += d * xh;
      db[i]! += d;
    }
    for (let i = 0; i < M; i++) {
      const xh = (x.data[base + i]! - mu) * inv;
      const g = dy.data[base + i]! * (weight ? weight.data[i]! : 1);
      dx[base + i] = (inv / M) * (M * g - sg - xh * sgx);
    }
  }
  const ps = x.shape.slice(1);
  return { dx: { shape: [...x.shape], data: dx }, dweight: { shape: ps, data: dw }, dbias: { shape: ps, data: db } };
}

/** LRN hyper-parameters (PyTorch's LocalResponseNorm). */
export interface LrnArgs {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
}

/**
 * The squared-sum denominators s_c = k + α/size · Σ_{c'} x_{c'}², the window running over
 * channels c − ⌊size/2⌋ … c + ⌊(size−1)/2⌋ (PyTorch pads size/2 before, (size−1)/2 after).
 */
function lrnDenominators(x: Tensor, a: LrnArgs): Float64Array {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C);
  const s = new Float64Array(x.data.length);
  const lo = Math.floor(a.size / 2), hi = Math.floor((a.size - 1) / 2);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < plane; i++) {
    let sum = 0;
    for (let cc = Math.max(0, c - lo); cc <= Math.min(C - 1, c + hi); cc++) sum += x.data[(n * C + cc) * plane + i]! ** 2;
    s[(n * C + c) * plane + i] = a.k + (a.alpha / a.size) * sum;
  }
  return s;
}

/** y_c = x_c · s_c^(−β). */
export function lrnForward(x: Tensor, a: LrnArgs): Tensor {
  const s = lrnDenominators(x, a);
  const y = alloc(x.data, x.data.length);
  for (let i = 0; i < y.length; i++) y[i] = x.data[i]! * Math.pow(s[i]!, -a.beta);
  return { shape: [...x.shape], data: y };
}

/** dx_j = dy_j·s_j^(−β) − 2αβ/size · x_j · Σ_{c whose window holds j} dy_c·x_c·s_c^(−β−1). */
export function lrnBackward(x: Tensor, a: LrnArgs, dy: Tensor): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C);
  const s = lrnDenominators(x, a);
  const dx = alloc(x.data, x.data.length);
  const lo = Math.floor(a.size / 2), hi = Math.floor((a.size - 1) / 2);
  for (let n = 0; n < N; n++) for (let j = 0; j < C; j++) for (let i = 0; i < plane; i++) {
    const idx = (n * C + j) * plane + i;
    let acc = 0;
    // Channel j lies in c's window when c − lo ≤ j ≤ c + hi, i.e. j − hi ≤ c ≤ j + lo.
    for (let c = Math.max(0, j - hi); c <= Math.min(C - 1, j + lo); c++) {
      const ic = (n * C + c) * plane + i;
      acc += dy.data[ic]! * x.data[ic]! * Math.pow(s[ic]!, -a.beta - 1);
    }
    dx[idx] = dy.data[idx]! * Math.pow(s[idx]!, -a.beta) - ((2 * a.alpha * a.beta) / a.size) * x.data[idx]! * acc;
  }
  return { shape: [...x.shape], data: dx };
}
