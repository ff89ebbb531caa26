/** Element-wise activations, softmax, dropout and identity: shape-preserving, parameter-free. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerSchema } from "./schema.js";
import { elementwiseCost, showShape, type LayerContext, type LayerRules } from "./types.js";

function plain(...names: string[]) {
  return Object.fromEntries(names.map((n) => [n, { kind: n }]));
}

export const activationSchema: LayerSchema = {
  family: "activation",
  summary: "element-wise activation",
  kinds: plain("relu", "sigmoid", "hardsigmoid", "tanh", "silu", "relu6", "hardswish", "gelu"),
  args: [],
};

export const leakyReluSchema: LayerSchema = {
  family: "leaky_relu",
  summary: "leaky ReLU: x for x > 0, slope·x otherwise",
  kinds: plain("leaky_relu"),
  args: [{ name: "slope", type: { t: "real" }, default: 0.01 }],
};

export const eluSchema: LayerSchema = {
  family: "elu",
  summary: "ELU: x for x > 0, alpha·(e^x − 1) otherwise",
  kinds: plain("elu"),
  args: [{ name: "alpha", type: { t: "real" }, default: 1 }],
};

export const softmaxSchema: LayerSchema = {
  family: "softmax",
  summary: "softmax along an axis (default: channels)",
  kinds: plain("softmax"),
  args: [{ name: "axis", type: { t: "axis" }, default: 0 }],
};

export const dropoutSchema: LayerSchema = {
  family: "dropout",
  summary: "dropout (identity at inference)",
  kinds: plain("dropout"),
  args: [{ name: "p", type: { t: "real", min: 0, max: 1 }, default: 0.5 }],
};

export const identitySchema: LayerSchema = {
  family: "identity",
  summary: "identity",
  kinds: plain("identity"),
  args: [],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/**
 * FLOPs per element, counting each elementary function (exp, tanh, erf) as one operation:
 * relu max(0,x); relu6 max, min; sigmoid negate, exp, add, divide; hardsigmoid multiply, add,
 * max, min; silu and hardswish their gate + one multiply; gelu x/√2, erf, add, two multiplies.
 */
export const ACTIVATION_FLOPS: Readonly<Record<string, number>> = {
  relu: 1, relu6: 2, sigmoid: 4, hardsigmoid: 4, tanh: 1, silu: 5, hardswish: 5, gelu: 5,
};

const sameShape = (ctx: LayerContext) => ctx.inputs[0]!.shape;

/** Element-wise activations: shape kept, ACTIVATION_FLOPS per element. */
export const activationRules: LayerRules = {
  shape: sameShape,
  cost: (ctx, out) => elementwiseCost(out, ACTIVATION_FLOPS[ctx.node.kind] ?? 1),
};

/** Leaky ReLU: compare, multiply (2 per element). */
export const leakyReluRules: LayerRules = { shape: sameShape, cost: (_c, out) => elementwiseCost(out, 2) };

/** ELU: compare, exp, subtract, multiply (4 per element). */
export const eluRules: LayerRules = { shape: sameShape, cost: (_c, out) => elementwiseCost(out, 4) };

/** Softmax: max compare, subtract, exp, sum, divide (5 per element). */
export const softmaxRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape;
    const axis = ctx.node.args.axis as number;
    if (axis >= x.length || axis < -x.length) {
      ctx.diags.push(diag(messages.badAxis, ctx.node.span, { layer: ctx.node.label, axis, rank: x.length, shape: showShape(x) }));
      return undefined;
    }
    return x;
  },
  cost: (_c, out) => elementwiseCost(out, 5),
  /** Along a spatial axis every output depends on the whole of that axis (per-axis global). */
  rf(ctx, out) {
    const rf = ctx.inputs[0]!.rf;
    const raw = ctx.node.args.axis as number;
    const axis = raw < 0 ? raw + out.length : raw;
    const a = axis - 1; // spatial index (axis 0 is channels)
    if (a < 0 || a >= rf.size.length || rf.whole) return rf;
    const n = ctx.extent[a]!;
    return {
      ...rf,
      size: rf.size.map((v, i) => (i === a ? n : v)),
      start: rf.start.map((v, i) => (i === a ? (n - 1) / 2 : v)),
    };
  },
};

/** Dropout is the identity at inference: no FLOPs counted. */
export const dropoutRules: LayerRules = { shape: sameShape };

/** Identity. */
export const identityRules: LayerRules = { shape: sameShape };
