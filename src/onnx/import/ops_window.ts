/**
 * Import records for the ONNX operators with weights or windows: Conv, ConvTranspose, the
 * pools, Gemm/MatMul, the norms, LRN, Pad, Resize. Each record maps one node onto one ConvSpec
 * step (or refuses it with a coded diagnostic) and states the output shape by ONNX's own rule
 * (Operators.md), computed here from the attributes, not by the analyzer.
 */
import type { OnnxNode } from "./model.js";
import type { Arg, ArgValue, Layout, PendingPad } from "./steps.js";
import { attrFloat, attrInt, attrInts, attrString, posAxis, type Walk } from "./walk.js";

export type OpImport = (w: Walk, node: OnnxNode) => void;

/** One number when every axis agrees, else one per axis. */
export function perAxis(v: readonly number[]): ArgValue {
  return v.every((x) => x === v[0]) ? v[0]! : v;
}

/** ONNX pads (begin…, end…) → ConvSpec padding: n, [n per axis], or [[before, after] per axis]. */
export function paddingArg(begin: readonly number[], end: readonly number[]): ArgValue {
  if (begin.every((b, i) => b === end[i])) return perAxis(begin);
  return begin.map((b, i) => [b, end[i]!]);
}

/** Pads of a windowed op per spatial axis, with auto_pad resolved (SAME_UPPER puts the odd unit after). */
function padsOf(node: OnnxNode, inSp: readonly number[], k: readonly number[], s: readonly number[], d: readonly number[]): [number[], number[]] {
  const n = inSp.length;
  const autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const total = inSp.map((x, i) => Math.max(0, (Math.ceil(x / s[i]!) - 1) * s[i]! + d[i]! * (k[i]! - 1) + 1 - x));
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]!);
    return autoPad === "SAME_UPPER" ? [small, big] : [big, small];
  }
  const p = attrInts(node, "pads") ?? new Array<number>(2 * n).fill(0);
  return [p.slice(0, n), p.slice(n, 2 * n)];
}

/** Output size of a window along one axis (floor, or ceil with PyTorch's rule that a window may not start in the end padding). */
function windowOut(n: number, k: number, s: number, d: number, pb: number, pa: number, ceil: boolean): number {
  const span = n + pb + pa - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + pb) out--;
  return out;
}

interface Window {
  readonly k: number[];
  readonly s: number[];
  readonly d: number[];
  readonly begin: number[];
  readonly end: number[];
  readonly out: number[];
}

function window(node: OnnxNode, inSp: readonly number[], k: readonly number[], ceil = false, extra?: PendingPad): Window {
  const one = inSp.map(() => 1);
  const s = attrInts(node, "strides") ?? one;
  const d = attrInts(node, "dilations") ?? one;
  const [begin, end] = padsOf(node, inSp, k, s, d).map((p, side) => p.map((v, i) => v + ((side === 0 ? extra?.begin : extra?.end)?.[i] ?? 0)));
  const out = inSp.map((n, i) => windowOut(n, k[i]!, s[i]!, d[i]!, begin[i]!, end[i]!, ceil));
  return { k: [...k], s, d, begin, end, out };
}

/** Every attribute has one entry per spatial axis, each positive, and every output size is ≥ 1. */
function validWindow(win: Window): boolean {
  const n = win.k.length;
  const each = [win.s, win.d, win.begin, win.end, win.out];
  return each.every((a) => a.length === n && a.every((v) => Number.isSafeInteger(v))) && win.s.every((v) => v >= 1) && win.d.every((v) => v >= 1) && win.k.every((v) => v >= 1) && win.out.every((v) => v >= 1);
}

function badWindow(win: Window): string {
  return `kernel [${win.k.join(", ")}], strides [${win.s.join(", ")}], dilations [${win.d.join(", ")}], pads [${[...win.begin, ...win.end].join(", ")}] give no valid output ([${win.out.join(", ")}])`;
}

/** stride/padding/dilation arguments that differ from their defaults. */
function windowArgs(win: Window, strideDefault: number[] | undefined): Arg[] {
  const args: Arg[] = [];
  const same = (a: readonly number[], b: readonly number[]) => a.every((x, i) => x === b[i]);
  if (!same(win.s, strideDefault ?? win.s.map(() => 1))) args.push({ key: "stride", value: perAxis(win.s) });
  if (win.begin.some((x) => x !== 0) || win.end.some((x) => x !== 0)) args.push({ key: "padding", value: paddingArg(win.begin, win.end) });
  if (win.d.some((x) => x !== 1)) args.push({ key: "dilation", value: perAxis(win.d) });
  return args;
}

