/** Indexing along one axis: `slice` (Python's start:end:step) and `select` (one position, the axis removed). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { int, type Emitter } from "../../onnx/emit.js";
import { num } from "../args.js";
import { fullAxis, type ExecOp } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import { showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
import { keptField, notSpatialField } from "../view_fields.js";
import { selectBackward, selectForward, sliceBackward, sliceForward, splitPart } from "./kernel.js";

/** Any integer: slice bounds and indices may count from the end. */
const ANY_INT = { t: "int", min: -Number.MAX_SAFE_INTEGER } as const;

export const sliceSchema: LayerSchema = {
  family: "slice",
  summary: "keep start:end:step along one axis (Python's slice semantics; default: channels)",
  kinds: { slice: { kind: "slice" } },
  args: [
    { name: "start", type: ANY_INT },
    { name: "end", type: ANY_INT },
    { name: "step", type: { t: "int", min: 1 }, default: 1 },
    { name: "axis", type: { t: "axis" }, default: 0 },
  ],
};

export const selectSchema: LayerSchema = {
  family: "select",
  summary: "keep one position along an axis, removing the axis (default: channels)",
  kinds: { select: { kind: "select" } },
  args: [
    { name: "index", type: ANY_INT },
    { name: "axis", type: { t: "axis" }, default: 0 },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** The written axis as an index into the shape (0 = channels), or undefined after a CS3011. */
export function axisOf(ctx: LayerContext): number | undefined {
  const x = ctx.inputs[0]!.shape, written = ctx.node.args.axis as number;
  const axis = written < 0 ? written + x.length : written;
  if (axis >= 0 && axis < x.length) return axis;
  ctx.diags.push(diag(messages.badAxis, ctx.node.span, { layer: ctx.node.label, axis: written, rank: x.length, shape: showShape(x) }));
  return undefined;
}

/**
 * Python's `range(n)[start:end:step]`: a negative bound has n added, then both are clamped to
 * [0, n]; the indices are first, first + step, ... below the end.
 */
function kept(n: number, start: number, end: number, step: number): { first: number; count: number } {
  const bound = (v: number) => (v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  const first = bound(start), stop = bound(end);
  return { first, count: stop > first ? Math.floor((stop - first - 1) / step) + 1 : 0 };
}

/** What a slice keeps along its axis, or undefined after a diagnostic (an empty slice). */
function sliceOf(ctx: LayerContext): { axis: number; first: number; count: number; step: number } | undefined {
  const axis = axisOf(ctx);
  if (axis === undefined) return undefined;
  const x = ctx.inputs[0]!.shape, n = x[axis]!;
  const [start, end, step] = ["start", "end", "step"].map((k) => ctx.node.args[k] as number) as [number, number, number];
  const k = kept(n, start, end, step);
  if (k.count > 0) return { axis, step, ...k };
  ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
    layer: ctx.node.label, reason: `[${start}:${end}${step === 1 ? "" : `:${step}`}] of the ${n} ${axis === 0 ? "channels" : `positions along axis ${axis}`} of ${showShape(x)} is empty`,
  }, { hint: `indices run from 0 to ${n - 1} (or -${n} to -1 from the end), and end is exclusive` }));
  return undefined;
}

/** Slice: the axis keeps ⌈(end − start)/step⌉ positions; a spatial slice keeps every step-th unit from start. */
export const sliceRules: LayerRules = {
  shape(ctx) {
    const s = sliceOf(ctx);
    return s && ctx.inputs[0]!.shape.map((d, a) => (a === s.axis ? s.count : d));
  },
  rf(ctx) {
    const s = sliceOf({ ...ctx, diags: [] })!, rf = ctx.inputs[0]!.rf;
    return s.axis === 0 ? rf : keptField(rf, [{ axis: s.axis - 1, first: s.first, step: s.step, count: s.count }]);
  },
};

/**
 * Select: the axis disappears, so the axes after it move down (selecting a channel of [C, H, W]
 * makes H the channels): the field is no longer spatial either way.
 */
