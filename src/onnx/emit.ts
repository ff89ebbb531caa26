/**
 * What an ONNX emitter receives for one layer node, and the helpers several emitters share
 * (padding as a node, windowed sums, rank alignment).
 */
import type { LayerNode } from "../graph/ir.js";
import type { LayerParams, Tensor } from "../exec/tensor.js";
import type { GraphBuilder } from "./builder.js";
import { float, floats, int, ints, str } from "./attrs.js";
import { flag, windowArgs } from "../families/args.js";
import { resolvePads, windowOut } from "./geometry.js";

/** One layer's inputs as the emitter sees them. Shapes exclude the batch axis. */
export interface EmitCtx {
  readonly b: GraphBuilder;
  readonly node: LayerNode;
  readonly ins: readonly string[];
  readonly inShapes: readonly (readonly number[])[];
  readonly outShape: readonly number[];
  readonly params: LayerParams | undefined;
}

/** An emitter returns its output tensor's name, or why the layer cannot be expressed. */
export type Emitter = (c: EmitCtx) => string | { readonly refuse: string };

/** The parameter `name` of a layer, or undefined. */
export function param(c: EmitCtx, name: string): Tensor | undefined {
  return c.params?.[name];
}

/** A layer's parameter as an initializer, or a constant fill of `shape` when it has none. */
export function paramOr(c: EmitCtx, name: string, shape: readonly number[], fill: number): string {
  const t = param(c, name);
  const base = `${c.node.label}.${name}`;
  if (t) return c.b.floats(base, t.data, t.shape);
  const n = shape.reduce((a, v) => a * v, 1);
  return c.b.floats(base, new Float32Array(n).fill(fill), shape);
}

/**
 * Pads the spatial axes of `x` (rank = 2 + before.length). Modes: constant (with value),
 * reflect, edge (replicate), circular (Pad's `wrap` needs opset 19, so slices and a concat).
 */
export function padNode(b: GraphBuilder, x: string, before: readonly number[], after: readonly number[],
  mode: "constant" | "reflect" | "edge" | "circular", value = 0): string {
  if (before.every((v) => v === 0) && after.every((v) => v === 0)) return x;
  if (mode === "circular") {
    let cur = x;
    for (let i = 0; i < before.length; i++) {
      const axis = b.int64s([i + 2]);
      const parts: string[] = [];
      if (before[i]! > 0) parts.push(b.node("Slice", [cur, b.int64s([-before[i]!]), b.int64s([2 ** 31 - 1]), axis]));
      parts.push(cur);
      if (after[i]! > 0) parts.push(b.node("Slice", [cur, b.int64s([0]), b.int64s([after[i]!]), axis]));
      if (parts.length > 1) cur = b.node("Concat", parts, { axis: int(i + 2) });
    }
    return cur;
  }
  const pads = b.int64s([0, 0, ...before, 0, 0, ...after]);
  const inputs = mode === "constant" ? [x, pads, b.scalar(value)] : [x, pads];
  return b.node("Pad", inputs, { mode: str(mode) });
}

/** Window description for the windowed-sum decomposition, one entry per spatial axis. */
export interface Window {
  readonly size: readonly number[];
  readonly k: readonly number[];
  readonly s: readonly number[];
  readonly d: readonly number[];
  readonly pb: readonly number[];
  readonly pa: readonly number[];
  readonly ceil: boolean;
}

/**
 * The window of a conv or pooling node over its input (explicit pads; the exporter resolves
 * `same` and `full` itself), or why it cannot be written.
 */
export function emitWindow(c: EmitCtx): Window | string {
  const size = c.inShapes[0]!.slice(1);
  const { kernel: k, stride: s, dilation: d } = windowArgs(c.node, size.length);
  const p = resolvePads(c.node.args.padding!, size, k, s, d);
  if (typeof p === "string") return p;
  return { size, k, s, d, pb: p.before, pa: p.after, ceil: flag(c.node, "ceil") };
}

