/** Normalisation layers: batch norm, layer norm (over chosen axes), local response norm. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { withShape } from "../../exec/kernels/util.js";
import { float, int, ints, paramOr, type Emitter } from "../../onnx/emit.js";
import { flag, num } from "../args.js";
import type { ExecOp, ParamSpec } from "../exec.js";
import { dict } from "../../util/dict.js";
import type { LayerSchema } from "../schema.js";
import { batchnormBackward, batchnormForward, layernormLayout, lrnBackward, lrnForward, normBackward, normForward, normProbeBackward, type LrnArgs } from "./kernel.js";
import { wholeAlongAxes, wholeTensorField } from "../rf.js";
import { elementwiseCost, numel, showShape, type Family, type LayerContext, type LayerRules, type Shape } from "../types.js";
import { sourceName } from "../window.js";

export const batchnormSchema: LayerSchema = {
  family: "batchnorm",
  summary: "batch normalisation (inference: per-channel affine from running statistics)",
  kinds: {
    batchnorm: { kind: "batchnorm" },
    batchnorm1d: { kind: "batchnorm", dims: 1 },
    batchnorm2d: { kind: "batchnorm", dims: 2 },
    batchnorm3d: { kind: "batchnorm", dims: 3 },
  },
  args: [
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5, usualBelow: 1 },
    { name: "momentum", type: { t: "real", min: 0, max: 1 }, default: 0.1 },
    { name: "affine", type: { t: "bool" }, default: true },
  ],
};

export const layernormSchema: LayerSchema = {
  family: "layernorm",
  summary: "layer normalisation over the given axes (default: channels, at every position)",
  kinds: { layernorm: { kind: "layernorm" } },
  args: [
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5, usualBelow: 1 },
    { name: "affine", type: { t: "bool" }, default: true },
    // Named only, so that 1.0's positional eps (`layernorm(1e-6)`) keeps its meaning.
    { name: "axes", type: { t: "axes" }, default: [0], namedOnly: true, doc: "normalized axes (0 = channels), or all (ConvSpec 1.0's layer norm)" },
  ],
};

export const lrnSchema: LayerSchema = {
  family: "lrn",
  summary: "local response normalisation across channels (AlexNet)",
  kinds: { lrn: { kind: "lrn" } },
  args: [
    { name: "size", type: { t: "int", min: 1 }, default: 5 },
    { name: "alpha", type: { t: "real" }, default: 1e-4 },
    { name: "beta", type: { t: "real" }, default: 0.75 },
    { name: "k", type: { t: "real" }, default: 2 },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** batchnorm1d takes [C] or [C, L]; 2d [C, H, W]; 3d [C, D, H, W]; plain batchnorm any rank. */
function checkBatchnormRank(ctx: LayerContext): boolean {
  const { node } = ctx;
  const x = ctx.inputs[0]!;
  const r = x.shape.length;
  const ok = node.dims === undefined || (node.dims === 1 ? r === 1 || r === 2 : r === node.dims + 1);
  if (!ok) {
    ctx.diags.push(diag(messages.rankMismatch, node.span, {
      layer: node.label, op: node.op, expected: node.dims === 1 ? "an input of rank 1 or 2" : `an input of rank ${node.dims! + 1}`, shape: showShape(x.shape), source: sourceName(x.node),
    }, { hint: "batchnorm (without a number) takes any rank" }));
  }
  return ok;
}

/** Batch norm: γ, β trainable (if affine); running mean and variance are buffers. */
export const batchnormRules: LayerRules = {
  shape: (ctx) => (checkBatchnormRank(ctx) ? ctx.inputs[0]!.shape : undefined),
  params(ctx) {
    const c = BigInt(ctx.inputs[0]!.shape[0]!);
    return { trainable: ctx.node.args.affine === false ? 0n : 2n * c, nonTrainable: 2n * c };
  },
  /** Inference folds the statistics into one scale and one shift: 2 per element. */
  cost: (_ctx, out) => elementwiseCost(out, 2),
};

/**
 * The normalized axes of a layer norm on `shape` (batch-less), ascending, 0 = channels; or why
 * they are not valid (out of range, repeated).
 */
export function normalizedAxes(node: LayerNode, shape: Shape): number[] | string {
  const v = node.args.axes;
  if (v === "all") return shape.map((_, a) => a);
  const written = v as readonly number[];
  const axes = written.map((a) => (a < 0 ? a + shape.length : a));
  const bad = written.filter((_, i) => axes[i]! < 0 || axes[i]! >= shape.length);
  if (bad.length > 0) return `axis ${bad.join(", ")} is out of range for ${showShape(shape)} (axes 0 to ${shape.length - 1}, or −1 to −${shape.length})`;
  const twice = axes.filter((a, i) => axes.indexOf(a) !== i);
  if (twice.length > 0) return `axis ${twice[0]} is named twice in [${written.join(", ")}]`;
  return [...axes].sort((a, b) => a - b);
}