export const selectRules: LayerRules = {
  shape(ctx) {
    const axis = axisOf(ctx);
    if (axis === undefined) return undefined;
    const x = ctx.inputs[0]!.shape, n = x[axis]!, index = ctx.node.args.index as number;
    if (index >= n || index < -n) {
      ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `index ${index} is outside axis ${axis} of ${showShape(x)}, which has ${n} positions` }, { hint: `use 0 to ${n - 1}, or -${n} to -1 from the end` }));
      return undefined;
    }
    if (x.length === 1) {
      ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `selecting from ${showShape(x)} would leave no axis` }, { hint: "slice(i, i + 1) keeps the axis" }));
      return undefined;
    }
    return x.filter((_, a) => a !== axis);
  },
  rf: (ctx) => notSpatialField(ctx.inputs[0]!.rf, `${ctx.node.label}: it removes an axis (select)`),
};

// ── execution ─────────────────────────────────────────────────────────────────

const sliceArgs = (node: LayerNode, rank: number) =>
  [fullAxis(num(node, "axis"), rank), num(node, "start"), num(node, "end"), num(node, "step")] as const;

const sliceExec: ExecOp = {
  forward: (node, [x]) => {
    const [axis, start, end, step] = sliceArgs(node, x!.shape.length);
    return sliceForward(x!, axis, start, end, step);
  },
  backward: (node, [x], _y, dy) => {
    const [axis, start, end, step] = sliceArgs(node, x!.shape.length);
    return { dxs: [sliceBackward(x!, axis, start, end, step, dy)] };
  },
};

const selectExec: ExecOp = {
  forward: (node, [x]) => selectForward(x!, fullAxis(num(node, "axis"), x!.shape.length), num(node, "index")),
  backward: (node, [x], _y, dy) => ({ dxs: [selectBackward(x!, fullAxis(num(node, "axis"), x!.shape.length), num(node, "index"), dy)] }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** The ONNX axis (batch first) of a written axis of a rank-`rank` tensor. */
function onnxAxisOf(node: LayerNode, rank: number): number {
  const a = num(node, "axis");
  return (a < 0 ? a + rank : a) + 1;
}

/** Slice with the written bounds (ONNX clamps them as Python does). */
const sliceOnnx: Emitter = (c) => {
  const axis = onnxAxisOf(c.node, c.inShapes[0]!.length);
  const [start, end, step] = [num(c.node, "start"), num(c.node, "end"), num(c.node, "step")];
  return c.b.node("Slice", [c.ins[0]!, c.b.int64s([start]), c.b.int64s([end]), c.b.int64s([axis]), c.b.int64s([step])], {}, c.node.label);
};

/** Gather of the one index (the axis kept at size 1), then a reshape that removes the axis. */
const selectOnnx: Emitter = (c) => {
  const axis = onnxAxisOf(c.node, c.inShapes[0]!.length);
  const one = c.b.node("Gather", [c.ins[0]!, c.b.int64s([num(c.node, "index")])], { axis: int(axis) });
  return c.b.node("Reshape", [one, c.b.int64s([0, ...c.outShape])], {}, c.node.label);
};

/** Is the written axis the channel axis of a rank-`rank` tensor? */
const onChannels = (node: LayerNode, rank: number) => {
  const a = num(node, "axis");
  return (a < 0 ? a + rank : a) === 0;
};

export const slice: Family = {
  schema: sliceSchema, rules: sliceRules, exec: sliceExec, onnx: sliceOnnx,
  // A slice of channels needs the channels it names: the probe keeps them all. Fixed bounds
  // along a spatial axis do not grow with the probe's enlarged input: measured at the model's size.
  probe: { wide: onChannels, sizeDependent: (node, rank) => !onChannels(node, rank) },
};

export const select: Family = {
  schema: selectSchema, rules: selectRules, exec: selectExec, onnx: selectOnnx,
  // Of channels, the probe keeps them all.
  probe: { wide: onChannels },
};

// ── split ─────────────────────────────────────────────────────────────────────

export const splitSchema: LayerSchema = {
  family: "split",
  summary: "a, b = x -> split(2) or split([24, 40]): equal parts or the given sizes along an axis (default: channels)",
  kinds: { split: { kind: "split" } },
  args: [
    { name: "sections", type: { t: "ints", min: 1 } },
    { name: "axis", type: { t: "axis" }, default: 0 },
  ],
  parts: true,
};

/** The sizes of the parts, or undefined after a diagnostic (a split that does not divide the axis). */
function partSizes(ctx: LayerContext, axis: number): number[] | undefined {
  const x = ctx.inputs[0]!.shape, n = x[axis]!, sections = ctx.node.args.sections as number | number[];
  const what = `${n} ${axis === 0 ? "channels" : `positions along axis ${axis}`} of ${showShape(x)}`;
  if (typeof sections === "number") {
    if (n % sections === 0) return new Array<number>(sections).fill(n / sections);
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `the ${what} do not split into ${sections} equal parts` }, {
      hint: `${sections} must divide ${n}, or give the sizes: split([${Array.from({ length: sections }, (_, i) => Math.floor(n / sections) + (i < n % sections ? 1 : 0)).join(", ")}])`,
    }));
    return undefined;
  }
  const total = sections.reduce((a, b) => a + b, 0);
  if (total === n) return sections;
  ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `sizes [${sections.join(", ")}] add up to ${total}, not to the ${what}` }, { hint: `give sizes that add up to ${n}` }));
  return undefined;
}

