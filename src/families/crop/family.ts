/** Cropping the spatial axes: `crop` (the inverse of pad) and `center_crop` (torchvision's centred window). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import type { Emitter, EmitCtx } from "../../onnx/emit.js";
import { axisValues } from "../args.js";
import type { ExecOp } from "../exec.js";
import { axisName, padPerAxis } from "../geometry.js";
import type { LayerSchema } from "../schema.js";
import { showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
import { LIKE_ARG, likeOf, likeSizes, withShapeOnlyGrads } from "../like.js";
import { keptField } from "../view_fields.js";
import { axisArg, spatialDims } from "../window.js";
import { centerCropBackward, centerCropForward, cropBackward, cropForward } from "./kernel.js";

export const cropSchema: LayerSchema = {
  family: "crop",
  summary: "remove positions from the ends of the spatial axes (the inverse of pad)",
  kinds: { crop: { kind: "crop" } },
  args: [{ name: "amount", type: { t: "padding" } }],
};

export const centerCropSchema: LayerSchema = {
  family: "center_crop",
  summary: "keep a centred window of the spatial axes (torchvision's center_crop), of a size or like another tensor",
  kinds: { center_crop: { kind: "center_crop" } },
  args: [{ name: "size", type: { t: "ints", min: 1 }, default: null }, LIKE_ARG],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** [before, after] per spatial axis, as pad reads its amounts; undefined after a diagnostic. */
function amounts(ctx: LayerContext): (readonly [number, number])[] | undefined {
  const dims = spatialDims(ctx);
  if (dims === undefined) return undefined;
  const p = padPerAxis(ctx.node.args.amount, dims);
  if (typeof p === "string") {
    ctx.diags.push(diag(messages.axisCount, ctx.node.span, { layer: ctx.node.label, name: "amount", count: p, shape: showShape(ctx.inputs[0]!.shape), dims }));
    return undefined;
  }
  if (p.some((q) => q === "same" || q === "full")) {
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: "crop takes sizes or [before, after] pairs; same and full depend on a kernel" }, { hint: "write the amount to remove, e.g. crop(2) or crop([[1, 0], [0, 1]])" }));
    return undefined;
  }
  return p.map((q) => (q === "valid" ? [0, 0] : typeof q === "number" ? [q, q] : (q as [number, number])));
}

/** A crop that leaves nothing along some axis: a coded error naming the axis and the numbers. */
function tooLarge(ctx: LayerContext, what: string, axis: number, hint: string): undefined {
  const x = ctx.inputs[0]!.shape;
  ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `${what} along ${axisName(axis, x.length - 1)} of the input ${showShape(x)}` }, { hint }));
  return undefined;
}

/** Crop: N − before − after per spatial axis (at least 1); the field's start moves by `before` units. */
export const cropRules: LayerRules = {
  shape(ctx) {
    const p = amounts(ctx);
    if (!p) return undefined;
    const [c, ...s] = ctx.inputs[0]!.shape;
    const out = s.map((n, a) => n - p[a]![0] - p[a]![1]);
    const bad = out.findIndex((n) => n < 1);
    if (bad >= 0) {
      const [b, a] = p[bad]!, n = s[bad]!;
      return tooLarge(ctx, `cropping ${b} + ${a} from ${n} leaves ${out[bad]}`, bad, `remove at most ${n - 1} in all along that axis`);
    }
    return [c!, ...out];
  },
  rf(ctx, out) {
    const p = amounts({ ...ctx, diags: [] })!;
    return keptField(ctx.inputs[0]!.rf, p.map(([b], a) => ({ axis: a, first: b, step: 1, count: out[a + 1]! })));
  },
};

/** Python's round(v / 2) for an integer v ≥ 0: torchvision's centring offset round((N − size) / 2). */
function centreOffset(v: number): number {
  if (v % 2 === 0) return v / 2;
  const down = (v - 1) / 2;
  return down % 2 === 0 ? down : down + 1;
}

