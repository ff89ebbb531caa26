/**
 * Execution of the spatial families: convolution, transposed convolution, windowed, global
 * and adaptive pooling, padding and upsampling.
 */
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../tensor.js";
import { getFastKernels, type ConvGeometry } from "../kernels/api.js";
import { channelSums, convBackward, convForward } from "../kernels/conv.js";
import { deconvBackward, deconvForward, type DeconvGeometry } from "../kernels/deconv.js";
import { padTensor, padTensorBackward, resolvePadding, type PadMode, type Pads } from "../kernels/padding.js";
import { adaptiveWindows, poolBackward, poolForward, slidingWindows, type AxisWindows, type PoolOptions } from "../kernels/pool.js";
import { upsampleBackward, upsampleForward, upsampleTaps } from "../kernels/layout.js";
import { ExecError, perAxis, prod } from "../kernels/util.js";
import type { ExecOp, ParamSpec } from "./types.js";

/** Parameter gradients with the bias gradient added when the layer has a bias. */
export function withBias(d: Record<string, Tensor>, db: Tensor | undefined): Record<string, Tensor> {
  if (db) d.bias = db;
  return d;
}

export const num = (v: unknown, fallback: number): number => (typeof v === "number" ? v : fallback);

/** Kernel, stride, dilation and resolved padding of a conv-like node for an input shape. */
function window(node: LayerNode, shape: readonly number[], strideDefault: "one" | "kernel") {
  const dims = shape.length - 2;
  if (dims < 1) throw new ExecError(`${node.kind} needs spatial axes, the input is [${shape.slice(1).join(", ")}]`);
  const kernel = perAxis(node.args.kernel, dims, 1);
  const stride = node.args.stride === null && strideDefault === "kernel" ? kernel : perAxis(node.args.stride, dims, 1);
  const dilation = perAxis(node.args.dilation, dims, 1);
  const pads = resolvePadding(node.args.padding, shape.slice(2), { kernel, stride, dilation });
  return { dims, kernel, stride, dilation, pads };
}

/** The zero-padding geometry passed to the conv kernel, and any non-zero padding mode applied first. */
function convSetup(node: LayerNode, x: Tensor) {
  const w = window(node, x.shape, "one");
  const mode = (node.args.padding_mode ?? "zeros") as PadMode;
  const zero = new Array<number>(w.dims).fill(0);
  const explicit = mode !== "zeros";
  const geo: ConvGeometry = {
    stride: w.stride, dilation: w.dilation, groups: num(node.args.groups, 1),
    padBefore: explicit ? zero : w.pads.before, padAfter: explicit ? zero : w.pads.after,
  };
  return { geo, mode, pads: w.pads, explicit, kernel: w.kernel };
}

/** Channel counts must split evenly into groups (else the weight shape is fractional). */
function checkGroups(cin: number, out: number, groups: number): void {
  if (cin % groups !== 0 || out % groups !== 0) throw new ExecError(`channels ${cin} → ${out} are not divisible by groups = ${groups}`);
}

