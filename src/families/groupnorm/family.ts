/**
 * Group normalisation (Wu & He 2018; PyTorch's GroupNorm) and instance normalisation
 * (Ulyanov et al. 2016; PyTorch's InstanceNorm without running statistics): each sample
 * normalised over runs of channels and every position, γ and β per channel.
 */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { float, floats, paramOr, type EmitCtx, type Emitter } from "../../onnx/emit.js";
import { flag, num } from "../args.js";
import type { ExecOp, ParamSpec } from "../exec.js";
import { wholeTensorField } from "../rf.js";
import type { LayerSchema } from "../schema.js";
import { elementwiseCost, showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
import { sourceName } from "../window.js";
import { groupnormBackward, groupnormForward, groupnormProbeBackward, type GroupnormArgs } from "./kernel.js";

export const groupnormSchema: LayerSchema = {
  family: "groupnorm",
  summary: "group normalisation: each sample over runs of C/groups channels and every position",
  kinds: { groupnorm: { kind: "groupnorm" } },
  args: [
    { name: "groups", type: { t: "int", min: 1 } },
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5, usualBelow: 1 },
    { name: "affine", type: { t: "bool" }, default: true },
  ],
};

export const instancenormSchema: LayerSchema = {
  family: "instancenorm",
  summary: "instance normalisation: each sample and channel over every position",
  kinds: { instancenorm: { kind: "instancenorm" } },
  args: [
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5, usualBelow: 1 },
    { name: "affine", type: { t: "bool" }, default: false },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Both: γ, β per channel (if affine); mean 1, variance 3, normalise 2, affine 2 FLOPs per element. */
const perChannelAffine: Pick<LayerRules, "params" | "cost" | "rf"> = {
  params(ctx) {
    return { trainable: ctx.node.args.affine === true ? 2n * BigInt(ctx.inputs[0]!.shape[0]!) : 0n, nonTrainable: 0n };
  },
  cost: (ctx, out) => elementwiseCost(out, ctx.node.args.affine === true ? 8 : 6),
  /** The statistics span every position: each output depends on the whole sample. */
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
};

/** Same shape; C must divide by groups. */
export const groupnormRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape;
    const groups = ctx.node.args.groups as number;
    if (x[0]! % groups !== 0) {
      ctx.diags.push(diag(messages.groupsMismatch, ctx.node.span, { layer: ctx.node.label, what: "input channels", channels: x[0]!, groups }, {
        hint: `groups must divide the ${x[0]} channels of ${showShape(x)} (from ${sourceName(ctx.inputs[0]!.node)})`,
      }));
      return undefined;
    }
    return [...x];
  },
  ...perChannelAffine,
};

/** Same shape; the input needs a spatial axis (statistics over one element would be 0/0). */
export const instancenormRules: LayerRules = {
  shape(ctx: LayerContext) {
    const x = ctx.inputs[0]!;
    if (x.shape.length < 2) {
      ctx.diags.push(diag(messages.rankMismatch, ctx.node.span, {
        layer: ctx.node.label, op: ctx.node.op, expected: "an input with at least one axis after channels", shape: showShape(x.shape), source: sourceName(x.node),
      }, { hint: "instance norm normalizes each channel over its positions; on [C] use batchnorm or layernorm" }));
      return undefined;
    }
    return [...x.shape];
  },
  ...perChannelAffine,
};

// ── execution ─────────────────────────────────────────────────────────────────

/** γ and β of shape [C] (PyTorch's weight and bias), when affine. */
function perChannelParams(node: LayerNode, x: readonly number[]): Record<string, ParamSpec> {
  if (!flag(node, "affine")) return {};
  const c = [x[1]!];
  return { weight: { shape: c, init: "gamma", trainable: true }, bias: { shape: c, init: "beta", trainable: true } };
}

function normExec(args: (node: LayerNode, channels: number) => GroupnormArgs): ExecOp {
  return {
    params: (node, [x]) => perChannelParams(node, x!),
    forward: (node, [x], p) => groupnormForward(x!, args(node, x!.shape[1]!), p.weight, p.bias),
    backward(node, [x], _y, dy, p, ctx) {
      const a = args(node, x!.shape[1]!);
      // Probe surrogate: positive, mixing only within each group.
      if (ctx.probe) return { dxs: [groupnormProbeBackward(x!, a, dy)] };
      const g = groupnormBackward(x!, a, p.weight, dy);
      const dparams: Record<string, Tensor> = p.weight ? { weight: g.dweight, bias: g.dbias } : {};
      return { dxs: [g.dx], dparams };
    },
  };
}

// ── ONNX ──────────────────────────────────────────────────────────────────────

/**
 * As PyTorch exports GroupNorm at opset 17: Reshape [N, groups, −1], InstanceNormalization with
 * unit scale and zero bias, Reshape back, then γ and β per channel (Mul, Add) when affine.
 */
/**
 * Without `affine`, the unit scale and zero shift as `Constant` nodes, not initializers, as
 * PyTorch writes them: ONNX has no trainable flag, and an initializer reads back as a weight.
 */
const constant = (c: EmitCtx, n: number, value: number) => c.b.node("Constant", [], { value_floats: floats(new Array<number>(n).fill(value)) });

function groupnormOnnx(groupsOf: (node: LayerNode, channels: number) => number): Emitter {
  return (c) => {
    const shape = c.inShapes[0]!, ch = shape[0]!, groups = groupsOf(c.node, ch);
    const perChannel = [ch, ...shape.slice(1).map(() => 1)];
    const eps = { epsilon: float(num(c.node, "eps")) };
    if (groups === ch && shape.length >= 2) {
      const inputs = flag(c.node, "affine") ? [paramOr(c, "weight", [ch], 1), paramOr(c, "bias", [ch], 0)] : [constant(c, ch, 1), constant(c, ch, 0)];
      return c.b.node("InstanceNormalization", [c.ins[0]!, ...inputs], eps, c.node.label);
    }
    const grouped = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, groups, -1])]);
    const ones = c.b.floats(`${c.node.label}.unit_scale`, new Float32Array(groups).fill(1), [groups]);
    const zeros = c.b.floats(`${c.node.label}.zero_shift`, new Float32Array(groups), [groups]);
    const normed = c.b.node("InstanceNormalization", [grouped, ones, zeros], eps);
    const back = c.b.node("Reshape", [normed, c.b.int64s([0, ...shape])]);
    if (!flag(c.node, "affine")) return c.b.node("Identity", [back], {}, c.node.label);
    const w = c.params!.weight!, bias = c.params!.bias!;
    const scaled = c.b.node("Mul", [back, c.b.floats(`${c.node.label}.weight`, w.data, perChannel)]);
    return c.b.node("Add", [scaled, c.b.floats(`${c.node.label}.bias`, bias.data, perChannel)], {}, c.node.label);
  };
}

const groupsArg = (node: LayerNode) => num(node, "groups");
const oneChannelEach = (_node: LayerNode, channels: number) => channels;

export const groupnorm: Family = {
  schema: groupnormSchema, rules: groupnormRules,
  exec: normExec((node) => ({ groups: groupsArg(node), eps: num(node, "eps") })),
  onnx: groupnormOnnx(groupsArg),
  // The probe runs the model one channel wide: one group keeps that valid.
  probe: { narrow: { groups: 1 } },
};

export const instancenorm: Family = {
  schema: instancenormSchema, rules: instancenormRules,
  exec: normExec((node, channels) => ({ groups: channels, eps: num(node, "eps") })),
  onnx: groupnormOnnx(oneChannelEach),
  probe: {},
};
