/** Convolution, 1-D to 3-D (cross-correlation, as PyTorch's Conv{1,2,3}d). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { getFastKernels, type ConvGeometry } from "../../exec/kernels/api.js";
import { ExecError, prod } from "../../exec/kernels/util.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { PAD_MODE, emitWindow, int, ints, padNode, weightInputs, type Emitter } from "../../onnx/emit.js";
import { axisValues, flag, num, perAxis, windowArgs, word } from "../args.js";
import { withBias, type ExecOp, type ParamSpec } from "../exec.js";
import { checkCopiedPads, mirroring } from "../pad/family.js";
import { padTensor, padTensorBackward, resolvePadding, type PadMode } from "../pad/kernel.js";
import { convBackward, convForward } from "./kernel.js";
import { windowField } from "../rf.js";
import { dimensioned, PADDING_MODES, type LayerSchema } from "../schema.js";
import { numel, type Family, type LayerContext, type LayerRules } from "../types.js";
import { spatialDims, windows } from "../window.js";

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
    const pads = geo.map((g) => [g.padBefore, g.padAfter] as const);
    if (!checkCopiedPads(ctx, "padding_mode", ctx.node.args.padding_mode, pads, geo.map((g) => g.n))) return undefined;
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

// ── execution ─────────────────────────────────────────────────────────────────

/** Channel counts must split evenly into groups (else the weight shape is fractional). */
export function groupedChannels(cin: number, out: number, groups: number): void {
  if (cin % groups !== 0 || out % groups !== 0) throw new ExecError(`channels ${cin} → ${out} are not divisible by groups = ${groups}`);
}

/**
 * The zero-padding geometry passed to the conv kernel, and any non-zero padding mode applied
 * first. Pads are resolved by the pad kernel's own rule against the actual input.
 */
function convSetup(node: LayerNode, x: Tensor) {
  const dims = x.shape.length - 2;
  if (dims < 1) throw new ExecError(`${node.kind} needs spatial axes, the input is [${x.shape.slice(1).join(", ")}]`);
  const w = windowArgs(node, dims);
  const pads = resolvePadding(node.args.padding, x.shape.slice(2), w);
  const mode = word<PadMode>(node, "padding_mode");
  const zero = new Array<number>(dims).fill(0);
  const explicit = mode !== "zeros";
  const geo: ConvGeometry = {
    stride: w.stride, dilation: w.dilation, groups: num(node, "groups"),
    padBefore: explicit ? zero : pads.before, padAfter: explicit ? zero : pads.after,
  };
  return { geo, mode, pads, explicit };
}

const convExec: ExecOp = {
  params(node, [x]) {
    const cin = x![1]!, groups = num(node, "groups"), out = num(node, "out_channels");
    groupedChannels(cin, out, groups);
    const k = axisValues(node, "kernel", x!.length - 2);
    const fanIn = (cin / groups) * prod(k);
    const p: Record<string, ParamSpec> = { weight: { shape: [out, cin / groups, ...k], init: "weight", fanIn, trainable: true } };
    if (flag(node, "bias")) p.bias = { shape: [out], init: "bias", fanIn, trainable: true };
    return p;
  },
  forward(node, [x], p, ctx) {
    const s = convSetup(node, x!);
    const input = s.explicit ? padTensor(x!, s.pads, s.mode) : x!;
    const fast = getFastKernels().conv;
    const impl = fast && input.data instanceof Float32Array && !ctx.probe ? fast : convForward;
    return impl(input, p.weight!, p.bias, s.geo, ctx.counter);
  },
  backward(node, [x], _y, dy, p, ctx) {
    const s = convSetup(node, x!);
    const input = s.explicit ? padTensor(x!, s.pads, s.mode) : x!;
    const g = convBackward(input, p.weight!, p.bias !== undefined, s.geo, dy, ctx.skipParamGrads !== true);
    const dx = s.explicit ? padTensorBackward(x!, s.pads, s.mode, g.dx) : g.dx;
    return g.dw ? { dxs: [dx], dparams: withBias({ weight: g.dw }, g.db) } : { dxs: [dx] };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const convOnnx: Emitter = (c) => {
  const w = emitWindow(c);
  if (typeof w === "string") return { refuse: w };
  const mode = PAD_MODE[word<keyof typeof PAD_MODE>(c.node, "padding_mode")];
  let x = c.ins[0]!;
  let pb = w.pb;
  let pa = w.pa;
  if (mode !== "constant") {
    // A non-zero padding mode is materialized first; the Conv then pads nothing.
    x = padNode(c.b, x, pb, pa, mode);
    pb = pb.map(() => 0);
    pa = pa.map(() => 0);
  }
  const inputs = weightInputs(c, x);
  if (!Array.isArray(inputs)) return inputs;
  return c.b.node("Conv", inputs, {
    kernel_shape: ints(w.k), strides: ints(w.s), dilations: ints(w.d),
    group: int(num(c.node, "groups")), pads: ints([...pb, ...pa]),
  }, c.node.label);
};

export const conv: Family = {
  schema: convSchema,
  rules: convRules,
  exec: convExec,
  probe: { narrow: { out_channels: 1, groups: 1 }, mirrors: (node) => mirroring(node.args.padding_mode) },
  onnx: convOnnx,
};
