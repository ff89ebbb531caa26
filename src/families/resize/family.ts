/** Resizing the spatial axes to a size or by a scale (PyTorch's F.interpolate, align_corners=false). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { float, int, str, type Attr, type EmitCtx, type Emitter } from "../../onnx/emit.js";
import { axisValues, word } from "../args.js";
import type { ExecOp } from "../exec.js";
import type { ReceptiveField } from "../field.js";
import type { LayerSchema } from "../schema.js";
import { elementwiseCost, NO_COST, showShape, type Cost, type Family, type LayerContext, type LayerRules, type Shape } from "../types.js";
import { LIKE_ARG, likeOf, likeSizes, withShapeOnlyGrads } from "../like.js";
import { resampleField } from "../view_fields.js";
import { axisArg, spatialDims } from "../window.js";
import { resizeBackward, resizeForward, resizeTaps, type ResizeMode } from "./kernel.js";

/** Every mode word a user may write; the linear ones interpolate linearly along each axis. */
export const RESIZE_MODES = ["nearest", "linear", "bilinear", "trilinear", "bicubic"] as const;

export const resizeSchema: LayerSchema = {
  family: "resize",
  summary: "resize the spatial axes to a size, by a scale or like another tensor (nearest, linear, bicubic)",
  kinds: { resize: { kind: "resize" } },
  args: [
    { name: "size", type: { t: "ints", min: 1 }, default: null },
    { name: "scale", type: { t: "reals", min: 0 }, default: null },
    { name: "mode", type: { t: "word", words: RESIZE_MODES }, default: "nearest" },
    LIKE_ARG,
  ],
};

/** The kernel's mode of a written mode word. */
export function modeOf(w: string): ResizeMode {
  return w === "nearest" ? "nearest" : w === "bicubic" ? "cubic" : "linear";
}

/**
 * The scale PyTorch maps coordinates with along one axis: the given factor, or out/in for a
 * given size; nearest and linear copy an axis whose size does not change, and nearest takes
 * o >> 1 for out = 2·in (UpSample.h).
 */
export function coordScale(n: number, out: number, factor: number | undefined, mode: ResizeMode): number {
  if (mode !== "cubic" && out === n) return 1;
  if (mode === "nearest" && out === 2 * n) return 2;
  return factor ?? out / n;
}

/** Inputs interpolated per output element: 1 (nearest), 2 per axis (linear), 4 per axis (cubic). */
const TAPS = { nearest: 1, linear: 2, cubic: 4 } as const;

/** Interpolation: taps^d multiplies and taps^d − 1 adds per output element; nearest copies. */
export function resampleCost(mode: ResizeMode, out: Shape): Cost {
  if (mode === "nearest") return NO_COST;
  return elementwiseCost(out, 2 * TAPS[mode] ** (out.length - 1) - 1);
}

/** The field after resampling `x` to `out` (factor per axis if one was given). */
export function resampledField(x: { shape: Shape; rf: ReceptiveField }, out: Shape, factor: readonly number[] | undefined, mode: ResizeMode): ReceptiveField {
  const n = x.shape.slice(1), o = out.slice(1);
  return resampleField(x.rf, n.map((v, a) => coordScale(v, o[a]!, factor?.[a], mode)), o, TAPS[mode]);
}

// ── analysis rules ────────────────────────────────────────────────────────────

/** ⌊n · factor⌋ per spatial axis (PyTorch's rule), or undefined after a diagnostic when one is 0. */
export function scaledShape(ctx: LayerContext, factor: readonly number[]): number[] | undefined {
  const [c, ...s] = ctx.inputs[0]!.shape;
  const out = s.map((n, a) => Math.floor(n * factor[a]!));
  const bad = out.findIndex((n) => n < 1);
  if (bad < 0) return [c!, ...out];
  ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `scale ${factor[bad]} gives ⌊${s[bad]} · ${factor[bad]}⌋ = ${out[bad]} along spatial axis ${bad + 1} of ${showShape(ctx.inputs[0]!.shape)}` }, { hint: `a scale of at least ${1 / s[bad]!} keeps one position` }));
  return undefined;
}

/** What fixes the output size: a size or a scale factor per axis; undefined after a diagnostic. */
function target(ctx: LayerContext): { size: number[] } | { factor: number[] } | undefined {
  const dims = spatialDims(ctx);
  if (dims === undefined) return undefined;
  const given = ["size", "scale", "like"].filter((k) => ctx.node.args[k] !== null);
  if (given.length !== 1) {
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: given.length === 0 ? "resize needs a size, a scale or like=" : `resize takes one of size, scale and like=, not ${given.join(" and ")}` }, { hint: "resize(size=[h, w]), resize(scale=2) or resize(like=t)" }));
    return undefined;
  }
  if (given[0] === "like") {
    const like = likeSizes(ctx);
    return like === "error" || like === undefined ? undefined : { size: like };
  }
  if (given[0] === "size") {
    const size = axisArg(ctx, "size", dims);
    return size && { size };
  }
  const factor = axisArg(ctx, "scale", dims);
  return factor && { factor };
}

