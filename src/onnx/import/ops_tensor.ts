/**
 * Import records for element-wise, reshaping and merging ONNX operators, and for the
 * `convspec.*` nodes the pattern pass (patterns.ts) puts in place of decomposed operations.
 */
import { lookupLayer } from "../../families/registry.js";
import { resolveShape } from "./fold.js";
import type { OnnxNode } from "./model.js";
import type { Arg, Layout, Val } from "./steps.js";
import { attrFloat, attrInt, attrInts, posAxis, type Walk } from "./walk.js";
import type { OpImport } from "./ops_window.js";
import { selectAfterSlice } from "./ops_view.js";

/** An element-wise op that maps onto one ConvSpec activation, with the arguments `args` derives. */
function unary(call: string, args: (n: OnnxNode) => Arg[] | string = () => []): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    if (!x) return w.unmapped(node, "its input is not a data tensor");
    const a = args(node);
    if (typeof a === "string") return w.unmapped(node, a);
    w.emit(node, call, a, [x.step], x.shape, x.layout);
  };
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/** Clip(0, 6) → relu6, Clip(0, ∞) → relu; bounds from attributes (opset < 11) or constant inputs. */
const clip: OpImport = (w, node) => {
  const lo = w.consts(node, 1)?.[0] ?? attrFloat(node, "min", -Infinity);
  const hi = w.consts(node, 2)?.[0] ?? attrFloat(node, "max", Infinity);
  const call = lo === 0 && hi === 6 ? "relu6" : lo === 0 && hi >= 3.4e38 ? "relu" : undefined;
  if (!call) return w.unmapped(node, `Clip(${lo}, ${hi}) is neither relu6 (0, 6) nor relu (0, ∞)`);
  unary(call)(w, node);
};

const passThrough: OpImport = (w, node) => {
  const x = w.val(node.inputs[0]!);
  if (!x) return w.unmapped(node, "its input is unknown");
  w.alias(node, x);
  for (const o of node.outputs.slice(1)) if (o !== "") w.set(o, { shape: x.shape ?? [] }); // Dropout's mask
};

/** A data tensor reshaped to `to` (batch kept): nothing, flatten, or reshape. */
function reshapeTo(w: Walk, node: OnnxNode, x: Val & { step: number; shape: readonly number[] }, to: readonly number[]): void {
  if (to[0] !== x.shape[0]) return w.unmapped(node, `it reshapes the batch axis ([${x.shape.join(", ")}] → [${to.join(", ")}])`);
  if (to.length === x.shape.length && to.every((d, i) => d === x.shape[i])) return w.alias(node, x);
  if (x.layout === "last") x = w.first(node, 0)!; // reshaped in the order it is stored
  if (selectAfterSlice(w, node, x, to)) return;
  if (to.length === 2) return void w.emit(node, "flatten", [], [x.step], to);
  w.emit(node, "reshape", [{ value: to.slice(1) }], [x.step], to);
}

const reshape: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const t = w.consts(node, 1) ?? attrInts(node, "shape");
  const to = x && t ? resolveShape(x.shape, t) : undefined;
  if (!x || !to) return w.unmapped(node, "its target shape is not a constant the importer can fold");
  reshapeTo(w, node, x, to);
};

const flatten: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const axis = x ? posAxis(attrInt(node, "axis", 1), x.shape.length) : 0;
  if (!x || axis !== 1) return w.unmapped(node, "only Flatten(axis=1) keeps the batch axis");
  reshapeTo(w, node, x, [x.shape[0]!, x.shape.slice(1).reduce((a, b) => a * b, 1)]);
};

const squeeze = (unsq: boolean): OpImport => (w, node) => {
  const x = w.data(node, 0);
  const axes = attrInts(node, "axes") ?? w.consts(node, 1);
  if (!x || !axes) return w.unmapped(node, "its axes are not constant");
  const r = x.shape.length + (unsq ? axes.length : 0);
  const pos = new Set(axes.map((a) => posAxis(a, unsq ? r : x.shape.length)));
  let to: number[];
  if (unsq) {
    let k = 0;
    to = Array.from({ length: r }, (_, i) => (pos.has(i) ? 1 : x.shape[k++]!));
  } else to = x.shape.filter((d, i) => !(pos.has(i) && d === 1));
  reshapeTo(w, node, x, to);
};

