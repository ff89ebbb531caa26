/** Upsampling of the spatial axes by an integer scale. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { upsampleField } from "./rf.js";
import type { LayerSchema } from "./schema.js";
import { elementwiseCost, NO_COST, showShape, type LayerRules } from "./types.js";
import { axisArg, sourceName } from "./window.js";

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
