/** Transposed convolution, 1-D to 3-D (PyTorch's ConvTranspose{1,2,3}d). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { prod } from "../../exec/kernels/util.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { int, ints, weightInputs, type Emitter } from "../../onnx/emit.js";
import { resolvePads as onnxPads } from "../../onnx/geometry.js";
import { checkGroups, groupedChannels } from "../conv/family.js";
import { channelSums } from "../conv/kernel.js";
import { axisValues, flag, num } from "../args.js";
import { withBias, type ExecOp, type ParamSpec } from "../exec.js";
import { resolvePadding, type Pads } from "../pad/kernel.js";
import { deconvBackward, deconvForward, type DeconvGeometry } from "./kernel.js";
import { perAxis } from "../args.js";
import { axisName, effectiveKernel, padPerAxis, resolvePads, transposedSize } from "../geometry.js";
import { transposedField } from "../rf.js";
import { dimensioned, type LayerSchema } from "../schema.js";
import { numel, showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
import { axisArg, spatialDims } from "../window.js";

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

// ── execution ─────────────────────────────────────────────────────────────────

/**
 * Crops of a transposed conv: an integer or pairs as given; `full` = D(K−1) each side; `same`
 * makes out = N·S (TensorFlow's conv_transpose: the forward conv's `same` padding, total
 * max(0, D(K−1) + 1 − S), the odd unit after).
 */
function deconvGeometry(node: LayerNode, x: Tensor): DeconvGeometry {
  const dims = x.shape.length - 2;
  const kernel = axisValues(node, "kernel", dims), stride = axisValues(node, "stride", dims);
  const dilation = axisValues(node, "dilation", dims);
  let pads: Pads;
  if (node.args.padding === "same") {
    const total = kernel.map((k, a) => Math.max(0, dilation[a]! * (k - 1) + 1 - stride[a]!));
    pads = { before: total.map((t) => Math.floor(t / 2)), after: total.map((t) => t - Math.floor(t / 2)) };
  } else pads = resolvePadding(node.args.padding, x.shape.slice(2), { kernel, stride, dilation });
  return {
    stride, dilation, groups: num(node, "groups"), cropBefore: pads.before, cropAfter: pads.after,
    outputPadding: axisValues(node, "output_padding", dims),
  };
}

const deconvExec: ExecOp = {
  params(node, [x]) {
    const cin = x![1]!, groups = num(node, "groups"), out = num(node, "out_channels");
    groupedChannels(cin, out, groups);
    const k = axisValues(node, "kernel", x!.length - 2);
    // PyTorch's fan-in for ConvTranspose weights [Cin, Cout/G, ...K] is (Cout/G)·∏K.
    const fanIn = (out / groups) * prod(k);
    const p: Record<string, ParamSpec> = { weight: { shape: [cin, out / groups, ...k], init: "weight", fanIn, trainable: true } };
    if (flag(node, "bias")) p.bias = { shape: [out], init: "bias", fanIn, trainable: true };
    return p;
  },
  forward: (node, [x], p, ctx) => deconvForward(x!, p.weight!, p.bias, deconvGeometry(node, x!), ctx.counter),
  backward(node, [x], _y, dy, p) {
    const g = deconvBackward(x!, p.weight!, deconvGeometry(node, x!), dy);
    return { dxs: [g.dx], dparams: withBias({ weight: g.dw }, p.bias ? channelSums(dy) : undefined) };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const deconvOnnx: Emitter = (c) => {
  const size = c.inShapes[0]!.slice(1);
  const n = size.length;
  const k = axisValues(c.node, "kernel", n), s = axisValues(c.node, "stride", n), d = axisValues(c.node, "dilation", n);
  const p = onnxPads(c.node.args.padding!, size, k, size.map(() => 1), d);
  if (typeof p === "string") return { refuse: p };
  const inputs = weightInputs(c, c.ins[0]!);
  if (!Array.isArray(inputs)) return inputs;
  return c.b.node("ConvTranspose", inputs, {
    kernel_shape: ints(k), strides: ints(s), dilations: ints(d), group: int(num(c.node, "groups")),
    pads: ints([...p.before, ...p.after]), output_padding: ints(axisValues(c.node, "output_padding", n)),
  }, c.node.label);
};

export const deconv: Family = {
  schema: deconvSchema,
  rules: deconvRules,
  exec: deconvExec,
  // A transposed conv's units see fields of different sizes (fractional jumps).
  probe: { narrow: { out_channels: 1, groups: 1 }, varies: true },
  onnx: deconvOnnx,
};
