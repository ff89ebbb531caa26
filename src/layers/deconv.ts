/** Transposed convolution, 1-D to 3-D (PyTorch's ConvTranspose{1,2,3}d). */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { checkGroups } from "./conv.js";
import { axisName, effectiveKernel, padPerAxis, perAxis, resolvePads, transposedSize } from "./geometry.js";
import { transposedField } from "./rf.js";
import { dimensioned, type LayerSchema } from "./schema.js";
import { numel, showShape, type LayerContext, type LayerRules } from "./types.js";
import { axisArg, spatialDims } from "./window.js";

export const deconvSchema: LayerSchema = {
  family: "deconv",
  summary: "transposed convolution (fractionally strided)",
  kinds: dimensioned("deconv"),
  args: [
    { name: "out_channels", type: { t: "int", min: 1 } },
    { name: "kernel", type: { t: "ints", min: 1 } },
    { name: "stride", type: { t: "ints", min: 1 }, default: 1 },
    { name: "padding", type: { t: "padding" }, default: 0 },
    { name: "output_padding", type: { t: "ints", min: 0 }, default: 0 },
    { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
    { name: "groups", type: { t: "int", min: 1 }, default: 1 },
    { name: "bias", type: { t: "bool" }, default: true },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

interface TransposedAxis {
  readonly n: number;
  readonly k: number;
  readonly s: number;
  readonly d: number;
  readonly pads: readonly [number, number];
  readonly op: number;
  readonly out: number;
}

/** Per-axis geometry of a transposed conv, or undefined after reporting why not. */
function axes(ctx: LayerContext, dims: number): TransposedAxis[] | undefined {
  const { node } = ctx;
  const k = axisArg(ctx, "kernel", dims);
  const s = axisArg(ctx, "stride", dims);
  const d = axisArg(ctx, "dilation", dims);
  const op = axisArg(ctx, "output_padding", dims);
  const pads = padPerAxis(node.args.padding, dims);
  if (typeof pads === "string") {
    ctx.diags.push(diag(messages.axisCount, node.span, { layer: node.label, name: "padding", count: pads, shape: showShape(ctx.inputs[0]!.shape), dims }));
    return undefined;
  }
  if (!k || !s || !d || !op) return undefined;
  const out: TransposedAxis[] = [];
  for (let a = 0; a < dims; a++) {
    const n = ctx.inputs[0]!.shape[a + 1]!;
    const keff = effectiveKernel(k[a]!, d[a]!);
    if (pads[a] === "same" && s[a]! > 1) {
      ctx.diags.push(diag(messages.transposedSame, node.span, { layer: node.label, stride: s[a]! }, {
        hint: `give the padding as a number; output size is (N − 1)·S − 2P + D·(K − 1) + output_padding + 1`,
      }));
      return undefined;
    }
    if (op[a]! >= Math.max(s[a]!, d[a]!)) {
      ctx.diags.push(diag(messages.badLayer, node.span, { layer: node.label, reason: `output_padding ${op[a]} must be smaller than the stride (${s[a]}) or the dilation (${d[a]})` }));
      return undefined;
    }
    const p = resolvePads(pads[a]!, n, keff, 1);
    const size = transposedSize(n, k[a]!, s[a]!, p, d[a]!, op[a]!);
    if (size < 1) {
      const arith = `(${n} − 1)·${s[a]} − ${p[0]} − ${p[1]} + ${keff} + ${op[a]}`;
      ctx.diags.push(diag(messages.nonPositiveSize, node.span, { layer: node.label, axis: axisName(a, dims), arith, out: size }, { hint: "use less padding" }));
      return undefined;
    }
    out.push({ n, k: k[a]!, s: s[a]!, d: d[a]!, pads: p, op: op[a]!, out: size });
  }
  return out;
}

function kernelVolume(ctx: LayerContext, dims: number): bigint {
  return numel(perAxis(ctx.node.args.kernel, dims) as number[]);
}

/** Transposed conv rules: out = (N − 1)·S − Pb − Pa + D·(K − 1) + output_padding + 1 per axis. */
export const deconvRules: LayerRules = {
  shape(ctx) {
    const dims = spatialDims(ctx);
    if (dims === undefined) return undefined;
    const ax = axes(ctx, dims);
    if (!ax) return undefined;
    const cout = ctx.node.args.out_channels as number;
    if (!checkGroups(ctx, ctx.inputs[0]!.shape[0]!, cout)) return undefined;
    return [cout, ...ax.map((x) => x.out)];
  },
  /** Weight [Cin, Cout/groups, ∏K] as PyTorch's ConvTranspose, + Cout biases. */
  params(ctx, out) {
    const cin = BigInt(ctx.inputs[0]!.shape[0]!);
    const cout = BigInt(out[0]!);
    const w = cin * (cout / BigInt(ctx.node.args.groups as number)) * kernelVolume(ctx, out.length - 1);
    return { trainable: w + (ctx.node.args.bias ? cout : 0n), nonTrainable: 0n };
  },
  /** Counted on INPUT positions: each input value meets Cout/groups·∏K weights; MACs = Cin·∏in·(Cout/groups)·∏K. */
  cost(ctx, out) {
    const macs = numel(ctx.inputs[0]!.shape) * (BigInt(out[0]!) / BigInt(ctx.node.args.groups as number)) * kernelVolume(ctx, out.length - 1);
    return { macs, flops: 2n * macs + (ctx.node.args.bias ? numel(out) : 0n) };
  },
  rf(ctx, out) {
    const ax = axes({ ...ctx, diags: [] }, out.length - 1)!;
    return transposedField(ctx.inputs[0]!.rf, ax.map((x) => ({ k: x.k, s: x.s, d: x.d, padBefore: x.pads[0] })));
  },
};
