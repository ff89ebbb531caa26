/**
 * Reference activations with PyTorch's definitions, their derivatives, and softmax along one
 * axis. Each activation is a pair: f(x) and f'(x), so the backward is dy · f'(x).
 */
import type { Tensor } from "../../exec/tensor.js";
import { copyNonZero } from "../../exec/kernels/sparse.js";
import { alloc } from "../../exec/kernels/util.js";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf(x) to double precision: 2/√π · e^{−x²} · Σ 2^n x^{2n+1} / (1·3·…·(2n+1)) — every term is
 * positive, so the series loses no digits to cancellation; beyond |x| = 6, erf = ±1 in doubles.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  let term = ax, sum = ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** PyTorch's softplus (beta 1, threshold 20): ln(1 + eˣ), x itself above 20. */
const softplus = (x: number): number => (x > 20 ? x : Math.log1p(Math.exp(x)));

/** An element-wise function and its derivative; `a` is the layer's argument (slope, alpha). */
export interface Activation {
  readonly f: (x: number, a: number) => number;
  readonly df: (x: number, a: number) => number;
}

/** Every element-wise activation kind by name (PyTorch definitions). */
export const activations: Readonly<Record<string, Activation>> = {
  relu: { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
  relu6: { f: (x) => Math.min(Math.max(x, 0), 6), df: (x) => (x > 0 && x < 6 ? 1 : 0) },
  leaky_relu: { f: (x, a) => (x > 0 ? x : a * x), df: (x, a) => (x > 0 ? 1 : a) },
  elu: { f: (x, a) => (x > 0 ? x : a * (Math.exp(x) - 1)), df: (x, a) => (x > 0 ? 1 : a * Math.exp(x)) },
  sigmoid: { f: sigmoid, df: (x) => sigmoid(x) * (1 - sigmoid(x)) },
  tanh: { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  // hardsigmoid: x/6 + 1/2 clipped to [0, 1] (PyTorch: 0 for x ≤ −3, 1 for x ≥ 3).
  hardsigmoid: { f: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5), df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0) },
  // hardswish: x · relu6(x + 3) / 6.
  hardswish: { f: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6), df: (x) => (x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6) },
  silu: { f: (x) => x * sigmoid(x), df: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))) },
  // softplus' = sigmoid; mish = x·tanh(softplus(x)), mish' = tanh(sp) + x·(1 − tanh²(sp))·sigmoid(x).
  softplus: { f: softplus, df: (x) => (x > 20 ? 1 : sigmoid(x)) },
  mish: {
    f: (x) => x * Math.tanh(softplus(x)),
    df: (x) => { const t = Math.tanh(softplus(x)); return t + x * (1 - t * t) * (x > 20 ? 1 : sigmoid(x)); },
  },
  // gelu, exact: x · Φ(x) with Φ(x) = (1 + erf(x/√2))/2; derivative Φ(x) + x·φ(x).
  gelu: { f: (x) => 0.5 * x * (1 + erf(x * SQRT1_2)), df: (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x) },
};

/** Applies an activation element-wise. */
export function activationForward(x: Tensor, act: Activation, a: number): Tensor {
  const y = alloc(x.data, x.data.length);
  for (let i = 0; i < y.length; i++) y[i] = act.f(x.data[i]!, a);
  return { shape: [...x.shape], data: y };
}

/** dy · f'(x); with `passThrough` (the receptive-field probe) dy unchanged. */
export function activationBackward(x: Tensor, act: Activation, a: number, dy: Tensor, passThrough = false): Tensor {
  const dx = alloc(x.data, x.data.length);
  if (passThrough) return copyNonZero(dy, dx);
  for (let i = 0; i < dx.length; i++) dx[i] = dy.data[i]! * act.df(x.data[i]!, a);
  return { shape: [...x.shape], data: dx };
}

/** Outer / axis / inner sizes of a softmax along full-shape axis `axis`. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

/** Softmax along `axis` of the full shape (batch axis included), max-subtracted for stability. */
export function softmaxForward(x: Tensor, axis: number): Tensor {
  const [outer, n, inner] = split(x.shape, axis);
  const y = alloc(x.data, x.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const base = o * n * inner + i;
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, x.data[base + k * inner]!);
    let s = 0;
    for (let k = 0; k < n; k++) s += (y[base + k * inner] = Math.exp(x.data[base + k * inner]! - m));
    for (let k = 0; k < n; k++) y[base + k * inner]! /= s;
  }
  return { shape: [...x.shape], data: y };
}

/** Softmax gradient: dx_k = y_k · (dy_k − Σ_j dy_j y_j). */
export function softmaxBackward(y: Tensor, axis: number, dy: Tensor): Tensor {
  const [outer, n, inner] = split(y.shape, axis);
  const dx = alloc(y.data, y.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const base = o * n * inner + i;
    let dot = 0;
    for (let k = 0; k < n; k++) dot += dy.data[base + k * inner]! * y.data[base + k * inner]!;
    for (let k = 0; k < n; k++) dx[base + k * inner] = y.data[base + k * inner]! * (dy.data[base + k * inner]! - dot);
  }
  return { shape: [...y.shape], data: dx };
}
