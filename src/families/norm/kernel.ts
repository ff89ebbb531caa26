/**
 * Reference normalisations and their gradients: batch norm in inference mode (running
 * statistics); layer, group and instance norm (statistics of the sample itself, over groups of
 * elements a layout names); and PyTorch's LocalResponseNorm.
 */
import type { Tensor } from "../../exec/tensor.js";
import { copyNonZero } from "../../exec/kernels/sparse.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";

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

/**
 * Which elements a normalisation pools and which γ, β entry scales each: element i of the
 * full tensor (batch first) belongs to statistics group `group[i]` (of `groups`, each of
 * `size` elements) and is scaled by γ[`affine[i]`] (γ, β of shape `paramShape`).
 */
export interface NormLayout {
  readonly group: Int32Array;
  readonly groups: number;
  readonly size: number;
  readonly affine: Int32Array;
  readonly paramShape: readonly number[];
}

/**
 * The layout of a layer norm over `axes` as written (0 = channels, negative from the end, or
 * "all" = every non-batch axis): a group per batch element and position along the other axes;
 * γ, β span the normalized axes in order. Axes out of range or repeated throw.
 */
export function layernormLayout(shape: readonly number[], axes: readonly number[] | "all"): NormLayout {
  const rank = shape.length - 1;
  const full = axes === "all" ? Array.from({ length: rank }, (_, a) => a + 1) : axes.map((a) => (a < 0 ? rank + a : a) + 1);
  if (full.some((a) => a < 1 || a > rank) || new Set(full).size !== full.length) {
    throw new ExecError(`axes ${JSON.stringify(axes)} do not name distinct axes of a rank-${rank} tensor`);
  }
  const normed = [...full].sort((a, b) => a - b);
  const kept = shape.map((_, a) => a).filter((a) => !normed.includes(a));
  const total = shape.reduce((p, d) => p * d, 1);
  const group = new Int32Array(total), affine = new Int32Array(total);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < total; i++) {
    group[i] = kept.reduce((g, a) => g * shape[a]! + idx[a]!, 0);
    affine[i] = normed.reduce((g, a) => g * shape[a]! + idx[a]!, 0);
    for (let a = shape.length - 1; a >= 0 && ++idx[a]! === shape[a]!; a--) idx[a] = 0;
  }
  const paramShape = normed.map((a) => shape[a]!);
  const size = paramShape.reduce((p, d) => p * d, 1);
  return { group, groups: total / size, size, affine, paramShape };
}

/**
 * The layout of a group norm (PyTorch's GroupNorm): channels split into `groups` consecutive
 * runs, each run with every position one group; γ, β per channel. Instance norm is the case
 * groups = C. C not divisible by groups throws.
 */
export function groupnormLayout(shape: readonly number[], groups: number): NormLayout {
  const [N, C] = [shape[0]!, shape[1]!];
  if (C % groups !== 0) throw new ExecError(`${C} channels do not split into ${groups} groups`);
  const plane = shape.slice(2).reduce((p, d) => p * d, 1), per = C / groups;
  const group = new Int32Array(N * C * plane), affine = new Int32Array(N * C * plane);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const base = (n * C + c) * plane;
    group.fill(n * groups + Math.floor(c / per), base, base + plane);
    affine.fill(c, base, base + plane);
  }
  return { group, groups: N * groups, size: per * plane, affine, paramShape: [C] };
}

/** Mean and 1/√(biased variance + eps) of every group. */
function groupMoments(x: Tensor, l: NormLayout, eps: number): { mu: Float64Array; inv: Float64Array } {
  const mu = new Float64Array(l.groups), inv = new Float64Array(l.groups);
  for (let i = 0; i < x.data.length; i++) mu[l.group[i]!]! += x.data[i]!;
  for (let g = 0; g < l.groups; g++) mu[g]! /= l.size;
  for (let i = 0; i < x.data.length; i++) inv[l.group[i]!]! += (x.data[i]! - mu[l.group[i]!]!) ** 2;
  for (let g = 0; g < l.groups; g++) inv[g] = 1 / Math.sqrt(inv[g]! / l.size + eps);
  return { mu, inv };
}

/** x̂ = (x − μ_g)/√(σ²_g + eps) over each group g (biased σ²), y = x̂·γ + β (γ = 1, β = 0 when absent). */
export function normForward(x: Tensor, l: NormLayout, weight: Tensor | undefined, bias: Tensor | undefined, eps: number): Tensor {
  const { mu, inv } = groupMoments(x, l, eps);
  const y = alloc(x.data, x.data.length);
  for (let i = 0; i < y.length; i++) {
    const g = l.group[i]!, a = l.affine[i]!;
    y[i] = (x.data[i]! - mu[g]!) * inv[g]! * (weight ? weight.data[a]! : 1) + (bias ? bias.data[a]! : 0);
  }
  return { shape: [...x.shape], data: y };
}

/**
 * Gradients of normForward, per group of M elements with g = dy·γ:
 * dx = inv/M · (M·g − Σg − x̂·Σ g·x̂), dγ = Σ dy·x̂ and dβ = Σ dy over the elements each scales.
 */
export function normBackward(x: Tensor, l: NormLayout, weight: Tensor | undefined, eps: number, dy: Tensor): { dx: Tensor; dweight: Tensor; dbias: Tensor } {
  const { mu, inv } = groupMoments(x, l, eps);
  const P = l.paramShape.reduce((p, d) => p * d, 1);
  const dx = alloc(x.data, x.data.length), dw = alloc(x.data, P), db = alloc(x.data, P);
  const sg = new Float64Array(l.groups), sgx = new Float64Array(l.groups);
  const xhat = (i: number) => (x.data[i]! - mu[l.group[i]!]!) * inv[l.group[i]!]!;
  for (let i = 0; i < x.data.length; i++) {
    const k = l.group[i]!, a = l.affine[i]!, d = dy.data[i]!, xh = xhat(i);
    const g = d * (weight ? weight.data[a]! : 1);
    sg[k]! += g;
    sgx[k]! += g * xh;
    dw[a]! += d * xh;
    db[a]! += d;
  }
  for (let i = 0; i < x.data.length; i++) {
    const k = l.group[i]!, g = dy.data[i]! * (weight ? weight.data[l.affine[i]!]! : 1);
    dx[i] = (inv[k]! / l.size) * (l.size * g - sg[k]! - xhat(i) * sgx[k]!);
  }
  const ps = [...l.paramShape];
  return { dx: { shape: [...x.shape], data: dx }, dweight: { shape: ps, data: dw }, dbias: { shape: ps, data: db } };
}

/**
 * The receptive-field probe's surrogate for a normalisation: each output depends on every
 * element of its group (the statistics), so each input gets its own dy plus the group's mean
 * dy — positive where dy is, mixing nothing outside the group.
 */
export function normProbeBackward(l: NormLayout, dy: Tensor): Tensor {
  const s = new Float64Array(l.groups);
  for (let i = 0; i < dy.data.length; i++) s[l.group[i]!]! += dy.data[i]!;
  const dx = alloc(dy.data, dy.data.length);
  for (let i = 0; i < dx.length; i++) dx[i] = dy.data[i]! + s[l.group[i]!]! / l.size;
  return { shape: [...dy.shape], data: dx };
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
