/**
 * ONNX emitters for the non-windowed families: dense, normalisation, activations, layout,
 * upsample, maxout and merges. Node axes count without the batch axis, ONNX axes with it.
 */
import type { Attr } from "./builder.js";
import { alignRank, float, int, ints, param, paramOr, str, type EmitCtx, type Emitter } from "./emit.js";
import { perAxis } from "./geometry.js";
import { maxOf } from "../util/array.js";

/** A node axis (batch not counted, negative from the end) as an ONNX axis. */
function onnxAxis(axis: number): number {
  return axis < 0 ? axis : axis + 1;
}

const dense: Emitter = (c) => {
  const w = param(c, "weight");
  if (!w) return { refuse: "it has no weight tensor" };
  const inputs = [c.ins[0]!, c.b.floats(`${c.node.label}.weight`, w.data, w.shape)];
  const bias = param(c, "bias");
  if (bias) inputs.push(c.b.floats(`${c.node.label}.bias`, bias.data, bias.shape));
  return c.b.node("Gemm", inputs, { transB: int(1) }, c.node.label);
};

const batchnorm: Emitter = (c) => {
  const ch = [c.inShapes[0]![0]!];
  const inputs = [
    c.ins[0]!, paramOr(c, "weight", ch, 1), paramOr(c, "bias", ch, 0),
    paramOr(c, "running_mean", ch, 0), paramOr(c, "running_var", ch, 1),
  ];
  return c.b.node("BatchNormalization", inputs, { epsilon: float(c.node.args.eps as number) }, c.node.label);
};

const layernorm: Emitter = (c) => {
  const shape = c.inShapes[0]!;
  const inputs = [c.ins[0]!, paramOr(c, "weight", shape, 1), paramOr(c, "bias", shape, 0)];
  return c.b.node("LayerNormalization", inputs, { axis: int(1), epsilon: float(c.node.args.eps as number) }, c.node.label);
};

/**
 * Local response normalisation as PyTorch: x / (k + α·mean of x² over `size` channels)^β,
 * the window padded size/2 before and (size−1)/2 after. ONNX LRN centres even windows the
 * other way and wants 4-D input, so it is used only for odd sizes on 2-D maps.
 */
const lrn: Emitter = (c) => {
  const { size, alpha, beta, k } = c.node.args as { size: number; alpha: number; beta: number; k: number };
  if (size % 2 === 1 && c.inShapes[0]!.length === 3) {
    return c.b.node("LRN", [c.ins[0]!], { size: int(size), alpha: float(alpha), beta: float(beta), bias: float(k) }, c.node.label);
  }
  const x = c.ins[0]!;
  const sq = c.b.node("Mul", [x, x]);
  const cols = c.b.node("Reshape", [sq, c.b.int64s([0, 1, c.inShapes[0]![0]!, -1])]);
  const avg = c.b.node("AveragePool", [cols], {
    kernel_shape: ints([size, 1]), pads: ints([Math.floor(size / 2), 0, Math.floor((size - 1) / 2), 0]), count_include_pad: int(1),
  });
  const back = c.b.node("Reshape", [avg, c.b.int64s([0, ...c.inShapes[0]!])]);
  const den = c.b.node("Pow", [c.b.node("Add", [c.b.node("Mul", [back, c.b.scalar(alpha)]), c.b.scalar(k)]), c.b.scalar(beta)]);
  return c.b.node("Div", [x, den], {}, c.node.label);
};

function unary(op: string, attrs: Parameters<EmitCtx["b"]["node"]>[2] = {}): Emitter {
  return (c) => c.b.node(op, [c.ins[0]!], attrs, c.node.label);
}

