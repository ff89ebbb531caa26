/** Merges of several tensors: concatenation and broadcasting element-wise add and multiply. */
import type { ReceptiveField } from "../field.js";
import type { LayerNode } from "../../graph/ir.js";
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { mergeFields } from "../rf.js";
import type { LayerSchema } from "../schema.js";
import { elementwiseCost, showShape, type LayerContext, type Family, type LayerRules } from "../types.js";
import { sourceName } from "../window.js";
import { alignRank, int, type Emitter } from "../../onnx/emit.js";
import { onnxAxis } from "../activation/family.js";
import { num } from "../args.js";
import { fullAxis, type ExecOp } from "../exec.js";
import { concatBackward, concatForward, elementwiseBackward, elementwiseForward } from "./kernel.js";
import { maxOf } from "../../util/array.js";

export const concatSchema: LayerSchema = {
  family: "concat",
  summary: "concatenate along an axis (default: channels)",
  kinds: { concat: { kind: "concat" } },
  merge: true,
  args: [{ name: "axis", type: { t: "axis" }, default: 0, namedOnly: true }],
};

export const elementwiseSchema: LayerSchema = {
  family: "elementwise",
  summary: "element-wise sum or product, broadcasting like NumPy",
  kinds: { add: { kind: "add" }, mul: { kind: "mul" } },
  merge: true,
  // Extension beyond 1.1: one number among the operands (`mul(y, 0.2)`) lands here.
  args: [{ name: "constant", type: { t: "real" }, default: null, namedOnly: true, doc: "a number among the operands: mul(y, 0.2) scales, add(y, 1) offsets" }],
};

/** The numeric operand, if any. */
const constantOf = (node: LayerNode): number | undefined => (typeof node.args.constant === "number" ? node.args.constant : undefined);

// ── analysis rules ────────────────────────────────────────────────────────────

/** A mismatch error naming every operand's shape and the layer that made it. */
function mismatch(ctx: LayerContext, reason: string): undefined {
  const shapes = ctx.inputs.map((x) => `${showShape(x.shape)} (${sourceName(x.node)})`).join(" and ");
  ctx.diags.push(diag(messages.mergeMismatch, ctx.node.span, { layer: ctx.node.label, op: ctx.node.op, shapes, reason }, {
    related: ctx.inputs.map((x, i) => ({ span: x.node.span, message: `operand ${i + 1}: ${showShape(x.shape)}, made by ${sourceName(x.node)}` })),
  }));
  return undefined;
}

/**
 * The largest field over the operands, with a warning when they are not aligned (Araujo et al.);
 * `union`: a position depends on every operand (element-wise, or a concat along channels).
 */
function mergeRF(ctx: LayerContext, union = true): ReceptiveField {
  const { rf, misaligned } = mergeFields(ctx.inputs.map((x) => x.rf), union);
  if (misaligned) {
    ctx.diags.push(diag(messages.rfMisaligned, ctx.node.span, { layer: ctx.node.label, details: misaligned }, {
      hint: "the paths sample the input on different grids; check their strides and padding",
    }));
  }
  return rf;
}

/** Concat rules: operands agree on every axis but `axis`, whose sizes add up. */
export const concatRules: LayerRules = {
  shape(ctx) {
    const first = ctx.inputs[0]!.shape;
    const rank = first.length;
    const written = ctx.node.args.axis as number;
    const axis = written < 0 ? written + rank : written;
    if (axis < 0 || axis >= rank) {
      ctx.diags.push(diag(messages.badAxis, ctx.node.span, { layer: ctx.node.label, axis: written, rank, shape: showShape(first) }));
      return undefined;
    }
    if (ctx.inputs.some((x) => x.shape.length !== rank)) return mismatch(ctx, "their ranks differ");
    for (let a = 0; a < rank; a++) {
      if (a !== axis && ctx.inputs.some((x) => x.shape[a] !== first[a])) return mismatch(ctx, `they differ on axis ${a}, not only on the concat axis ${axis}`);
    }
    return first.map((d, a) => (a === axis ? ctx.inputs.reduce((s, x) => s + x.shape[a]!, 0) : d));
  },
  /** Along channels a position holds every operand; along a spatial axis, only one of them. */
  rf: (ctx) => {
    const written = ctx.node.args.axis as number;
    const axis = written < 0 ? written + ctx.inputs[0]!.shape.length : written;
    return mergeRF(ctx, axis === 0);
  },
};