/** PyTorch names a bias that constant folding made (batchnorm folded into the conv) `onnx::Conv_N`. */
const FOLDED_BIAS = /^onnx::Conv_\d+$/;

const conv: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  if (!wt) return w.unmapped(node, "its weight is not an initializer");
  const [cout, , ...k] = wt.dims.map(Number);
  const sp = x.shape.length - 2;
  if (sp < 1 || sp > 3 || k.length !== sp) return w.unmapped(node, `a ${sp}-D convolution with a ${k.length}-D kernel`);
  const win = window(node, x.shape.slice(2), k);
  if (!validWindow(win)) return w.unmapped(node, badWindow(win));
  const groups = attrInt(node, "group", 1);
  const args: Arg[] = [{ value: cout! }, { value: perAxis(win.k) }, ...windowArgs(win, undefined)];
  if (groups !== 1) args.push({ key: "groups", value: groups });
  const bias = node.inputs[2] ?? "";
  if (bias === "") args.push({ key: "bias", value: "false" });
  else if (FOLDED_BIAS.test(bias)) w.foldedBiases++;
  w.emit(node, `conv${sp}d`, args, [x.step], [x.shape[0]!, cout!, ...win.out]);
};

const convTranspose: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || x.layout === "last" || !wt) return w.unmapped(node, "it needs a channels-first input and an initializer weight");
  if (node.attrs.has("output_shape")) return w.unmapped(node, "output_shape is not supported; give pads and output_padding");
  const groups = attrInt(node, "group", 1);
  const [, coutG, ...k] = wt.dims.map(Number);
  const cout = coutG! * groups;
  const inSp = x.shape.slice(2);
  const one = inSp.map(() => 1);
  const s = attrInts(node, "strides") ?? one;
  const d = attrInts(node, "dilations") ?? one;
  const op = attrInts(node, "output_padding") ?? inSp.map(() => 0);
  const p = attrInts(node, "pads") ?? new Array<number>(2 * inSp.length).fill(0);
  const begin = p.slice(0, inSp.length);
  const end = p.slice(inSp.length);
  const out = inSp.map((n, i) => (n - 1) * s[i]! - begin[i]! - end[i]! + d[i]! * (k[i]! - 1) + op[i]! + 1);
  const args: Arg[] = [{ value: cout }, { value: perAxis(k) }, ...windowArgs({ k, s, d, begin, end, out }, undefined)];
  if (op.some((v) => v !== 0)) args.push({ key: "output_padding", value: perAxis(op) });
  if (groups !== 1) args.push({ key: "groups", value: groups });
  if ((node.inputs[2] ?? "") === "") args.push({ key: "bias", value: "false" });
  w.emit(node, `deconv${inSp.length}d`, args, [x.step], [x.shape[0]!, cout, ...out]);
};

/** MaxPool / AveragePool / LpPool. A Pad with −∞ just before a MaxPool (convspec's own ceil-mode export) joins its pads. */
function pool(call: "maxpool" | "avgpool" | "lppool"): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    const k = attrInts(node, "kernel_shape");
    if (!x || x.layout === "last" || !k || k.length !== x.shape.length - 2 || k.length === 0) return w.unmapped(node, "it needs a channels-first input and a kernel_shape per spatial axis");
    const ceil = attrInt(node, "ceil_mode", 0) === 1;
    const pending = call === "maxpool" ? x.negInfPad : undefined;
    const win = window(node, (pending?.shape ?? x.shape).slice(2), k, ceil, pending);
    if (!validWindow(win)) return w.unmapped(node, badWindow(win));
    const args: Arg[] = [{ value: perAxis(k) }, ...windowArgs(win, k)];
    if (!args.some((a) => a.key === "stride") && win.s.some((v, i) => v !== k[i])) args.push({ key: "stride", value: perAxis(win.s) });
    if (ceil) args.push({ key: "ceil", value: "true" });
    if (call === "avgpool" && attrInt(node, "count_include_pad", 0) === 0 && args.some((a) => a.key === "padding")) args.push({ key: "count_pad", value: "false" });
    if (call === "lppool" && attrInt(node, "p", 2) !== 2) args.push({ key: "p", value: attrInt(node, "p", 2) });
    w.emit(node, call, args, [pending?.step ?? x.step], [x.shape[0]!, x.shape[1]!, ...win.out]);
  };
}