/** Broadcast shape of two data shapes (NumPy rules), or undefined. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** Add/Mul of two data tensors → add/mul; Add of a [C] constant to a bias-less dense or conv → that layer's bias. */
function merge(call: "add" | "mul"): OpImport {
  return (w, node) => {
    const a = w.data(node, 0);
    const b = w.data(node, 1);
    if (a && b) {
      const shape = broadcastShape(a.shape, b.shape);
      if (!shape || a.layout !== b.layout) return w.unmapped(node, "operands that do not broadcast");
      return void w.emit(node, call, [], [a.step, b.step], shape, a.layout);
    }
    const x = a ?? b;
    const cName = node.inputs[a ? 1 : 0]!;
    const c = w.val(cName);
    if (!x || !c) return w.unmapped(node, "it has no data operand");
    const s = w.steps[x.step]!;
    const channels = s.shape[0];
    const perChannel = c.shape !== undefined && c.shape.filter((d) => d !== 1).length === 1 && c.shape.includes(channels!);
    const biasless = s.args.some((g) => g.key === "bias" && g.value === "false") && w.uses.get(node.inputs[a ? 0 : 1]!) === 1;
    if (call === "add" && perChannel && biasless && (s.call === "dense" || s.call.startsWith("conv"))) {
      s.args = s.args.filter((g) => g.key !== "bias");
      return w.alias(node, x);
    }
    // Adding zeros or multiplying by ones (after the bias check: a zero bias is still a parameter).
    if (c.values?.every((v) => v === (call === "add" ? 0 : 1))) return w.alias(node, x);
    // One number (a scalar, or one value no wider than x): `mul(y, 0.2)`, an extension beyond 1.1.
    const k = c.values?.length === 1 && (c.shape ?? []).length <= x.shape.length ? c.values[0]! : undefined;
    if (k !== undefined && Number.isFinite(k)) return void w.emit(node, call, [{ value: k }], [x.step], x.shape, x.layout);
    // A learned tensor (ConvNeXt's layer scale, a ViT's position embedding): a `param` operand.
    const p = c.init && c.shape && c.shape.reduce((m, d) => m * d, 1) > 1 ? w.param(cName, x) : undefined;
    if (p) {
      const shape = broadcastShape(x.shape, p.shape);
      if (shape) return void w.emit(node, call, [], a ? [x.step, p.step] : [p.step, x.step], shape, x.layout);
    }
    w.unmapped(node, `it ${call === "add" ? "adds" : "multiplies by"} a constant tensor [${c.shape?.join(", ") ?? "?"}]; ConvSpec has no layer with a learned ${call === "add" ? "offset" : "scale"} of that shape`);
  };
}

/** ReduceMean/ReduceMax over every spatial axis → global pooling (+ flatten without keepdims): `x.mean([2, 3])`. */
function reduce(call: "global_avgpool" | "global_maxpool"): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    const axes = attrInts(node, "axes") ?? w.consts(node, 1);
    if (!x || !axes) return w.unmapped(node, "its axes are not constant");
    const r = x.shape.length;
    const spatial = x.layout === "last" ? Array.from({ length: r - 2 }, (_, i) => i + 1) : Array.from({ length: r - 2 }, (_, i) => i + 2);
    const got = axes.map((a) => posAxis(a, r)).sort();
    if (r < 3 || got.length !== spatial.length || got.some((a, i) => a !== spatial[i])) return w.unmapped(node, `it reduces axes [${axes.join(", ")}], not every spatial axis`);
    const c = x.shape[x.layout === "last" ? r - 1 : 1]!;
    const ones = spatial.map(() => 1);
    if (attrInt(node, "keepdims", 1) === 0) {
      const pooled = w.emit(node, call, [], [x.step], [x.shape[0]!, c, ...ones]);
      w.emit(node, "flatten", [], [pooled], [x.shape[0]!, c]);
    } else if (x.layout === "last") w.emit(node, call, [], [x.step], [x.shape[0]!, ...ones, c], "last");
    else w.emit(node, call, [], [x.step], [x.shape[0]!, c, ...ones]);
  };
}

