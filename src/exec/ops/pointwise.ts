/**
 * Execution of the non-spatial families: dense, normalisations, activations, softmax, layout
 * changes (flatten, reshape, dropout, identity) and merges (concat, add, mul, maxout).
 */
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../tensor.js";
import { getFastKernels } from "../kernels/api.js";
import { denseBackward, denseForward } from "../kernels/dense.js";
import { batchnormBackward, batchnormForward, layernormBackward, layernormForward, lrnBackward, lrnForward, type LrnArgs } from "../kernels/norm.js";
import { activationBackward, activationForward, activations, softmaxBackward, softmaxForward } from "../kernels/activation.js";
import { channelMaxBackward, channelMaxForward, concatBackward, concatForward, elementwiseBackward, elementwiseForward } from "../kernels/layout.js";
import { ExecError, alloc, prod, withShape } from "../kernels/util.js";
import { num, withBias } from "./spatial.js";
import type { ExecOp, ParamSpec } from "./types.js";
import { dict } from "../../util/dict.js";

const denseOp: ExecOp = {
  params(node, [x]) {
    if (x!.length !== 2) throw new ExecError(`dense needs a rank-1 input (flatten first), got [${x!.slice(1).join(", ")}]`);
    const units = num(node.args.units, 1), fanIn = x![1]!;
    const p: Record<string, ParamSpec> = { weight: { shape: [units, fanIn], init: "weight", fanIn, trainable: true } };
    if (node.args.bias !== false) p.bias = { shape: [units], init: "bias", fanIn, trainable: true };
    return p;
  },
  forward(_node, [x], p, ctx) {
    const fast = getFastKernels().dense;
    const impl = fast && x!.data instanceof Float32Array && !ctx.probe ? fast : denseForward;
    return impl(x!, p.weight!, p.bias, ctx.counter);
  },
  backward(_node, [x], _y, dy, p) {
    const g = denseBackward(x!, p.weight!, p.bias !== undefined, dy);
    return { dxs: [g.dx], dparams: withBias({ weight: g.dw }, g.db) };
  },
};

/** γ and β gradients of an affine normalisation (none without affine). */
function affineGrads(affine: boolean, g: { dweight: Tensor; dbias: Tensor }): Record<string, Tensor> {
  return affine ? { weight: g.dweight, bias: g.dbias } : {};
}

const bnParams = (node: LayerNode, p: Readonly<Record<string, Tensor>>) => ({
  weight: p.weight, bias: p.bias, mean: p.running_mean!, variance: p.running_var!, eps: num(node.args.eps, 1e-5),
});

const batchnormOp: ExecOp = {
  params(node, [x]) {
    const c = [x![1]!];
    const p = dict<ParamSpec>();
    if (node.args.affine !== false) {
      p.weight = { shape: c, init: "gamma", trainable: true };
      p.bias = { shape: c, init: "beta", trainable: true };
    }
    p.running_mean = { shape: c, init: "mean", trainable: false };
    p.running_var = { shape: c, init: "var", trainable: false };
    return p;
  },
  forward: (node, [x], p) => batchnormForward(x!, bnParams(node, p)),
  backward(node, [x], _y, dy, p, ctx) {
    if (ctx.skipParamGrads) return { dxs: [batchnormBackward(x!, bnParams(node, p), dy, false).dx] };
    const g = batchnormBackward(x!, bnParams(node, p), dy);
    return { dxs: [g.dx], dparams: affineGrads(p.weight !== undefined, g) };
  },
};

const layernormOp: ExecOp = {
  params(node, [x]) {
    const s = x!.slice(1);
    if (node.args.affine === false) return {} as Record<string, ParamSpec>;
    return { weight: { shape: s, init: "gamma", trainable: true }, bias: { shape: s, init: "beta", trainable: true } };
  },
  forward: (node, [x], p) => layernormForward(x!, p.weight, p.bias, num(node.args.eps, 1e-5)),
  backward(node, [x], _y, dy, p, ctx) {
    const g = layernormBackward(x!, p.weight, num(node.args.eps, 1e-5), dy);
    const dparams = affineGrads(p.weight !== undefined, g);
    if (!ctx.probe) return { dxs: [g.dx], dparams };
    // Probe surrogate: every output depends on every input of its sample (the mean and
    // variance), so spread the summed gradient to all of them, positively.
    const N = x!.shape[0]!, M = x!.data.length / N, dx = alloc(x!.data, x!.data.length);
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += dy.data[n * M + i]!;
      for (let i = 0; i < M; i++) dx[n * M + i] = dy.data[n * M + i]! + s / M;
    }
    return { dxs: [{ shape: [...x!.shape], data: dx }], dparams };
  },
};

const lrnArgs = (node: LayerNode): LrnArgs => ({
  size: num(node.args.size, 5), alpha: num(node.args.alpha, 1e-4), beta: num(node.args.beta, 0.75), k: num(node.args.k, 2),
});

/** A channel-mixing layer whose probe surrogate sums over the same channel window. */
const lrnOp: ExecOp = {
  forward: (node, [x], _p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : lrnForward(x!, lrnArgs(node))),
  backward(node, [x], _y, dy, _p, ctx) {
    if (!ctx.probe) return { dxs: [lrnBackward(x!, lrnArgs(node), dy)] };
    return { dxs: [withShape(dy, dy.shape)] };
  },
};

