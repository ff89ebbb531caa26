/** Reading ONNX back: BatchNormalization, LayerNormalization (and the decomposed one the patterns find), LRN. */
import type { Arg } from "../../onnx/import/steps.js";
import { logicalAxis } from "../../onnx/import/read.js";
import { attrFloat, attrInt, posAxis, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { batchnorm, layernorm, lrn } from "./family.js";

const readBatchnorm: OpImport = (w, node) => {
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
const readLayernorm: OpImport = (w, node) => {
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

const readLrn: OpImport = (w, node) => {
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

export const batchnormReads: FamilyReads = { family: batchnorm, ops: [{ op: "BatchNormalization", read: readBatchnorm }] };
export const layernormReads: FamilyReads = {
  family: layernorm,
  // The decomposed LayerNorm (before opset 17), which patterns.ts recognizes, imports as the fused operator.
  ops: [{ op: "LayerNormalization", read: readLayernorm }, { op: "convspec.layernorm", read: readLayernorm }],
};
export const lrnReads: FamilyReads = { family: lrn, ops: [{ op: "LRN", read: readLrn }] };