/** Gemm: Y = A·B (+ C); B is [out, in] with transB = 1 (PyTorch's Linear), [in, out] otherwise. */
const gemm: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || x.shape.length !== 2 || !wt || wt.dims.length !== 2) return w.unmapped(node, "it needs a [N, features] input and a 2-D initializer weight");
  if (attrInt(node, "transA", 0) !== 0 || attrFloat(node, "alpha", 1) !== 1) return w.unmapped(node, "transA and alpha ≠ 1 are not a dense layer");
  const units = Number(wt.dims[attrInt(node, "transB", 0) === 1 ? 0 : 1]);
  const args: Arg[] = [{ value: units }];
  if ((node.inputs[2] ?? "") === "") args.push({ key: "bias", value: "false" });
  w.emit(node, "dense", args, [x.step], [x.shape[0]!, units]);
};

/** MatMul by a [in, out] initializer: dense on [N, in]; a 1×1 conv on a channels-last map (Linear on channels, ConvNeXt). */
const matmul: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || !wt || wt.dims.length !== 2) return w.unmapped(node, "only a data tensor times a 2-D initializer maps (dense, or a 1×1 conv on channels-last maps)");
  const out = Number(wt.dims[1]);
  if (x.shape.length === 2) return void w.emit(node, "dense", [{ value: out }, { key: "bias", value: "false" }], [x.step], [x.shape[0]!, out]);
  if (x.layout !== "last") return w.unmapped(node, "a MatMul over the last axis of a channels-first map has no ConvSpec layer");
  const sp = x.shape.length - 2;
  w.emit(node, `conv${sp}d`, [{ value: out }, { value: 1 }, { key: "bias", value: "false" }], [x.step], [...x.shape.slice(0, -1), out], "last");
};

const batchnorm: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  const eps = attrFloat(node, "epsilon", 1e-5);
  const args: Arg[] = Math.abs(eps - 1e-5) > 1e-9 ? [{ key: "eps", value: eps }] : [];
  w.emit(node, "batchnorm", args, [x.step], x.shape);
  for (const o of node.outputs.slice(1)) if (o !== "") w.set(o, { shape: [x.shape[1]!] }); // training-mode running stats
};

/**
 * LayerNormalization (opset 17): ONNX normalizes the trailing axes from `axis` (batch counted);
 * ConvSpec's `axes` count from the channels. Channels-first: from axis 1 it is `axes=all`, from
 * axis a the list [a − 1, ..., rank − 2]. Channels-last (N…C, after a Transpose): the stored
 * last axis is the channels, so over it alone it is the default `axes=[0]`.
 */
const layernorm: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x) return w.unmapped(node, "its input is not a data tensor");
  const r = x.shape.length;
  const axis = posAxis(attrInt(node, "axis", -1), r);
  if (axis < 1) return w.unmapped(node, "it normalizes over the batch axis");
  const eps = attrFloat(node, "epsilon", 1e-5);
  const args: Arg[] = [];
  if (Math.abs(eps - 1e-5) > 1e-9) args.push({ key: "eps", value: eps });
  if ((node.inputs[1] ?? "") === "") args.push({ key: "affine", value: "false" });
  const stored = Array.from({ length: r - axis }, (_, i) => axis + i);
  const axes = stored.map((a) => logicalAxis(a, r, x.layout)).sort((a, b) => a - b);
  // The default, [0], is written out only when it is not the default.
  if (axes.length === r - 1) args.push({ key: "axes", value: "all" });
  else if (!(axes.length === 1 && axes[0] === 0)) args.push({ key: "axes", value: axes });
  w.emit(node, "layernorm", args, [x.step], x.shape, x.layout);
};

/** A stored ONNX axis (batch = 0) as a ConvSpec axis (channels = 0) of a tensor in `layout`. */
export function logicalAxis(a: number, rank: number, layout: Layout | undefined): number {
  if (layout !== "last") return a - 1;
  return a === rank - 1 ? 0 : a;
}

const lrn: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  const args: Arg[] = [
    { key: "size", value: attrInt(node, "size", 5) },
    { key: "alpha", value: attrFloat(node, "alpha", 1e-4) },
    { key: "beta", value: attrFloat(node, "beta", 0.75) },
    { key: "k", value: attrFloat(node, "bias", 1) },
  ];
  w.emit(node, "lrn", args, [x.step], x.shape);
};