/** Resize: the given size, or ⌊N · scale⌋ per axis; cost and field by mode. */
export const resizeRules: LayerRules = {
  shape(ctx) {
    const t = target(ctx);
    if (!t) return undefined;
    return "size" in t ? [ctx.inputs[0]!.shape[0]!, ...t.size] : scaledShape(ctx, t.factor);
  },
  cost: (ctx, out) => resampleCost(modeOf(word(ctx.node, "mode")), out),
  rf(ctx, out) {
    const t = target({ ...ctx, diags: [] })!;
    return resampledField(ctx.inputs[0]!, out, "factor" in t ? t.factor : undefined, modeOf(word(ctx.node, "mode")));
  },
};

// ── execution ─────────────────────────────────────────────────────────────────

/** Per-axis taps from the actual input: to the given size, or by the given factor (⌊n · factor⌋ positions). */
export function resizeTapsFor(x: Tensor, mode: ResizeMode, size: readonly number[] | undefined, factor: readonly number[] | undefined) {
  return x.shape.slice(2).map((n, a) => resizeTaps(n, size ? size[a]! : Math.floor(n * factor![a]!), size ? undefined : factor![a], mode));
}

function tapsOf(node: LayerNode, xs: readonly Tensor[]) {
  const x = xs[0]!, dims = x.shape.length - 2, mode = modeOf(word(node, "mode"));
  if (node.args.scale !== null) return resizeTapsFor(x, mode, undefined, axisValues(node, "scale", dims));
  return resizeTapsFor(x, mode, likeOf(node, xs) ?? axisValues(node, "size", dims), undefined);
}

const resizeExec: ExecOp = {
  forward: (node, xs) => resizeForward(xs[0]!, tapsOf(node, xs)),
  backward: (node, xs, _y, dy, _p, ctx) => ({ dxs: withShapeOnlyGrads(resizeBackward(xs[0]!, tapsOf(node, xs), dy, ctx.probe), xs) }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/**
 * ONNX Resize as PyTorch's interpolate: half_pixel coordinates (pytorch_half_pixel maps a
 * length-1 output to 0 where PyTorch takes the centre), cubic with A = −0.75, nearest as
 * asymmetric + floor. A given factor goes in as the scales PyTorch maps coordinates with;
 * a given size as sizes (ONNX then maps with out/in, as PyTorch does).
 */
export function resizeOnnx(c: EmitCtx, mode: ResizeMode, factor: readonly number[] | undefined): string {
  const attrs: Record<string, Attr> = mode === "nearest"
    ? { mode: str("nearest"), coordinate_transformation_mode: str("asymmetric"), nearest_mode: str("floor") }
    : { mode: str(mode), coordinate_transformation_mode: str("half_pixel"), ...(mode === "cubic" ? { cubic_coeff_a: float(-0.75) } : {}) };
  if (!factor) {
    // Sizes name the batch axis too: taken from the input's shape, as the exporter's batch is its own.
    const nc = c.b.node("Slice", [c.b.node("Shape", [c.ins[0]!]), c.b.int64s([0]), c.b.int64s([2])]);
    const sizes = c.b.node("Concat", [nc, c.b.int64s(c.outShape.slice(1))], { axis: int(0) });
    return c.b.node("Resize", [c.ins[0]!, "", "", sizes], attrs, c.node.label);
  }
  const n = c.inShapes[0]!.slice(1), out = c.outShape.slice(1);
  const scales = [1, 1, ...n.map((v, a) => coordScale(v, out[a]!, factor[a], mode))];
  return c.b.node("Resize", [c.ins[0]!, "", c.b.floats(`${c.node.label}.scales`, scales, [scales.length])], attrs, c.node.label);
}

const emitResize: Emitter = (c) => {
  const dims = c.inShapes[0]!.length - 1, mode = modeOf(word(c.node, "mode"));
  return resizeOnnx(c, mode, c.node.args.scale === null ? undefined : axisValues(c.node, "scale", dims));
};

export const resize: Family = {
  schema: resizeSchema, rules: resizeRules, exec: resizeExec, onnx: emitResize,
  // Units see fields of different sizes; to a fixed size, the field depends on the input's size.
  probe: { varies: true, sizeDependent: (node) => node.args.scale === null },
};
