/** Upsampling of the spatial axes by a scale factor (PyTorch's nn.Upsample; fractional factors give ⌊N·scale⌋). */
import { axisValues, word } from "../args.js";
import type { ExecOp } from "../exec.js";
import { modeOf, RESIZE_MODES, resampleCost, resampledField, resizeOnnx, resizeTapsFor, scaledShape } from "../resize/family.js";
import { resizeBackward, resizeForward } from "../resize/kernel.js";
import type { LayerSchema } from "../schema.js";
import type { Family, LayerRules } from "../types.js";
import { axisArg, spatialDims } from "../window.js";

export const upsampleSchema: LayerSchema = {
  family: "upsample",
  summary: "upsample the spatial axes by a scale factor",
  kinds: { upsample: { kind: "upsample" } },
  args: [
    { name: "scale", type: { t: "reals", min: 0 } },
    { name: "mode", type: { t: "word", words: RESIZE_MODES }, default: "nearest" },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Upsample rules: ⌊N·S⌋ per spatial axis (N·S for an integer S); cost and field as resize(scale=S). */
export const upsampleRules: LayerRules = {
  shape(ctx) {
    const dims = spatialDims(ctx);
    const s = dims === undefined ? undefined : axisArg(ctx, "scale", dims);
    return s && scaledShape(ctx, s);
  },
  /** nearest copies (0); the linear modes blend 2^d neighbours: 2^d multiplies + 2^d − 1 adds per output. */
  cost: (ctx, out) => resampleCost(modeOf(word(ctx.node, "mode")), out),
  rf: (ctx, out) => resampledField(ctx.inputs[0]!, out, axisValues(ctx.node, "scale", out.length - 1), modeOf(word(ctx.node, "mode"))),
};

// ── execution ─────────────────────────────────────────────────────────────────

/** Interpolation taps per spatial axis, from the actual input's sizes (resize's kernel, by the factor). */
const tapsFor = (node: Parameters<ExecOp["forward"]>[0], x: Parameters<typeof resizeForward>[0]) =>
  resizeTapsFor(x, modeOf(word(node, "mode")), undefined, axisValues(node, "scale", x.shape.length - 2));

const upsampleExec: ExecOp = {
  forward: (node, [x]) => resizeForward(x!, tapsFor(node, x!)),
  backward: (node, [x], _y, dy) => ({ dxs: [resizeBackward(x!, tapsFor(node, x!), dy)] }),
};

export const upsample: Family = {
  schema: upsampleSchema, rules: upsampleRules, exec: upsampleExec,
  // Nearest: source index ⌊i / s⌋ (PyTorch's `nearest`); linear: align_corners = false.
  onnx: (c) => resizeOnnx(c, modeOf(word(c.node, "mode")), axisValues(c.node, "scale", c.inShapes[0]!.length - 1)),
  // Its units see fields of different sizes (fractional jumps).
  probe: {
    varies: true,
    rescale: (node, f) => {
      const scale = node.args.scale;
      return { ...node.args, scale: Array.isArray(scale) ? scale.map((s) => (s as number) * f) : (scale as number) * f };
    },
  },
};
