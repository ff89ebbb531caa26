/** Normalisation layers: batch norm, layer norm, local response norm. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { alloc, withShape } from "../../exec/kernels/util.js";
import { float, int, ints, paramOr, type Emitter } from "../../onnx/emit.js";
import { flag, num } from "../args.js";
import type { ExecOp, ParamSpec } from "../exec.js";
import { dict } from "../../util/dict.js";
import type { LayerSchema } from "../schema.js";
import { batchnormBackward, batchnormForward, layernormBackward, layernormForward, lrnBackward, lrnForward, type LrnArgs } from "./kernel.js";
import { wholeTensorField } from "../rf.js";
import { elementwiseCost, numel, showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
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
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5 },
    { name: "momentum", type: { t: "real", min: 0, max: 1 }, default: 0.1 },
    { name: "affine", type: { t: "bool" }, default: true },
  ],
};

export const layernormSchema: LayerSchema = {
  family: "layernorm",
  summary: "layer normalisation over all non-batch axes",
  kinds: { layernorm: { kind: "layernorm" } },
  args: [
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5 },
    { name: "affine", type: { t: "bool" }, default: true },
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

/** Layer norm over every non-batch axis: γ, β of the input's shape (if affine). */
export const layernormRules: LayerRules = {
  shape: (ctx) => ctx.inputs[0]!.shape,
  params(ctx) {
    return { trainable: ctx.node.args.affine === false ? 0n : 2n * numel(ctx.inputs[0]!.shape), nonTrainable: 0n };
  },
  /** Mean 1, variance 3 (subtract, square, add), normalise 2 (subtract, divide), affine 2 per element. */
  cost: (ctx, out) => elementwiseCost(out, ctx.node.args.affine === false ? 6 : 8),
  /** Each output depends on the mean and variance of the whole sample: a global field. */
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
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

const layernormExec: ExecOp = {
  params(node, [x]) {
    const s = x!.slice(1);
    if (!flag(node, "affine")) return {} as Record<string, ParamSpec>;
    return { weight: { shape: s, init: "gamma", trainable: true }, bias: { shape: s, init: "beta", trainable: true } };
  },
  forward: (node, [x], p) => layernormForward(x!, p.weight, p.bias, num(node, "eps")),
  backward(node, [x], _y, dy, p, ctx) {
    const g = layernormBackward(x!, p.weight, num(node, "eps"), dy);
    const dparams = affineGrads(p.weight !== undefined, g);
    if (!ctx.probe) return { dxs: [g.dx], dparams };
    // Probe surrogate: every output depends on every input of its sample (the mean and
    // variance), so spread the summed gradient to all of them, positively.
    const N = x!.shape[0]!, M = x!.data.length / N, dx = alloc(x!.data, x!.data.length);
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += dy.data[n * M + i]!;
      for (let i = 0; i < M; i++) dx[n * M + i] = dy.data[n * M + i]! + s / M;
    }
    return { dxs: [{ shape: [...x!.shape], data: dx }], dparams };
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

const layernormOnnx: Emitter = (c) => {
  const shape = c.inShapes[0]!;
  const inputs = [c.ins[0]!, paramOr(c, "weight", shape, 1), paramOr(c, "bias", shape, 0)];
  return c.b.node("LayerNormalization", inputs, { axis: int(1), epsilon: float(num(c.node, "eps")) }, c.node.label);
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
export const layernorm: Family = { schema: layernormSchema, rules: layernormRules, exec: layernormExec, probe: {}, onnx: layernormOnnx };
export const lrn: Family = { schema: lrnSchema, rules: lrnRules, exec: lrnExec, probe: {}, onnx: lrnOnnx };
