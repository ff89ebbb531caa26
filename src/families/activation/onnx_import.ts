/**
 * Reading ONNX back: the element-wise activations (and the `convspec.*` nodes patterns.ts puts
 * in place of decomposed GELU, SiLU, hardswish, hardsigmoid), LeakyRelu, Elu, Softmax. Dropout
 * and identity export as Identity, which the importer passes through (plumbing, ops.ts).
 */
import { near, unary } from "../../onnx/import/read.js";
import { attrFloat, attrInt, posAxis, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { activation, elu, leakyRelu, softmax } from "./family.js";

/** Clip(0, 6) → relu6, Clip(0, ∞) → relu; bounds from attributes (opset < 11) or constant inputs. */
const readClip: OpImport = (w, node) => {
  const lo = w.consts(node, 1)?.[0] ?? attrFloat(node, "min", -Infinity);
  const hi = w.consts(node, 2)?.[0] ?? attrFloat(node, "max", Infinity);
  const call = lo === 0 && hi === 6 ? "relu6" : lo === 0 && hi >= 3.4e38 ? "relu" : undefined;
  if (!call) return w.unmapped(node, `Clip(${lo}, ${hi}) is neither relu6 (0, 6) nor relu (0, ∞)`);
  unary(call)(w, node);
};

const readSoftmax: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  const axis = posAxis(attrInt(node, "axis", w.opset >= 13 ? -1 : 1), x.shape.length);
  if (axis === 0) return w.unmapped(node, "softmax over the batch axis");
  if (w.opset < 13 && axis !== x.shape.length - 1 && x.shape.length > 2) return w.unmapped(node, "before opset 13 Softmax flattens the axes after its axis");
  w.emit(node, "softmax", axis === 1 ? [] : [{ key: "axis", value: axis - 1 }], [x.step], x.shape);
};

export const activationReads: FamilyReads = {
  family: activation,
  ops: [
    { op: "Relu", read: unary("relu") },
    { op: "Sigmoid", read: unary("sigmoid") },
    { op: "Tanh", read: unary("tanh") },
    { op: "HardSwish", read: unary("hardswish") },
    { op: "Softplus", read: unary("softplus") },
    { op: "Mish", read: unary("mish") },
    { op: "convspec.mish", read: unary("mish") },
    { op: "Gelu", read: unary("gelu", (n) => (n.attrs.get("approximate")?.kind === "string" ? "tanh-approximate GELU" : [])) },
    { op: "HardSigmoid", read: unary("hardsigmoid", (n) => (near(attrFloat(n, "alpha", 0.2), 1 / 6) && near(attrFloat(n, "beta", 0.5), 0.5) ? [] : "only PyTorch's hardsigmoid (alpha 1/6, beta 0.5)")) },
    { op: "Clip", read: readClip },
    { op: "convspec.gelu", read: unary("gelu") },
    { op: "convspec.silu", read: unary("silu") },
    { op: "convspec.hardswish", read: unary("hardswish") },
    { op: "convspec.hardsigmoid", read: unary("hardsigmoid") },
  ],
};
export const leakyReluReads: FamilyReads = {
  family: leakyRelu,
  ops: [{ op: "LeakyRelu", read: unary("leaky_relu", (n) => (near(attrFloat(n, "alpha", 0.01), 0.01) ? [] : [{ key: "slope", value: attrFloat(n, "alpha", 0.01) }])) }],
};
export const eluReads: FamilyReads = {
  family: elu,
  ops: [{ op: "Elu", read: unary("elu", (n) => (near(attrFloat(n, "alpha", 1), 1) ? [] : [{ key: "alpha", value: attrFloat(n, "alpha", 1) }])) }],
};
export const softmaxReads: FamilyReads = { family: softmax, ops: [{ op: "Softmax", read: readSoftmax }] };