/** Layer norm over its axes: γ, β of the normalized axes' sizes (if affine). */
export const layernormRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape;
    const axes = normalizedAxes(ctx.node, x);
    if (typeof axes === "string") {
      ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: axes }, {
        hint: "axes count from 0 = channels (negative from the end); axes=all normalizes the whole tensor",
      }));
      return undefined;
    }
    return x;
  },
  params(ctx) {
    const x = ctx.inputs[0]!.shape;
    const axes = normalizedAxes(ctx.node, x) as number[];
    return { trainable: ctx.node.args.affine === false ? 0n : 2n * numel(axes.map((a) => x[a]!)), nonTrainable: 0n };
  },
  /** Mean 1, variance 3 (subtract, square, add), normalise 2 (subtract, divide), affine 2 per element. */
  cost: (ctx, out) => elementwiseCost(out, ctx.node.args.affine === false ? 6 : 8),
  /**
   * Each output depends on the statistics of its group: over channels only the field is
   * unchanged; over every spatial axis it is the whole sample (global), as over a vector's
   * features (a flattened map, where every feature is a position); over some spatial axes,
   * each of those axes is seen whole by every unit (jump 0 there, so a later window adds
   * nothing along it; as softmax along an axis).
   */
  rf(ctx, out) {
    const x = ctx.inputs[0]!;
    const spatial = (normalizedAxes(ctx.node, out) as number[]).filter((a) => a >= 1).map((a) => a - 1);
    if (x.rf.whole) return x.rf;
    if (out.length === 1 || spatial.length === out.length - 1) return wholeTensorField(x, ctx.extent);
    return wholeAlongAxes(x, ctx.extent, spatial);
  },
};

/** Local response norm across channels: b = a / (k + α/n·Σ a²)^β. */
export const lrnRules: LayerRules = {
  shape: (ctx) => ctx.inputs[0]!.shape,
  /** size squares + (size − 1) adds, then scale, add k, power, divide: 2·size + 3 per element. */
  cost: (ctx, out) => elementwiseCost(out, 2 * (ctx.node.args.size as number) + 3),
};

// ── execution ─────────────────────────────────────────────────────────────────

/** γ and β gradients of an affine normalisation (none without affine). */
function affineGrads(affine: boolean, g: { dweight: Tensor; dbias: Tensor }): Record<string, Tensor> {
  return affine ? { weight: g.dweight, bias: g.dbias } : {};
}

const bnParams = (node: LayerNode, p: Readonly<Record<string, Tensor>>) => ({
  weight: p.weight, bias: p.bias, mean: p.running_mean!, variance: p.running_var!, eps: num(node, "eps"),
});

const batchnormExec: ExecOp = {
  params(node, [x]) {
    const c = [x![1]!];
    const p = dict<ParamSpec>();
    if (flag(node, "affine")) {
      p.weight = { shape: c, init: "gamma", trainable: true };
      p.bias = { shape: c, init: "beta", trainable: true };
    }
    p.running_mean = { shape: c, init: "mean", trainable: false };
    p.running_var = { shape: c, init: "var", trainable: false };
    return p;
  },
  forward: (node, [x], p) => batchnormForward(x!, bnParams(node, p)),
  backward(node, [x], _y, dy, p, ctx) {
    if (ctx.skipParamGrads) return { dxs: [batchnormBackward(x!, bnParams(node, p), dy, false).dx] };
    const g = batchnormBackward(x!, bnParams(node, p), dy);
    return { dxs: [g.dx], dparams: affineGrads(p.weight !== undefined, g) };
  },
};

/** The layer norm's axes as written (a list or "all"), handed to the kernel, which resolves them itself. */
const lnAxes = (node: LayerNode): readonly number[] | "all" => (node.args.axes === "all" ? "all" : (node.args.axes as number[]));

const layernormExec: ExecOp = {
  params(node, [x]) {
    if (!flag(node, "affine")) return {} as Record<string, ParamSpec>;
    const s = [...layernormLayout(x!, lnAxes(node)).paramShape];
    return { weight: { shape: s, init: "gamma", trainable: true }, bias: { shape: s, init: "beta", trainable: true } };
  },
  forward: (node, [x], p) => normForward(x!, layernormLayout(x!.shape, lnAxes(node)), p.weight, p.bias, num(node, "eps")),
  backward(node, [x], _y, dy, p, ctx) {
    const layout = layernormLayout(x!.shape, lnAxes(node));
    // Probe surrogate: positive, and mixing only within each normalized group.
    if (ctx.probe) return { dxs: [normProbeBackward(layout, dy)] };
    const g = normBackward(x!, layout, p.weight, num(node, "eps"), dy);
    return { dxs: [g.dx], dparams: affineGrads(p.weight !== undefined, g) };
  },
};

