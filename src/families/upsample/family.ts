/** Upsampling of the spatial axes by an integer scale. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { str, type Attr, type Emitter } from "../../onnx/emit.js";
import { axisValues } from "../args.js";
import type { ExecOp } from "../exec.js";
import { upsampleField } from "../rf.js";
import { upsampleBackward, upsampleForward, upsampleTaps } from "./kernel.js";
import type { LayerSchema } from "../schema.js";
import { elementwiseCost, NO_COST, showShape, type Family, type LayerRules } from "../types.js";
import { axisArg, sourceName } from "../window.js";

export const upsampleSchema: LayerSchema = {
  family: "upsample",
  summary: "upsample the spatial axes by a scale factor",
  kinds: { upsample: { kind: "upsample" } },
  args: [
    { name: "scale", type: { t: "ints", min: 1 } },
    { name: "mode", type: { t: "word", words: ["nearest", "linear", "bilinear", "trilinear"] }, default: "nearest" },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Upsample rules: N·S per spatial axis. */
export const upsampleRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!;
    const dims = x.shape.length - 1;
    if (dims < 1) {
      ctx.diags.push(diag(messages.rankMismatch, ctx.node.span, { layer: ctx.node.label, op: ctx.node.op, expected: "an input with spatial axes", shape: showShape(x.shape), source: sourceName(x.node) }));
      return undefined;
    }
    const s = axisArg(ctx, "scale", dims);
    if (!s) return undefined;
    const out = [x.shape[0]!, ...x.shape.slice(1).map((n, a) => n * s[a]!)];
    if (out.some((n) => n > Number.MAX_SAFE_INTEGER)) {
      ctx.diags.push(diag(messages.sizeTooLarge, ctx.node.span, { layer: ctx.node.label, size: showShape(out) }));
      return undefined;
    }
    return out;
  },
  /** nearest copies (0); the linear modes blend 2^d neighbours: 2^d multiplies + 2^d − 1 adds per output. */
  cost(ctx, out) {
    if (ctx.node.args.mode === "nearest") return NO_COST;
    return elementwiseCost(out, 2 ** (out.length) - 1);
  },
  rf(ctx, out) {
    const scale = out.slice(1).map((n, a) => n / ctx.inputs[0]!.shape[a + 1]!);
    return upsampleField(ctx.inputs[0]!.rf, scale, ctx.node.args.mode !== "nearest");
  },
};

// ── execution ─────────────────────────────────────────────────────────────────

const linear = (node: LayerNode) => node.args.mode !== "nearest";

/** Interpolation taps per spatial axis, from the actual input's sizes. */
function tapsFor(node: LayerNode, x: Tensor) {
  const scale = axisValues(node, "scale", x.shape.length - 2);
  return x.shape.slice(2).map((n, a) => upsampleTaps(n, scale[a]!, linear(node)));
}

const upsampleExec: ExecOp = {
  forward: (node, [x]) => upsampleForward(x!, tapsFor(node, x!)),
  backward: (node, [x], _y, dy) => ({ dxs: [upsampleBackward(x!, tapsFor(node, x!), dy)] }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const upsampleOnnx: Emitter = (c) => {
  const scale = axisValues(c.node, "scale", c.inShapes[0]!.length - 1);
  const scales = c.b.floats(`${c.node.label}.scales`, [1, 1, ...scale], [scale.length + 2]);
  // Nearest: source index floor(i / s) (PyTorch's `nearest`); linear: align_corners = false.
  const attrs: Record<string, Attr> = linear(c.node)
    ? { mode: str("linear"), coordinate_transformation_mode: str("pytorch_half_pixel") }
    : { mode: str("nearest"), coordinate_transformation_mode: str("asymmetric"), nearest_mode: str("floor") };
  return c.b.node("Resize", [c.ins[0]!, "", scales], attrs, c.node.label);
};

export const upsample: Family = {
  schema: upsampleSchema, rules: upsampleRules, exec: upsampleExec, onnx: upsampleOnnx,
  // Its units see fields of different sizes (fractional jumps).
  probe: {
    varies: true,
    rescale: (node, f) => {
      const scale = node.args.scale;
      return { ...node.args, scale: Array.isArray(scale) ? scale.map((s) => (s as number) * f) : (scale as number) * f };
    },
  },
};