/** Pad on the spatial axes: constant (zeros or a value), reflect, edge (→ replicate). */
const pad: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const p = attrInts(node, "pads") ?? w.consts(node, 1);
  if (!x || x.layout === "last" || !p) return w.unmapped(node, "it needs a channels-first input and constant pads");
  const r = x.shape.length;
  if (p.length !== 2 * r || p[0] !== 0 || p[1] !== 0 || p[r] !== 0 || p[r + 1] !== 0) return w.unmapped(node, "it pads the batch or channel axis");
  const begin = p.slice(2, r);
  const end = p.slice(r + 2);
  const mode = attrString(node, "mode", "constant");
  const value = attrFloat(node, "value", w.consts(node, 2)?.[0] ?? 0);
  const args: Arg[] = [{ value: paddingArg(begin, end) }];
  if (mode === "reflect") args.push({ key: "mode", value: "reflect" });
  else if (mode === "edge") args.push({ key: "mode", value: "replicate" });
  else if (mode !== "constant") return w.unmapped(node, `pad mode ${mode}`);
  else if (value === -Infinity && w.consumers(node.outputs[0]!).every((c) => c.opType === "MaxPool")) {
    // convspec's own ceil-mode export: −∞ rows up to the last window, then MaxPool; the pool takes them as padding.
    const padded = [...x.shape.slice(0, 2), ...x.shape.slice(2).map((n, i) => n + begin[i]! + end[i]!)];
    return w.set(node.outputs[0]!, { ...x, shape: padded, negInfPad: { step: x.step, shape: x.shape, begin, end } });
  } else if (!Number.isFinite(value)) return w.unmapped(node, `padding with ${value}`);
  else if (value !== 0) args.push({ key: "mode", value: "constant" }, { key: "value", value });
  w.emit(node, "pad", args, [x.step], [...x.shape.slice(0, 2), ...x.shape.slice(2).map((n, i) => n + begin[i]! + end[i]!)]);
};

/**
 * Resize / Upsample: by whole-number scales → upsample (nearest, or linear by rank); to sizes
 * → resize(size=[...]); by other scales → resize(scale=...) (floor(N · scale), as ONNX and
 * PyTorch). Modes: nearest, linear (bilinear, trilinear by rank), cubic (bicubic).
 */
const resize: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  const r = x.shape.length;
  let scales = attrFloat(node, "height_scale", 0) ? undefined : (w.consts(node, node.opType === "Upsample" ? 1 : 2) ?? attrInts(node, "scales"));
  const sizes = w.consts(node, 3);
  const bySize = (!scales || scales.length === 0) && sizes?.length === r;
  if (bySize) scales = sizes.map((n, i) => n / x.shape[i]!);
  if (!scales || scales.length !== r || scales[0] !== 1 || scales[1] !== 1) return w.unmapped(node, "it resizes the batch or channel axis, or its scales are not constant");
  const mode = attrString(node, "mode", "nearest");
  const linear = ["linear", "bilinear", "trilinear"][r - 3];
  const sp = scales.slice(2);
  const out = bySize ? sizes! : x.shape.map((n, i) => Math.floor(n * scales![i]!));
  if (!bySize && sp.every((s) => Number.isInteger(s)) && mode !== "cubic") {
    const args: Arg[] = [{ value: perAxis(sp) }];
    if (mode === "linear") args.push({ key: "mode", value: linear! });
    else if (mode !== "nearest") return w.unmapped(node, `resize mode ${mode}`);
    return void w.emit(node, "upsample", args, [x.step], out);
  }
  const word = mode === "nearest" ? undefined : mode === "linear" ? linear : mode === "cubic" ? "bicubic" : null;
  if (word === null) return w.unmapped(node, `resize mode ${mode}`);
  const args: Arg[] = [bySize ? { key: "size", value: out.slice(2) } : { key: "scale", value: perAxis(sp) }];
  if (word !== undefined) args.push({ key: "mode", value: word });
  w.emit(node, "resize", args, [x.step], out);
};

export const windowOps: Readonly<Record<string, OpImport>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool("maxpool"),
  AveragePool: pool("avgpool"),
  LpPool: pool("lppool"),
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: batchnorm,
  LayerNormalization: layernorm,
  LRN: lrn,
  Pad: pad,
  Resize: resize,
  Upsample: resize,
};