/** An element-wise activation family; `arg` names its one hyper-parameter, if any. */
function activationOp(arg?: { name: string; fallback: number }): ExecOp {
  const a = (node: LayerNode) => (arg ? num(node.args[arg.name], arg.fallback) : 0);
  const act = (node: LayerNode) => {
    const f = activations[node.kind];
    if (!f) throw new ExecError(`no kernel for activation ${node.kind}`);
    return f;
  };
  return {
    forward: (node, [x], _p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : activationForward(x!, act(node), a(node))),
    backward: (node, [x], _y, dy, _p, ctx) => ({ dxs: [activationBackward(x!, act(node), a(node), dy, ctx.probe)] }),
  };
}

/** A full-shape axis from an axis written without the batch axis (0 = channels, −1 = last). */
export function fullAxis(axis: unknown, rank: number): number {
  const a = num(axis, 0);
  const full = a < 0 ? rank + a : a + 1;
  if (full < 1 || full >= rank) throw new ExecError(`axis ${a} is out of range for a rank-${rank - 1} tensor`);
  return full;
}

const softmaxOp: ExecOp = {
  forward: (node, [x], _p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : softmaxForward(x!, fullAxis(node.args.axis, x!.shape.length))),
  backward(node, [x], y, dy, _p, ctx) {
    const axis = fullAxis(node.args.axis, x!.shape.length);
    if (!ctx.probe) return { dxs: [softmaxBackward(y, axis, dy)] };
    // Probe surrogate: each output depends on the whole axis; spread the sum along it, positively.
    return { dxs: [mixAlong(dy, axis)] };
  },
};

/** dy plus the mean of dy along `axis`: a positive surrogate for a layer that mixes along it. */
function mixAlong(dy: Tensor, axis: number): Tensor {
  const outer = prod(dy.shape.slice(0, axis)), n = dy.shape[axis]!, inner = prod(dy.shape.slice(axis + 1));
  const dx = alloc(dy.data, dy.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += dy.data[(o * n + k) * inner + i]!;
    for (let k = 0; k < n; k++) dx[(o * n + k) * inner + i] = dy.data[(o * n + k) * inner + i]! + s / n;
  }
  return { shape: [...dy.shape], data: dx };
}

/** Layers that copy their input into a new shape: identity, dropout (inference), flatten, reshape. */
function copyOp(shape: (node: LayerNode, x: Tensor) => number[]): ExecOp {
  return {
    forward: (node, [x]) => withShape(x!, shape(node, x!)),
    backward: (_node, [x], _y, dy) => ({ dxs: [withShape(dy, x!.shape)] }),
  };
}

function reshapeTo(node: LayerNode, x: Tensor): number[] {
  const dims = (node.args.shape as number[]).slice();
  const size = prod(x.shape.slice(1));
  const known = prod(dims.filter((d) => d !== -1));
  const hole = dims.indexOf(-1);
  if (hole >= 0) dims[hole] = size / known;
  if (prod(dims) !== size || !Number.isInteger(dims[hole] ?? 0)) throw new ExecError(`cannot reshape [${x.shape.slice(1).join(", ")}] to [${(node.args.shape as number[]).join(", ")}]`);
  return [x.shape[0]!, ...dims];
}

const concatOp: ExecOp = {
  forward: (node, xs) => concatForward(xs, fullAxis(node.args.axis, xs[0]!.shape.length)),
  backward: (node, xs, _y, dy) => ({ dxs: concatBackward(xs, fullAxis(node.args.axis, xs[0]!.shape.length), dy) }),
};

const elementwiseOp: ExecOp = {
  forward: (node, xs) => elementwiseForward(xs, node.kind === "mul" ? "mul" : "add"),
  // Probe: a product sends dy to every factor as a sum does. Scaling it by the other factors
  // could only hide paths: where a factor is zero (a layer norm's output can be) or shrinks
  // until it underflows (a chain of gates squares the values at the border layer after layer).
  backward: (node, xs, _y, dy, _p, ctx) => ({ dxs: elementwiseBackward(xs, node.kind === "mul" && !ctx.probe ? "mul" : "add", dy) }),
};

const channelMaxOp: ExecOp = {
  forward: (node, [x], _p, ctx) => {
    const y = channelMaxForward(x!, num(node.args.k, 1));
    if (!ctx.probe) return y;
    // Probe: the group's sum instead of its maximum, so every channel's path stays visible.
    const k = num(node.args.k, 1), [N, C] = [x!.shape[0]!, x!.shape[1]!], plane = x!.data.length / (N * C);
    y.data.fill(0);
    for (let i = 0; i < x!.data.length; i++) {
      const n = Math.floor(i / (C * plane)), c = Math.floor(i / plane) % C;
      y.data[(n * (C / k) + Math.floor(c / k)) * plane + (i % plane)]! += x!.data[i]!;
    }
    return y;
  },
  backward: (node, [x], _y, dy, _p, ctx) => ({ dxs: [channelMaxBackward(x!, num(node.args.k, 1), dy, ctx.probe)] }),
};

/** Non-spatial families by name. */
export const pointwiseOps: Readonly<Record<string, ExecOp>> = {
  dense: denseOp,
  batchnorm: batchnormOp,
  layernorm: layernormOp,
  lrn: lrnOp,
  activation: activationOp(),
  leaky_relu: activationOp({ name: "slope", fallback: 0.01 }),
  elu: activationOp({ name: "alpha", fallback: 1 }),
  softmax: softmaxOp,
  dropout: copyOp((_n, x) => [...x.shape]),
  identity: copyOp((_n, x) => [...x.shape]),
  flatten: copyOp((_n, x) => [x.shape[0]!, prod(x.shape.slice(1))]),
  reshape: copyOp(reshapeTo),
  concat: concatOp,
  elementwise: elementwiseOp,
  channel_maxpool: channelMaxOp,
};