function globalPool(call: string): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    if (!x || x.layout === "last" || x.shape.length < 3) return w.unmapped(node, "its input is not a channels-first map");
    w.emit(node, call, [], [x.step], x.shape.map((d, i) => (i < 2 ? d : 1)));
  };
}

const softmax: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  const axis = posAxis(attrInt(node, "axis", w.opset >= 13 ? -1 : 1), x.shape.length);
  if (axis === 0) return w.unmapped(node, "softmax over the batch axis");
  if (w.opset < 13 && axis !== x.shape.length - 1 && x.shape.length > 2) return w.unmapped(node, "before opset 13 Softmax flattens the axes after its axis");
  w.emit(node, "softmax", axis === 1 ? [] : [{ key: "axis", value: axis - 1 }], [x.step], x.shape);
};

/** Channel shuffle (Reshape/Transpose/Reshape): a ConvSpec layer once the language has one; until then a coded diagnostic. */
const channelShuffle: OpImport = (w, node) => {
  if (!lookupLayer("channel_shuffle")) return w.unmapped(node, "channel shuffle (Reshape/Transpose/Reshape) has no ConvSpec layer yet; it leaves shapes, params and MACs unchanged");
  const groups = w.consts(node, 1)?.[1];
  if (groups === undefined || !Number.isInteger(groups) || groups < 1) return w.unmapped(node, "the group count (the first Reshape's target) is not a constant the importer can fold");
  unary("channel_shuffle", () => [{ value: groups }])(w, node);
};

/** pixel_shuffle / pixel_unshuffle (the pattern pass's nodes, DepthToSpace in CRD mode): [C·r^d, S] ↔ [C, S·r]. */
function pixelMove(call: "pixel_shuffle" | "pixel_unshuffle"): OpImport {
  return (w, node) => {
    const x = w.first(node, 0);
    const r = attrInt(node, node.opType === "DepthToSpace" ? "blocksize" : "r", 0);
    if (!x || r < 1 || x.shape.length < 3) return w.unmapped(node, "its input is not a channels-first map");
    if (node.opType === "DepthToSpace" && node.attrs.get("mode")?.kind === "string" && (node.attrs.get("mode") as { s: string }).s !== "CRD") {
      return w.unmapped(node, "DepthToSpace in DCR mode orders the channels unlike pixel_shuffle (CRD)");
    }
    const d = x.shape.length - 2;
    const block = r ** d;
    const shape = call === "pixel_shuffle" ? [x.shape[0]!, x.shape[1]! / block, ...x.shape.slice(2).map((n) => n * r)] : [x.shape[0]!, x.shape[1]! * block, ...x.shape.slice(2).map((n) => n / r)];
    if (!shape.every((n) => Number.isInteger(n))) return w.unmapped(node, `the sizes do not divide by r = ${r}`);
    w.emit(node, call, [{ value: r }], [x.step], shape);
  };
}

/**
 * The attention patterns' node (pattern_attention.ts): tokens [N, T, C], stored channels-last
 * after the Transpose of a [N, C, T] map or channels-first as PyTorch's ViT keeps them →
 * attention(heads) over the T positions. The weights, in whatever layout the exporter wrote
 * them, must hold exactly attention's 4·C² + 4·C (3·C fewer without qkv biases, 4·C fewer without any).
 */
