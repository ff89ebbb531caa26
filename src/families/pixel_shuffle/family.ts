/** Pixel shuffle and unshuffle (Shi et al. 2016, PyTorch's nn.PixelShuffle / nn.PixelUnshuffle), any number of spatial axes. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { ints, type Emitter } from "../../onnx/emit.js";
import { num } from "../args.js";
import type { ExecOp } from "../exec.js";
import { windowGeometry } from "../geometry.js";
import { upsampleField, windowField } from "../rf.js";
import type { LayerSchema } from "../schema.js";
import { showShape, type Family, type LayerRules } from "../types.js";
import { spatialDims } from "../window.js";
import { pixelShuffleBackward, pixelShuffleForward, pixelUnshuffleBackward, pixelUnshuffleForward } from "./kernel.js";

export const pixelShuffleSchema: LayerSchema = {
  family: "pixel_shuffle",
  summary: "[C·r^d, S...] → [C, S·r...]: channels into space (sub-pixel convolution)",
  kinds: { pixel_shuffle: { kind: "pixel_shuffle" } },
  args: [{ name: "r", type: { t: "int", min: 1 } }],
};

export const pixelUnshuffleSchema: LayerSchema = {
  family: "pixel_unshuffle",
  summary: "[C, S·r...] → [C·r^d, S...]: space into channels (space-to-depth, YOLOv2's reorg)",
  kinds: { pixel_unshuffle: { kind: "pixel_unshuffle" } },
  args: [{ name: "r", type: { t: "int", min: 1 } }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Shuffle: C must be a multiple of r^d; output unit o reads input unit ⌊o/r⌋ along each axis (as a nearest upsample by r). */
export const pixelShuffleRules: LayerRules = {
  shape(ctx) {
    const dims = spatialDims(ctx);
    if (dims === undefined) return undefined;
    const [c, ...s] = ctx.inputs[0]!.shape, r = ctx.node.args.r as number, block = r ** dims;
    if (c! % block === 0) return [c! / block, ...s.map((n) => n * r)];
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
      layer: ctx.node.label, reason: `${c} channels (input ${showShape(ctx.inputs[0]!.shape)}) are not a multiple of r^${dims} = ${block}`,
    }, { hint: `give the layer before it a multiple of ${block} channels` }));
    return undefined;
  },
  rf: (ctx) => upsampleField(ctx.inputs[0]!.rf, ctx.inputs[0]!.shape.slice(1).map(() => ctx.node.args.r as number), false),
};

/** Unshuffle: every spatial size must divide by r; an output position holds an r×r block (a window K = S = r). */
export const pixelUnshuffleRules: LayerRules = {
  shape(ctx) {
    const dims = spatialDims(ctx);
    if (dims === undefined) return undefined;
    const [c, ...s] = ctx.inputs[0]!.shape, r = ctx.node.args.r as number;
    if (s.every((n) => n % r === 0)) return [c! * r ** dims, ...s.map((n) => n / r)];
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
      layer: ctx.node.label, reason: `spatial sizes ${showShape(s)} (input ${showShape(ctx.inputs[0]!.shape)}) do not divide by r = ${r}`,
    }, { hint: `crop or pad the input to multiples of ${r}` }));
    return undefined;
  },
  rf: (ctx) => {
    const r = ctx.node.args.r as number;
    return windowField(ctx.inputs[0]!.rf, ctx.inputs[0]!.shape.slice(1).map((n) => windowGeometry(n, r, r, 0)));
  },
};

// ── execution ─────────────────────────────────────────────────────────────────

const pixelShuffleExec: ExecOp = {
  forward: (node, [x]) => pixelShuffleForward(x!, num(node, "r")),
  backward: (node, [x], _y, dy) => ({ dxs: [pixelShuffleBackward(x!, num(node, "r"), dy)] }),
};

const pixelUnshuffleExec: ExecOp = {
  forward: (node, [x]) => pixelUnshuffleForward(x!, num(node, "r")),
  backward: (node, [x], _y, dy) => ({ dxs: [pixelUnshuffleBackward(x!, num(node, "r"), dy)] }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** Reshape [N, C, r, ..., S...] → Transpose to [N, C, S_1, r, S_2, r, ...] → Reshape [N, C, S·r...] (DepthToSpace CRD in 2-D). */
const pixelShuffleOnnx: Emitter = (c) => {
  const r = num(c.node, "r"), [, ...s] = c.inShapes[0]!, d = s.length, C = c.outShape[0]!;
  const split = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, C, ...s.map(() => r), ...s])]);
  const perm = [0, 1, ...s.flatMap((_, k) => [2 + d + k, 2 + k])];
  const moved = c.b.node("Transpose", [split], { perm: ints(perm) });
  return c.b.node("Reshape", [moved, c.b.int64s([0, ...c.outShape])], {}, c.node.label);
};

/** Reshape [N, C, S_1, r, S_2, r, ...] → Transpose to [N, C, r, ..., S...] → Reshape [N, C·r^d, S...] (SpaceToDepth's order differs). */
const pixelUnshuffleOnnx: Emitter = (c) => {
  const r = num(c.node, "r"), [C, ...s] = c.inShapes[0]!;
  const split = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, C!, ...s.flatMap((n) => [n / r, r])])]);
  const perm = [0, 1, ...s.map((_, k) => 3 + 2 * k), ...s.map((_, k) => 2 + 2 * k)];
  const moved = c.b.node("Transpose", [split], { perm: ints(perm) });
  return c.b.node("Reshape", [moved, c.b.int64s([0, ...c.outShape])], {}, c.node.label);
};

export const pixelShuffle: Family = {
  schema: pixelShuffleSchema, rules: pixelShuffleRules, exec: pixelShuffleExec, onnx: pixelShuffleOnnx,
  // It needs its r^d·C channels (the probe keeps every channel); its units see fields at fractional jumps.
  probe: { wide: () => true, varies: true },
};

export const pixelUnshuffle: Family = {
  schema: pixelUnshuffleSchema, rules: pixelUnshuffleRules, exec: pixelUnshuffleExec, onnx: pixelUnshuffleOnnx,
  probe: {},
};