/** Element-wise activations by kind (PyTorch's definitions). */
const activationsByKind: Readonly<Record<string, Emitter>> = {
  relu: unary("Relu"),
  sigmoid: unary("Sigmoid"),
  tanh: unary("Tanh"),
  hardsigmoid: unary("HardSigmoid", { alpha: float(1 / 6), beta: float(0.5) }),
  hardswish: unary("HardSwish"),
  relu6: (c) => c.b.node("Clip", [c.ins[0]!, c.b.scalar(0), c.b.scalar(6)], {}, c.node.label),
  silu: (c) => c.b.node("Mul", [c.ins[0]!, c.b.node("Sigmoid", [c.ins[0]!])], {}, c.node.label),
  // gelu (exact): 0.5·x·(1 + erf(x/√2)); the Gelu op itself arrives only in opset 20.
  gelu: (c) => {
    const x = c.ins[0]!;
    const e = c.b.node("Erf", [c.b.node("Mul", [x, c.b.scalar(Math.SQRT1_2)])]);
    const half = c.b.node("Mul", [x, c.b.scalar(0.5)]);
    return c.b.node("Mul", [half, c.b.node("Add", [e, c.b.scalar(1)])], {}, c.node.label);
  },
};

const activation: Emitter = (c) => {
  const e = activationsByKind[c.node.kind];
  return e ? e(c) : { refuse: `activation ${c.node.kind} has no ONNX mapping` };
};

const upsample: Emitter = (c) => {
  const scale = perAxis(c.node.args.scale!, c.inShapes[0]!.length - 1);
  const scales = c.b.floats(`${c.node.label}.scales`, [1, 1, ...scale], [scale.length + 2]);
  const nearest = c.node.args.mode === "nearest";
  // Nearest: source index floor(i / s) (PyTorch's `nearest`); linear: align_corners = false.
  const attrs: Record<string, Attr> = nearest
    ? { mode: str("nearest"), coordinate_transformation_mode: str("asymmetric"), nearest_mode: str("floor") }
    : { mode: str("linear"), coordinate_transformation_mode: str("pytorch_half_pixel") };
  return c.b.node("Resize", [c.ins[0]!, "", scales], attrs, c.node.label);
};

/** Maxout: [N, C, ...] → [N, C/k, k, ...] → max over the group axis. */
const channelMaxpool: Emitter = (c) => {
  const [ch, ...sp] = c.inShapes[0]!;
  const k = c.node.args.k as number;
  const grouped = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, ch! / k, k, ...sp])]);
  return c.b.node("ReduceMax", [grouped], { axes: ints([2]), keepdims: int(0) }, c.node.label);
};

const merge: Emitter = (c) => {
  const rank = maxOf(c.inShapes.map((s) => s.length));
  const aligned = c.ins.map((x, i) => alignRank(c.b, x, c.inShapes[i]!.length, rank));
  const op = c.node.kind === "mul" ? "Mul" : "Add";
  let acc = aligned[0]!;
  for (let i = 1; i < aligned.length; i++) acc = c.b.node(op, [acc, aligned[i]!], {}, i === aligned.length - 1 ? c.node.label : undefined);
  return aligned.length === 1 ? c.b.node("Identity", [acc], {}, c.node.label) : acc;
};

/** Emitters of the remaining families, by family. */
export const miscEmitters: Readonly<Record<string, Emitter>> = {
  dense, batchnorm, layernorm, lrn, activation,
  leaky_relu: (c) => c.b.node("LeakyRelu", [c.ins[0]!], { alpha: float(c.node.args.slope as number) }, c.node.label),
  elu: (c) => c.b.node("Elu", [c.ins[0]!], { alpha: float(c.node.args.alpha as number) }, c.node.label),
  softmax: (c) => c.b.node("Softmax", [c.ins[0]!], { axis: int(onnxAxis(c.node.args.axis as number)) }, c.node.label),
  dropout: unary("Identity"),
  identity: unary("Identity"),
  flatten: unary("Flatten", { axis: int(1) }),
  reshape: (c) => c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, ...c.outShape])], {}, c.node.label),
  upsample,
  channel_maxpool: channelMaxpool,
  concat: (c) => c.b.node("Concat", [...c.ins], { axis: int(onnxAxis(c.node.args.axis as number)) }, c.node.label),
  elementwise: merge,
};