const attention: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const heads = attrInt(node, "heads", 0);
  const qkvBias = attrInt(node, "qkv_bias", 1) === 1, bias = attrInt(node, "bias", 1) === 1;
  if (!x || x.shape.length !== 3) return w.unmapped(node, "its tokens are not a [N, tokens, C] data tensor");
  if (qkvBias && !bias) return w.unmapped(node, "its q, k, v projections have biases and its output projection none, which attention cannot say");
  const c = x.shape[2]!;
  const held = node.inputs.slice(1).reduce((n, i) => n + (w.val(i)?.init?.dims.reduce((a, d) => a * Number(d), 1) ?? NaN), 0);
  const needed = 4 * c * c + (qkvBias ? 3 * c : 0) + (bias ? c : 0);
  if (held !== needed || heads < 1 || c % heads !== 0) return w.unmapped(node, `its weights hold ${held} values for ${heads} heads over ${c} channels, not attention's ${needed}`);
  // No bias at all is PyTorch's bias=False (an extension beyond 1.1); in_proj's alone, qkv_bias=false.
  const args: Arg[] = [{ value: heads }, ...(!bias ? [{ key: "bias", value: "false" }] : qkvBias ? [] : [{ key: "qkv_bias", value: "false" }])];
  if (x.layout === "last") return void w.emit(node, "attention", args, [x.step], x.shape, "last");
  // Tokens stored [N, T, C] channels-first (C is the last axis): moved so that C leads.
  const moved = w.emit(node, "permute", [{ value: [1, 0] }], [x.step], [x.shape[0]!, x.shape[2]!, x.shape[1]!], "first", `${node.outputs[0]!}#tokens`);
  w.emit(node, "attention", args, [moved], x.shape, "last");
};

/**
 * PRelu with one slope, or one per channel (slope [C, 1, …], one axis fewer than the data,
 * broadcasting along the channels) → `prelu` / `prelu(C)`, an extension beyond 1.1.
 */
const prelu: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const s = w.val(node.inputs[1] ?? "")?.shape;
  if (!x || x.layout === "last" || !s) return w.unmapped(node, "its input is not a channels-first tensor or its slope's shape is unknown");
  const n = s.reduce((a, d) => a * d, 1), c = x.shape[1]!;
  const perChannel = s.length === x.shape.length - 1 && s[0] === c && s.slice(1).every((d) => d === 1);
  if (n !== 1 && !perChannel) return w.unmapped(node, `its slope [${s.join(", ")}] is neither one value nor one per channel of ${c}`);
  w.emit(node, "prelu", n === 1 ? [] : [{ value: c }], [x.step], x.shape);
};

export const tensorOps: Readonly<Record<string, OpImport>> = {
  PRelu: prelu,
  Relu: unary("relu"),
  Sigmoid: unary("sigmoid"),
  Tanh: unary("tanh"),
  Softplus: unary("softplus"),
  Mish: unary("mish"),
  "convspec.mish": unary("mish"),
  HardSwish: unary("hardswish"),
  Gelu: unary("gelu", (n) => (n.attrs.get("approximate")?.kind === "string" ? "tanh-approximate GELU" : [])),
  HardSigmoid: unary("hardsigmoid", (n) => (near(attrFloat(n, "alpha", 0.2), 1 / 6) && near(attrFloat(n, "beta", 0.5), 0.5) ? [] : "only PyTorch's hardsigmoid (alpha 1/6, beta 0.5)")),
  LeakyRelu: unary("leaky_relu", (n) => (near(attrFloat(n, "alpha", 0.01), 0.01) ? [] : [{ key: "slope", value: attrFloat(n, "alpha", 0.01) }])),
  Elu: unary("elu", (n) => (near(attrFloat(n, "alpha", 1), 1) ? [] : [{ key: "alpha", value: attrFloat(n, "alpha", 1) }])),
  Clip: clip,
  Softmax: softmax,
  Identity: passThrough,
  Dropout: passThrough,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze(false),
  Unsqueeze: squeeze(true),
  Add: merge("add"),
  Mul: merge("mul"),
  GlobalAveragePool: globalPool("global_avgpool"),
  GlobalMaxPool: globalPool("global_maxpool"),
  ReduceMean: reduce("global_avgpool"),
  ReduceMax: reduce("global_maxpool"),
  "convspec.gelu": unary("gelu"),
  "convspec.silu": unary("silu"),
  "convspec.hardswish": unary("hardswish"),
  "convspec.hardsigmoid": unary("hardsigmoid"),
  "convspec.channel_shuffle": channelShuffle,
  "convspec.pixel_shuffle": pixelMove("pixel_shuffle"),
  "convspec.pixel_unshuffle": pixelMove("pixel_unshuffle"),
  DepthToSpace: pixelMove("pixel_shuffle"),
  "convspec.attention": attention,
};
