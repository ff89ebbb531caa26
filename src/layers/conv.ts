/** Convolution, 1-D to 3-D (cross-correlation, as PyTorch's Conv{1,2,3}d). */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { perAxis } from "./geometry.js";
import { windowField } from "./rf.js";
import { dimensioned, PADDING_MODES, type LayerSchema } from "./schema.js";
import { numel, type LayerContext, type LayerRules } from "./types.js";
import { spatialDims, windows } from "./window.js";

export const convSchema: LayerSchema = {
  family: "conv",
  summary: "convolution (cross-correlation) over 1, 2 or 3 spatial axes",
  kinds: dimensioned("conv"),
  args: [
    { name: "out_channels", type: { t: "int", min: 1 } },
    { name: "kernel", type: { t: "ints", min: 1 } },
    { name: "stride", type: { t: "ints", min: 1 }, default: 1 },
    { name: "padding", type: { t: "padding" }, default: 0 },
    { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
    { name: "groups", type: { t: "int", min: 1 }, default: 1 },
    { name: "bias", type: { t: "bool" }, default: true },
    { name: "padding_mode", type: { t: "word", words: PADDING_MODES }, default: "zeros" },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Channels in, checked against `groups` (PyTorch needs both Cin and Cout divisible). */
export function checkGroups(ctx: LayerContext, cin: number, cout: number): boolean {
  const groups = ctx.node.args.groups as number;
  for (const [what, c] of [["input channels", cin], ["out_channels", cout]] as const) {
    if (c % groups !== 0) {
      ctx.diags.push(diag(messages.groupsMismatch, ctx.node.span, { layer: ctx.node.label, what, channels: c, groups }, {
        hint: `groups must divide both ${cin} input and ${cout} output channels`,
      }));
      return false;
    }
  }
  return true;
}

function kernelVolume(ctx: LayerContext, dims: number): bigint {
  return numel(perAxis(ctx.node.args.kernel, dims) as number[]);
}

/** Conv rules: out = [Cout, floor((N + Pb + Pa − Keff)/S) + 1 per axis]. */
export const convRules: LayerRules = {
  shape(ctx) {
    const dims = spatialDims(ctx);
    if (dims === undefined) return undefined;
    const geo = windows(ctx, dims);
    if (!geo) return undefined;
    const cout = ctx.node.args.out_channels as number;
    if (!checkGroups(ctx, ctx.inputs[0]!.shape[0]!, cout)) return undefined;
    return [cout, ...geo.map((g) => g.out)];
  },
  /** Cout·(Cin/groups)·∏K weights + Cout biases. */
  params(ctx, out) {
    const cin = BigInt(ctx.inputs[0]!.shape[0]!);
    const cout = BigInt(out[0]!);
    const w = cout * (cin / BigInt(ctx.node.args.groups as number)) * kernelVolume(ctx, out.length - 1);
    return { trainable: w + (ctx.node.args.bias ? cout : 0n), nonTrainable: 0n };
  },
  /** MACs = Cout·∏out·(Cin/groups)·∏K; FLOPs = 2·MACs + one bias add per output. */
  cost(ctx, out) {
    const cin = BigInt(ctx.inputs[0]!.shape[0]!);
    const macs = numel(out) * (cin / BigInt(ctx.node.args.groups as number)) * kernelVolume(ctx, out.length - 1);
    return { macs, flops: 2n * macs + (ctx.node.args.bias ? numel(out) : 0n) };
  },
  rf(ctx, out) {
    return windowField(ctx.inputs[0]!.rf, windows(ctx, out.length - 1)!);
  },
};
