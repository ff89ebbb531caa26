/** Element-wise activations, softmax, dropout and identity: shape-preserving, parameter-free. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { ExecError, alloc, prod, withShape } from "../../exec/kernels/util.js";
import { float, int, type EmitCtx, type Emitter } from "../../onnx/emit.js";
import { num } from "../args.js";
import { wholeAlongAxes } from "../rf.js";
import { copyExec, fullAxis, type ExecOp } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import { activationBackward, activationForward, activations, softmaxBackward, softmaxForward } from "./kernel.js";
import { elementwiseCost, showShape, type Family, type LayerContext, type LayerRules } from "../types.js";

function plain(...names: string[]) {
  return Object.fromEntries(names.map((n) => [n, { kind: n }]));
}

export const activationSchema: LayerSchema = {
  family: "activation",
  summary: "element-wise activation",
  // mish, softplus and swish (silu's other name) are extensions beyond 1.1.
  kinds: { ...plain("relu", "sigmoid", "hardsigmoid", "tanh", "silu", "relu6", "hardswish", "gelu", "mish", "softplus"), swish: { kind: "silu" } },
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
 * max, min; silu and hardswish their gate + one multiply; gelu x/√2, erf, add, two multiplies;
 * softplus exp, add, log; mish softplus's 3, tanh, multiply.
 */
export const ACTIVATION_FLOPS: Readonly<Record<string, number>> = {
  relu: 1, relu6: 2, sigmoid: 4, hardsigmoid: 4, tanh: 1, silu: 5, hardswish: 5, gelu: 5, softplus: 3, mish: 5,
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
    if (a < 0 || a >= rf.size.length) return rf;
    return wholeAlongAxes(ctx.inputs[0]!, ctx.extent, [a]);
  },
};

/** Dropout is the identity at inference: no FLOPs counted. */
export const dropoutRules: LayerRules = { shape: sameShape };

/** Identity. */
export const identityRules: LayerRules = { shape: sameShape };

// ── execution ─────────────────────────────────────────────────────────────────

/** An element-wise activation family; `arg` names its one hyper-parameter, if any. */
function activationExec(arg?: string): ExecOp {
  const a = (node: LayerNode) => (arg ? num(node, arg) : 0);
  const act = (node: LayerNode) => {
    const f = activations[node.kind];
    if (!f) throw new ExecError(`no kernel for activation ${node.kind}`);
    return f;
  };
  return {
    forward: (node, [x], _p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : activationForward(x!, act(node), a(node))),
    backward: (node, [x], _y, dy, _p, ctx) => ({ dxs: [activationBackward(x!, act(node), a(node), dy, ctx.probe)] }),
  };
}

const softmaxAxis = (node: LayerNode, x: Tensor) => fullAxis(num(node, "axis"), x.shape.length);

const softmaxExec: ExecOp = {
  forward: (node, [x], _p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : softmaxForward(x!, softmaxAxis(node, x!))),
  backward(node, [x], y, dy, _p, ctx) {
    const axis = softmaxAxis(node, x!);
    if (!ctx.probe) return { dxs: [softmaxBackward(y, axis, dy)] };
    // Probe surrogate: each output depends on the whole axis; spread the sum along it, positively.
    return { dxs: [mixAlong(dy, axis)] };
  },
};

/** dy plus the mean of dy along `axis`: a positive surrogate for a layer that mixes along it. */
function mixAlong(dy: Tensor, axis: number): Tensor {
  const outer = prod(dy.shape.slice(0, axis)), n = dy.shape[axis]!, inner = prod(dy.shape.slice(axis + 1));
  const dx = alloc(dy.data, dy.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += dy.data[(o * n + k) * inner + i]!;
    for (let k = 0; k < n; k++) dx[(o * n + k) * inner + i] = dy.data[(o * n + k) * inner + i]! + s / n;
  }
  return { shape: [...dy.shape], data: dx };
}

// ── ONNX ──────────────────────────────────────────────────────────────────────

function unary(op: string, attrs: Parameters<EmitCtx["b"]["node"]>[2] = {}): Emitter {
  return (c) => c.b.node(op, [c.ins[0]!], attrs, c.node.label);
}

/** Element-wise activations by kind (PyTorch's definitions). */
const activationsOnnx: Readonly<Record<string, Emitter>> = {
  relu: unary("Relu"),
  sigmoid: unary("Sigmoid"),
  tanh: unary("Tanh"),
  hardsigmoid: unary("HardSigmoid", { alpha: float(1 / 6), beta: float(0.5) }),
  hardswish: unary("HardSwish"),
  relu6: (c) => c.b.node("Clip", [c.ins[0]!, c.b.scalar(0), c.b.scalar(6)], {}, c.node.label),
  silu: (c) => c.b.node("Mul", [c.ins[0]!, c.b.node("Sigmoid", [c.ins[0]!])], {}, c.node.label),
  softplus: unary("Softplus"),
  // mish: x·tanh(softplus(x)); the Mish op itself arrives only in opset 18.
  mish: (c) => c.b.node("Mul", [c.ins[0]!, c.b.node("Tanh", [c.b.node("Softplus", [c.ins[0]!])])], {}, c.node.label),
  // gelu (exact): 0.5·x·(1 + erf(x/√2)); the Gelu op itself arrives only in opset 20.
  gelu: (c) => {
    const x = c.ins[0]!;
    const e = c.b.node("Erf", [c.b.node("Mul", [x, c.b.scalar(Math.SQRT1_2)])]);
    const half = c.b.node("Mul", [x, c.b.scalar(0.5)]);
    return c.b.node("Mul", [half, c.b.node("Add", [e, c.b.scalar(1)])], {}, c.node.label);
  },
};

const activationOnnx: Emitter = (c) => {
  const e = Object.hasOwn(activationsOnnx, c.node.kind) ? activationsOnnx[c.node.kind] : undefined;
  return e ? e(c) : { refuse: `activation ${c.node.kind} has no ONNX mapping` };
};

/** A node axis (batch not counted, negative from the end) as an ONNX axis. */
export function onnxAxis(axis: number): number {
  return axis < 0 ? axis : axis + 1;
}

const same = (_n: LayerNode, x: Tensor) => [...x.shape];

export const activation: Family = { schema: activationSchema, rules: activationRules, exec: activationExec(), probe: {}, onnx: activationOnnx };

export const leakyRelu: Family = {
  schema: leakyReluSchema, rules: leakyReluRules, exec: activationExec("slope"), probe: {},
  onnx: (c) => c.b.node("LeakyRelu", [c.ins[0]!], { alpha: float(num(c.node, "slope")) }, c.node.label),
};

export const elu: Family = {
  schema: eluSchema, rules: eluRules, exec: activationExec("alpha"), probe: {},
  onnx: (c) => c.b.node("Elu", [c.ins[0]!], { alpha: float(num(c.node, "alpha")) }, c.node.label),
};

export const softmax: Family = {
  schema: softmaxSchema, rules: softmaxRules, exec: softmaxExec,
  // Along a spatial axis, its field is the whole axis, whatever the input's size.
  probe: { sizeDependent: (node, rank) => { const a = num(node, "axis"); return (a < 0 ? a + rank : a) >= 1; } },
  onnx: (c) => c.b.node("Softmax", [c.ins[0]!], { axis: int(onnxAxis(num(c.node, "axis"))) }, c.node.label),
};

export const dropout: Family = { schema: dropoutSchema, rules: dropoutRules, exec: copyExec(same), probe: {}, onnx: unary("Identity") };
export const identity: Family = { schema: identitySchema, rules: identityRules, exec: copyExec(same), probe: {}, onnx: unary("Identity") };