const convOp: ExecOp = {
  params(node, [x]) {
    const cin = x![1]!, groups = num(node.args.groups, 1), out = num(node.args.out_channels, 1);
    checkGroups(cin, out, groups);
    const k = perAxis(node.args.kernel, x!.length - 2, 1);
    const fanIn = (cin / groups) * prod(k);
    const p: Record<string, ParamSpec> = { weight: { shape: [out, cin / groups, ...k], init: "weight", fanIn, trainable: true } };
    if (node.args.bias !== false) p.bias = { shape: [out], init: "bias", fanIn, trainable: true };
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

/**
 * Crops of a transposed conv: an integer or pairs as given; `full` = D(K−1) each side; `same`
 * makes out = N·S (TensorFlow's conv_transpose: the forward conv's `same` padding, total
 * max(0, D(K−1) + 1 − S), the odd unit after).
 */
function deconvGeometry(node: LayerNode, x: Tensor): DeconvGeometry {
  const dims = x.shape.length - 2;
  const kernel = perAxis(node.args.kernel, dims, 1), stride = perAxis(node.args.stride, dims, 1);
  const dilation = perAxis(node.args.dilation, dims, 1);
  let pads: Pads;
  if (node.args.padding === "same") {
    const total = kernel.map((k, a) => Math.max(0, dilation[a]! * (k - 1) + 1 - stride[a]!));
    pads = { before: total.map((t) => Math.floor(t / 2)), after: total.map((t) => t - Math.floor(t / 2)) };
  } else pads = resolvePadding(node.args.padding, x.shape.slice(2), { kernel, stride, dilation });
  return {
    stride, dilation, groups: num(node.args.groups, 1), cropBefore: pads.before, cropAfter: pads.after,
    outputPadding: perAxis(node.args.output_padding, dims, 0),
  };
}

const deconvOp: ExecOp = {
  params(node, [x]) {
    const cin = x![1]!, groups = num(node.args.groups, 1), out = num(node.args.out_channels, 1);
    checkGroups(cin, out, groups);
    const k = perAxis(node.args.kernel, x!.length - 2, 1);
    // PyTorch's fan-in for ConvTranspose weights [Cin, Cout/G, ...K] is (Cout/G)·∏K.
    const fanIn = (out / groups) * prod(k);
    const p: Record<string, ParamSpec> = { weight: { shape: [cin, out / groups, ...k], init: "weight", fanIn, trainable: true } };
    if (node.args.bias !== false) p.bias = { shape: [out], init: "bias", fanIn, trainable: true };
    return p;
  },
  forward: (node, [x], p, ctx) => deconvForward(x!, p.weight!, p.bias, deconvGeometry(node, x!), ctx.counter),
  backward(node, [x], _y, dy, p) {
    const g = deconvBackward(x!, p.weight!, deconvGeometry(node, x!), dy);
    return { dxs: [g.dx], dparams: withBias({ weight: g.dw }, p.bias ? channelSums(dy) : undefined) };
  },
};

/** A pooling family: its per-axis windows for an input, and its reduction. */
function poolOp(windows: (node: LayerNode, x: Tensor) => AxisWindows[], options: (node: LayerNode) => PoolOptions): ExecOp {
  return {
    forward(node, [x], _p, ctx) {
      const opt = options(node);
      // The probe reads max-type layers as sums, so every path through them stays visible.
      return poolForward(x!, windows(node, x!), ctx.probe && opt.op === "max" ? { op: "avg", countPad: false } : opt);
    },
    backward(node, [x], y, dy, _p, ctx) {
      return { dxs: [poolBackward(x!, windows(node, x!), options(node), y, dy, ctx.probe)] };
    },
  };
}

function slidingFor(node: LayerNode, x: Tensor): AxisWindows[] {
  const w = window(node, x.shape, "kernel");
  const ceil = node.args.ceil === true;
  const axes = x.shape.slice(2).map((n, a) => slidingWindows(n, w.kernel[a]!, w.stride[a]!, w.dilation[a]!, w.pads.before[a]!, w.pads.after[a]!, ceil));
  if (axes.some((a) => a.pos.length === 0)) throw new ExecError(`the window does not fit the padded input (${x.shape.slice(2).join("×")})`);
  return axes;
}

function adaptiveFor(node: LayerNode, x: Tensor): AxisWindows[] {
  const sizes = x.shape.slice(2);
  const out = node.args.output_size === undefined ? sizes.map(() => 1) : perAxis(node.args.output_size, sizes.length, 1);
  return sizes.map((n, a) => adaptiveWindows(n, out[a]!));
}

const reduction = (node: LayerNode): PoolOptions["op"] => (node.kind.includes("max") ? "max" : "avg");

const padOp: ExecOp = {
  forward(node, [x]) {
    const pads = resolvePadding(node.args.p, x!.shape.slice(2), unitWindow(x!));
    const mode = (node.args.mode ?? "zeros") as PadMode;
    return padTensor(x!, pads, mode, mode === "constant" ? num(node.args.value, 0) : 0);
  },
  backward(node, [x], _y, dy) {
    const pads = resolvePadding(node.args.p, x!.shape.slice(2), unitWindow(x!));
    return { dxs: [padTensorBackward(x!, pads, (node.args.mode ?? "zeros") as PadMode, dy)] };
  },
};

/** A pad layer has no window: `same` and `valid` pad nothing, `full` too (K = 1). */
function unitWindow(x: Tensor) {
  const ones = x.shape.slice(2).map(() => 1);
  return { kernel: ones, stride: ones, dilation: ones };
}

function tapsFor(node: LayerNode, x: Tensor) {
  const dims = x.shape.length - 2;
  const scale = perAxis(node.args.scale, dims, 1);
  const linear = node.args.mode !== undefined && node.args.mode !== "nearest";
  return x.shape.slice(2).map((n, a) => upsampleTaps(n, scale[a]!, linear));
}

const upsampleOp: ExecOp = {
  forward: (node, [x]) => upsampleForward(x!, tapsFor(node, x!)),
  backward: (node, [x], _y, dy) => ({ dxs: [upsampleBackward(x!, tapsFor(node, x!), dy)] }),
};

/** Spatial families by name. */
export const spatialOps: Readonly<Record<string, ExecOp>> = {
  conv: convOp,
  deconv: deconvOp,
  maxpool: poolOp(slidingFor, () => ({ op: "max" })),
  avgpool: poolOp(slidingFor, (n) => ({ op: "avg", countPad: n.args.count_pad !== false })),
  lppool: poolOp(slidingFor, (n) => ({ op: "lp", p: num(n.args.p, 2) })),
  global_pool: poolOp(adaptiveFor, (n) => ({ op: reduction(n) })),
  adaptive_pool: poolOp(adaptiveFor, (n) => ({ op: reduction(n) })),
  pad: padOp,
  upsample: upsampleOp,
};