/** A layer's weight and (if it has one) bias as initializers after `x`: a Conv's or Gemm's inputs. */
export function weightInputs(c: EmitCtx, x: string): string[] | { readonly refuse: string } {
  const weight = param(c, "weight");
  if (!weight) return { refuse: "it has no weight tensor" };
  const bias = param(c, "bias");
  const inputs = [x, c.b.floats(`${c.node.label}.weight`, weight.data, weight.shape)];
  if (bias) inputs.push(c.b.floats(`${c.node.label}.bias`, bias.data, bias.shape));
  return inputs;
}

/** ONNX Pad modes by ConvSpec padding mode. */
export const PAD_MODE = { zeros: "constant", constant: "constant", reflect: "reflect", replicate: "edge", circular: "circular" } as const;

/** Output sizes of a window in floor and in ceil mode. */
export function windowSizes(w: Window): { out: number[]; floorOut: number[] } {
  const out = w.size.map((n, i) => windowOut(n, w.pb[i]!, w.pa[i]!, w.k[i]!, w.s[i]!, w.d[i]!, w.ceil));
  const floorOut = w.size.map((n, i) => windowOut(n, w.pb[i]!, w.pa[i]!, w.k[i]!, w.s[i]!, w.d[i]!, false));
  return { out, floorOut };
}

/**
 * Sum over each window of `x` ([N, C, ...size]) as a depthwise Conv with a ones kernel on the
 * zero-padded input; a ceil-mode last window that overhangs the padding gets extra zeros.
 */
export function windowSum(b: GraphBuilder, x: string, channels: number, w: Window, label: string): string {
  const { out } = windowSizes(w);
  const extra = w.size.map((n, i) => Math.max(0, (out[i]! - 1) * w.s[i]! + w.d[i]! * (w.k[i]! - 1) + 1 - (n + w.pb[i]! + w.pa[i]!)));
  const padded = padNode(b, x, w.pb, w.pa.map((v, i) => v + extra[i]!), "constant", 0);
  const kn = w.k.reduce((a, v) => a * v, 1);
  const ones = b.floats(`${label}.window_ones`, new Float32Array(channels * kn).fill(1), [channels, 1, ...w.k]);
  return b.node("Conv", [padded, ones], {
    kernel_shape: ints(w.k), strides: ints(w.s), dilations: ints(w.d), group: int(channels),
    pads: ints([...w.k.map(() => 0), ...w.k.map(() => 0)]),
  });
}

/**
 * The divisor of an average pool at every output position, [1, 1, ...out]: the window's
 * taps inside the input, plus those in the padding when `countPad` (not those past it).
 */
export function avgDivisor(w: Window, countPad: boolean): { data: Float32Array; dims: number[] } {
  const { out } = windowSizes(w);
  const perAxis = out.map((o, i) => {
    const counts: number[] = [];
    const lo = countPad ? -w.pb[i]! : 0;
    const hi = countPad ? w.size[i]! + w.pa[i]! : w.size[i]!;
    for (let j = 0; j < o; j++) {
      let c = 0;
      for (let t = 0; t < w.k[i]!; t++) {
        const pos = j * w.s[i]! + t * w.d[i]! - w.pb[i]!;
        if (pos >= lo && pos < hi) c++;
      }
      counts.push(c);
    }
    return counts;
  });
  const total = out.reduce((a, v) => a * v, 1);
  const data = new Float32Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let v = 1;
    for (let i = out.length - 1; i >= 0; i--) {
      v *= perAxis[i]![rem % out[i]!]!;
      rem = Math.floor(rem / out[i]!);
    }
    data[flat] = v;
  }
  return { data, dims: [1, 1, ...out] };
}

/** Inserts unit axes after the batch axis so that `rank` (batch-less) operands broadcast like NumPy. */
export function alignRank(b: GraphBuilder, x: string, rank: number, target: number): string {
  if (rank >= target) return x;
  const axes = Array.from({ length: target - rank }, (_, i) => i + 1);
  return b.node("Unsqueeze", [x, b.int64s(axes)]);
}

export { float, floats, int, ints, str };
export type { Attr } from "./attrs.js";
