/** Windowed pooling: max, average and power-average (Lp), 1-D to 3-D. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { windowField } from "./rf.js";
import { dimensioned, type ArgSpec, type LayerSchema } from "./schema.js";
import { numel, type LayerRules } from "./types.js";
import { spatialDims, windows } from "./window.js";

const windowArgs: ArgSpec[] = [
  { name: "kernel", type: { t: "ints", min: 1 } },
  { name: "stride", type: { t: "ints", min: 1 }, default: null, doc: "defaults to the kernel size" },
  { name: "padding", type: { t: "padding" }, default: 0 },
  { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
  { name: "ceil", type: { t: "bool" }, default: false },
];

export const maxpoolSchema: LayerSchema = {
  family: "maxpool",
  summary: "max pooling",
  kinds: dimensioned("maxpool"),
  args: windowArgs,
};

export const avgpoolSchema: LayerSchema = {
  family: "avgpool",
  summary: "average pooling",
  kinds: dimensioned("avgpool"),
  args: [...windowArgs, { name: "count_pad", type: { t: "bool" }, default: true, namedOnly: true }],
};

export const lppoolSchema: LayerSchema = {
  family: "lppool",
  summary: "power-average pooling (sum of x^p)^(1/p)",
  kinds: dimensioned("lppool"),
  args: [...windowArgs, { name: "p", type: { t: "real", min: 1e-9 }, default: 2, namedOnly: true }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/**
 * Rules shared by windowed pooling; `perOutput(∏K)` is the FLOPs of one output element,
 * counted on the full window (padding included), as docs/counting.md states.
 */
function poolRules(perOutput: (window: bigint) => bigint): LayerRules {
  return {
    shape(ctx) {
      const dims = spatialDims(ctx);
      if (dims === undefined) return undefined;
      const geo = windows(ctx, dims);
      if (!geo) return undefined;
      // PyTorch: "pad should be at most half of effective kernel size"; a wider pad gives windows of padding only.
      const wide = geo.find((g) => Math.max(g.padBefore, g.padAfter) > Math.floor(g.effKernel / 2));
      if (wide) {
        ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
          layer: ctx.node.label, reason: `padding ${Math.max(wide.padBefore, wide.padAfter)} is more than half the window (${wide.effKernel})`,
        }, { hint: `at most ${Math.floor(wide.effKernel / 2)}, or pad explicitly with pad(...) first` }));
        return undefined;
      }
      return [ctx.inputs[0]!.shape[0]!, ...geo.map((g) => g.out)];
    },
    cost(ctx, out) {
      const window = numel(windows(ctx, out.length - 1)!.map((g) => g.kernel));
      return { macs: 0n, flops: numel(out) * perOutput(window) };
    },
    rf(ctx, out) {
      return windowField(ctx.inputs[0]!.rf, windows(ctx, out.length - 1)!);
    },
  };
}

/** Max pooling: ∏K − 1 compares per output. */
export const maxpoolRules = poolRules((w) => w - 1n);
/** Average pooling: ∏K − 1 adds and one divide per output. */
export const avgpoolRules = poolRules((w) => w);
/** Lp pooling: ∏K powers, ∏K − 1 adds and one root per output. */
export const lppoolRules = poolRules((w) => 2n * w);