/** The window sizes of a center_crop, or undefined after a diagnostic (a size larger than the input). */
function windowSizes(ctx: LayerContext): number[] | undefined {
  const dims = spatialDims(ctx);
  if (dims === undefined) return undefined;
  const like = likeSizes(ctx);
  if (like === "error") return undefined;
  if ((like === undefined) === (ctx.node.args.size === null)) {
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: like ? "center_crop takes a size or like=, not both" : "center_crop needs a size or like=" }, { hint: "center_crop([h, w]) or center_crop(like=t)" }));
    return undefined;
  }
  const size = like ?? axisArg(ctx, "size", dims);
  if (!size) return undefined;
  const s = ctx.inputs[0]!.shape.slice(1);
  const bad = size.findIndex((v, a) => v > s[a]!);
  if (bad >= 0) return tooLarge(ctx, `a window of ${size[bad]} does not fit in ${s[bad]}`, bad, `center_crop takes sizes up to the input's ${showShape(s)}; pad first to grow a tensor`);
  return size;
}

/** Center crop: the given size; the window starts at round((N − size)/2), half to even (torchvision). */
export const centerCropRules: LayerRules = {
  shape(ctx) {
    const size = windowSizes(ctx);
    return size && [ctx.inputs[0]!.shape[0]!, ...size];
  },
  rf(ctx, out) {
    const s = ctx.inputs[0]!.shape.slice(1);
    return keptField(ctx.inputs[0]!.rf, s.map((n, a) => ({ axis: a, first: centreOffset(n - out[a + 1]!), step: 1, count: out[a + 1]! })));
  },
};

// ── execution ─────────────────────────────────────────────────────────────────

/** Crop amounts per spatial axis of a node, for code after analysis. */
function cropAmounts(node: LayerNode, dims: number): [number, number][] {
  const p = padPerAxis(node.args.amount, dims);
  if (typeof p === "string") throw new Error(`${node.label}: amount (${p}) does not fit ${dims} spatial axes`);
  return p.map((q) => (typeof q === "number" ? [q, q] : Array.isArray(q) ? [q[0], q[1]] : [0, 0]));
}

const cropExec: ExecOp = {
  forward: (node, [x]) => cropForward(x!, cropAmounts(node, x!.shape.length - 2)),
  backward: (node, [x], _y, dy) => ({ dxs: [cropBackward(x!, cropAmounts(node, x!.shape.length - 2), dy)] }),
};

/** The window: the `like` tensor's spatial size, or the written size. */
const windowOf = (node: LayerNode, xs: readonly Tensor[]) => likeOf(node, xs) ?? axisValues(node, "size", xs[0]!.shape.length - 2);

const centerCropExec: ExecOp = {
  forward: (node, xs) => centerCropForward(xs[0]!, windowOf(node, xs)),
  backward: (node, xs, _y, dy) => ({ dxs: withShapeOnlyGrads(centerCropBackward(xs[0]!, windowOf(node, xs), dy), xs) }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** One Slice over every spatial axis, from `first` for the output's sizes. */
function sliceSpatial(c: EmitCtx, first: readonly number[]): string {
  const out = c.outShape.slice(1);
  const axes = out.map((_, a) => a + 2);
  return c.b.node("Slice", [c.ins[0]!, c.b.int64s(first), c.b.int64s(first.map((f, a) => f + out[a]!)), c.b.int64s(axes)], {}, c.node.label);
}

const cropOnnx: Emitter = (c) => sliceSpatial(c, cropAmounts(c.node, c.inShapes[0]!.length - 1).map(([b]) => b));

const centerCropOnnx: Emitter = (c) => sliceSpatial(c, c.inShapes[0]!.slice(1).map((n, a) => centreOffset(n - c.outShape[a + 1]!)));

export const crop: Family = { schema: cropSchema, rules: cropRules, exec: cropExec, onnx: cropOnnx, probe: {} };

export const centerCrop: Family = {
  schema: centerCropSchema, rules: centerCropRules, exec: centerCropExec, onnx: centerCropOnnx,
  // A fixed window on an enlarged probe input sits elsewhere in it: its fields are measured at the model's size.
  probe: { sizeDependent: () => true },
};
