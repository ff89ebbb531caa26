/** Reading ONNX back: Flatten, Reshape, Squeeze and Unsqueeze of data tensors → flatten, reshape (or nothing, or select). */
import { resolveShape } from "../../onnx/import/fold.js";
import type { OnnxNode } from "../../onnx/import/model.js";
import type { Data } from "../../onnx/import/read.js";
import { attrInt, attrInts, posAxis, type FamilyReads, type OpImport, type Walk } from "../../onnx/import/walk.js";
import { selectAfterSlice } from "../slice/onnx_import.js";
import { flatten, reshape } from "./family.js";

/** A data tensor reshaped to `to` (batch kept): nothing, flatten, or reshape. */
function reshapeTo(w: Walk, node: OnnxNode, x: Data, to: readonly number[]): void {
  if (to[0] !== x.shape[0]) return w.unmapped(node, `it reshapes the batch axis ([${x.shape.join(", ")}] → [${to.join(", ")}])`);
  if (to.length === x.shape.length && to.every((d, i) => d === x.shape[i])) return w.alias(node, x);
  if (x.layout === "last") x = w.first(node, 0)!; // reshaped in the order it is stored
  if (selectAfterSlice(w, node, x, to)) return;
  if (to.length === 2) return void w.emit(node, "flatten", [], [x.step], to);
  w.emit(node, "reshape", [{ value: to.slice(1) }], [x.step], to);
}

const readReshape: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const t = w.consts(node, 1) ?? attrInts(node, "shape");
  const to = x && t ? resolveShape(x.shape, t) : undefined;
  if (!x || !to) return w.unmapped(node, "its target shape is not a constant the importer can fold");
  reshapeTo(w, node, x, to);
};

const readFlatten: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const axis = x ? posAxis(attrInt(node, "axis", 1), x.shape.length) : 0;
  if (!x || axis !== 1) return w.unmapped(node, "only Flatten(axis=1) keeps the batch axis");
  reshapeTo(w, node, x, [x.shape[0]!, x.shape.slice(1).reduce((a, b) => a * b, 1)]);
};

/** Squeeze / Unsqueeze of a data tensor (of constants they fold, fold.ts). */
const readSqueeze = (unsq: boolean): OpImport => (w, node) => {
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

export const flattenReads: FamilyReads = { family: flatten, ops: [{ op: "Flatten", read: readFlatten }] };
export const reshapeReads: FamilyReads = {
  family: reshape,
  ops: [{ op: "Reshape", read: readReshape }, { op: "Squeeze", read: readSqueeze(false) }, { op: "Unsqueeze", read: readSqueeze(true) }],
};
