/**
 * Reading ONNX back: PRelu with one slope, or one per channel (slope [C, 1, …], one axis fewer
 * than the data, broadcasting along the channels) → `prelu` / `prelu(C)`, an extension beyond 1.1.
 */
import { type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { prelu } from "./family.js";

const readPrelu: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const s = w.val(node.inputs[1] ?? "")?.shape;
  if (!x || x.layout === "last" || !s) return w.unmapped(node, "its input is not a channels-first tensor or its slope's shape is unknown");
  const n = s.reduce((a, d) => a * d, 1), c = x.shape[1]!;
  const perChannel = s.length === x.shape.length - 1 && s[0] === c && s.slice(1).every((d) => d === 1);
  if (n !== 1 && !perChannel) return w.unmapped(node, `its slope [${s.join(", ")}] is neither one value nor one per channel of ${c}`);
  w.emit(node, "prelu", n === 1 ? [] : [{ value: c }], [x.step], x.shape);
};

export const preluReads: FamilyReads = { family: prelu, ops: [{ op: "PRelu", read: readPrelu }] };
