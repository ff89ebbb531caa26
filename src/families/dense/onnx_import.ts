/** Reading ONNX back: Gemm → dense; MatMul by an initializer → dense, or a 1×1 conv on a channels-last map. */
import type { Arg } from "../../onnx/import/steps.js";
import { attrFloat, attrInt, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { dense } from "./family.js";

/** Gemm: Y = A·B (+ C); B is [out, in] with transB = 1 (PyTorch's Linear), [in, out] otherwise. */
const readGemm: OpImport = (w, node) => {
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
const readMatMul: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || !wt || wt.dims.length !== 2) return w.unmapped(node, "only a data tensor times a 2-D initializer maps (dense, or a 1×1 conv on channels-last maps)");
  const out = Number(wt.dims[1]);
  if (x.shape.length === 2) return void w.emit(node, "dense", [{ value: out }, { key: "bias", value: "false" }], [x.step], [x.shape[0]!, out]);
  if (x.layout !== "last") return w.unmapped(node, "a MatMul over the last axis of a channels-first map has no ConvSpec layer");
  const sp = x.shape.length - 2;
  w.emit(node, `conv${sp}d`, [{ value: out }, { value: 1 }, { key: "bias", value: "false" }], [x.step], [...x.shape.slice(0, -1), out], "last");
};

export const denseReads: FamilyReads = { family: dense, ops: [{ op: "Gemm", read: readGemm }, { op: "MatMul", read: readMatMul }] };