/** NumPy broadcasting: align trailing axes; each pair of sizes is equal or one of them is 1. */
export function broadcast(shapes: readonly (readonly number[])[]): number[] | string {
  const rank = maxOf(shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 1; i <= rank; i++) {
    const sizes = shapes.map((s) => s[s.length - i] ?? 1);
    const big = sizes.filter((d) => d !== 1);
    if (new Set(big).size > 1) return `axis ${rank - i} has sizes ${sizes.join(" vs ")}, which neither match nor broadcast`;
    out.unshift(big[0] ?? 1);
  }
  return out;
}

/** add / mul rules: the broadcast shape; (operands − 1) operations per output element, a number counted as an operand. */
export const elementwiseRules: LayerRules = {
  shape(ctx) {
    const r = broadcast(ctx.inputs.map((x) => x.shape));
    return typeof r === "string" ? mismatch(ctx, r) : r;
  },
  cost: (ctx, out) => elementwiseCost(out, ctx.inputs.length - 1 + (constantOf(ctx.node) === undefined ? 0 : 1)),
  rf: (ctx) => mergeRF(ctx),
};

// ── execution ─────────────────────────────────────────────────────────────────

const concatExec: ExecOp = {
  forward: (node, xs) => concatForward(xs, fullAxis(num(node, "axis"), xs[0]!.shape.length)),
  backward: (node, xs, _y, dy) => ({ dxs: concatBackward(xs, fullAxis(num(node, "axis"), xs[0]!.shape.length), dy) }),
};

/** The family's product kind (`mul`); the other (`add`) sums. */
const product = (kind: string) => kind === "mul";

const elementwiseExec: ExecOp = {
  forward: (node, xs) => elementwiseForward(xs, product(node.kind) ? "mul" : "add", constantOf(node)),
  // Probe: a product sends dy to every factor as a sum does. Scaling it by the other factors
  // (or a number) could only hide paths: where a factor is zero (a layer norm's output can be)
  // or shrinks until it underflows (a chain of gates squares the values at the border layer after layer).
  backward: (node, xs, _y, dy, _p, ctx) => ({ dxs: elementwiseBackward(xs, product(node.kind) && !ctx.probe ? "mul" : "add", dy, constantOf(node)) }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const elementwiseOnnx: Emitter = (c) => {
  let rank = 0;
  for (const s of c.inShapes) rank = Math.max(rank, s.length);
  const aligned = c.ins.map((x, i) => alignRank(c.b, x, c.inShapes[i]!.length, rank));
  const op = product(c.node.kind) ? "Mul" : "Add";
  // A number operand is one more operand: a scalar initializer, broadcast by ONNX.
  const k = constantOf(c.node);
  const operands = k === undefined ? aligned : [...aligned, c.b.scalar(k)];
  let acc = operands[0]!;
  for (let i = 1; i < operands.length; i++) acc = c.b.node(op, [acc, operands[i]!], {}, i === operands.length - 1 ? c.node.label : undefined);
  return operands.length === 1 ? c.b.node("Identity", [acc], {}, c.node.label) : acc;
};

export const concat: Family = {
  schema: concatSchema, rules: concatRules, exec: concatExec,
  // Along channels (axis 0 as written; a negative axis is left as it is), a position of the
  // one-channel copy sums its operands instead of stacking them.
  probe: { summed: (node) => (node.args.axis === 0 ? { kind: "add", family: "elementwise", args: {} } : undefined) },
  onnx: (c) => c.b.node("Concat", [...c.ins], { axis: int(onnxAxis(num(c.node, "axis"))) }, c.node.label),
};

export const elementwise: Family = { schema: elementwiseSchema, rules: elementwiseRules, exec: elementwiseExec, probe: {}, onnx: elementwiseOnnx };