/** This node's part: its first index and length along the axis. The first part reports for all. */
function partOf(ctx: LayerContext): { axis: number; first: number; count: number } | undefined {
  const quiet = ctx.node.args.part === 0 ? ctx : { ...ctx, diags: [] };
  const axis = axisOf(quiet);
  const sizes = axis === undefined ? undefined : partSizes(quiet, axis);
  if (!sizes) return undefined;
  const part = ctx.node.args.part as number;
  return { axis: axis!, first: sizes.slice(0, part).reduce((a, b) => a + b, 0), count: sizes[part]! };
}

/** Split: part p of the axis; along a spatial axis the field keeps the part's units. */
export const splitRules: LayerRules = {
  shape(ctx) {
    const p = partOf(ctx);
    return p && ctx.inputs[0]!.shape.map((d, a) => (a === p.axis ? p.count : d));
  },
  rf(ctx) {
    const p = partOf({ ...ctx, diags: [] })!, rf = ctx.inputs[0]!.rf;
    return p.axis === 0 ? rf : keptField(rf, [{ axis: p.axis - 1, first: p.first, step: 1, count: p.count }]);
  },
};

/** The kernel's slice of this part, from the actual input's size. */
function splitSlice(node: LayerNode, x: Tensor): [number, number, number, number] {
  const axis = fullAxis(num(node, "axis"), x.shape.length);
  const { first, count } = splitPart(x.shape[axis]!, node.args.sections as number | number[], num(node, "part"));
  return [axis, first, first + count, 1];
}

const splitExec: ExecOp = {
  forward: (node, [x]) => {
    const [axis, start, end, step] = splitSlice(node, x!);
    return sliceForward(x!, axis, start, end, step);
  },
  backward: (node, [x], _y, dy) => {
    const [axis, start, end, step] = splitSlice(node, x!);
    return { dxs: [sliceBackward(x!, axis, start, end, step, dy)] };
  },
};

/** One Slice per part, with its bounds from the input's shape. */
const splitOnnx: Emitter = (c) => {
  const rank = c.inShapes[0]!.length, axis = onnxAxisOf(c.node, rank);
  const n = c.inShapes[0]![axis - 1]!;
  const { first, count } = splitPart(n, c.node.args.sections as number | number[], num(c.node, "part"));
  return c.b.node("Slice", [c.ins[0]!, c.b.int64s([first]), c.b.int64s([first + count]), c.b.int64s([axis])], {}, c.node.label);
};

export const split: Family = {
  schema: splitSchema, rules: splitRules, exec: splitExec, onnx: splitOnnx,
  // Of channels, the probe keeps them all; given sizes along a spatial axis do not grow with
  // the probe's enlarged input, so such a part is measured at the model's own size.
  probe: { wide: onChannels, sizeDependent: (node, rank) => !onChannels(node, rank) && Array.isArray(node.args.sections) },
};