const lrnArgs = (node: LayerNode): LrnArgs => ({
  size: num(node, "size"), alpha: num(node, "alpha"), beta: num(node, "beta"), k: num(node, "k"),
});

/** A channel-mixing layer whose probe surrogate sums over the same channel window. */
const lrnExec: ExecOp = {
  forward: (node, [x], _p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : lrnForward(x!, lrnArgs(node))),
  backward(node, [x], _y, dy, _p, ctx) {
    if (!ctx.probe) return { dxs: [lrnBackward(x!, lrnArgs(node), dy)] };
    return { dxs: [withShape(dy, dy.shape)] };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const batchnormOnnx: Emitter = (c) => {
  const ch = [c.inShapes[0]![0]!];
  const inputs = [
    c.ins[0]!, paramOr(c, "weight", ch, 1), paramOr(c, "bias", ch, 0),
    paramOr(c, "running_mean", ch, 0), paramOr(c, "running_var", ch, 1),
  ];
  return c.b.node("BatchNormalization", inputs, { epsilon: float(num(c.node, "eps")) }, c.node.label);
};

/**
 * LayerNormalization normalizes trailing axes only: normalized axes not already at the end
 * are moved there (Transpose), normalized, and moved back.
 */
const layernormOnnx: Emitter = (c) => {
  const shape = c.inShapes[0]!;
  const axes = normalizedAxes(c.node, shape) as number[];
  const kept = shape.map((_, a) => a).filter((a) => !axes.includes(a));
  const perm = [0, ...[...kept, ...axes].map((a) => a + 1)];
  const trailing = perm.every((p, i) => p === i);
  const moved = trailing ? c.ins[0]! : c.b.node("Transpose", [c.ins[0]!], { perm: ints(perm) });
  const ps = axes.map((a) => shape[a]!);
  const inputs = [moved, paramOr(c, "weight", ps, 1), paramOr(c, "bias", ps, 0)];
  const attrs = { axis: int(kept.length + 1), epsilon: float(num(c.node, "eps")) };
  if (trailing) return c.b.node("LayerNormalization", inputs, attrs, c.node.label);
  const normed = c.b.node("LayerNormalization", inputs, attrs);
  return c.b.node("Transpose", [normed], { perm: ints(perm.map((_, i) => perm.indexOf(i))) }, c.node.label);
};

/**
 * Local response normalisation as PyTorch: x / (k + α·mean of x² over `size` channels)^β,
 * the window padded size/2 before and (size−1)/2 after. ONNX LRN centres even windows the
 * other way and wants 4-D input, so it is used only for odd sizes on 2-D maps.
 */
const lrnOnnx: Emitter = (c) => {
  const { size, alpha, beta, k } = lrnArgs(c.node);
  if (size % 2 === 1 && c.inShapes[0]!.length === 3) {
    return c.b.node("LRN", [c.ins[0]!], { size: int(size), alpha: float(alpha), beta: float(beta), bias: float(k) }, c.node.label);
  }
  const x = c.ins[0]!;
  const sq = c.b.node("Mul", [x, x]);
  const cols = c.b.node("Reshape", [sq, c.b.int64s([0, 1, c.inShapes[0]![0]!, -1])]);
  const avg = c.b.node("AveragePool", [cols], {
    kernel_shape: ints([size, 1]), pads: ints([Math.floor(size / 2), 0, Math.floor((size - 1) / 2), 0]), count_include_pad: int(1),
  });
  const back = c.b.node("Reshape", [avg, c.b.int64s([0, ...c.inShapes[0]!])]);
  const den = c.b.node("Pow", [c.b.node("Add", [c.b.node("Mul", [back, c.b.scalar(alpha)]), c.b.scalar(k)]), c.b.scalar(beta)]);
  return c.b.node("Div", [x, den], {}, c.node.label);
};

export const batchnorm: Family = { schema: batchnormSchema, rules: batchnormRules, exec: batchnormExec, probe: {}, onnx: batchnormOnnx };
export const layernorm: Family = {
  schema: layernormSchema, rules: layernormRules, exec: layernormExec, onnx: layernormOnnx,
  // Over some spatial axes but not all, each of those axes is seen whole: its field grows with the input.
  probe: {
    sizeDependent: (node, rank) => {
      if (node.args.axes === "all") return false;
      const spatial = new Set((node.args.axes as number[]).map((a) => (a < 0 ? a + rank : a)).filter((a) => a >= 1));
      return spatial.size > 0 && spatial.size < rank - 1;
    },
  },
};
export const lrn: Family = { schema: lrnSchema, rules: lrnRules, exec: lrnExec, probe: {}, onnx: lrnOnnx };
