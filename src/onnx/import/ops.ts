/**
 * The import table: ONNX op type (or `convspec.*` pattern node) → the reader that maps the
 * node onto ConvSpec steps, folds it away, or refuses it with a coded diagnostic. Built from
 * the families' import faces (src/families/onnx_import.ts, one per family, beside its
 * emitter), plus the plumbing no family owns. Adding an operator that reads back into a
 * family is a row in that family's onnx_import.ts, not here.
 */
import { familyReads } from "../../families/onnx_import.js";
import type { OpImport, OpRead } from "./walk.js";

/** No layer: the output is the input (Identity, which the identity and dropout families export; Dropout at inference, its mask a shape only). */
const passThrough: OpImport = (w, node) => {
  const x = w.val(node.inputs[0]!);
  if (!x) return w.unmapped(node, "its input is unknown");
  w.alias(node, x);
  for (const o of node.outputs.slice(1)) if (o !== "") w.set(o, { shape: x.shape ?? [] }); // Dropout's mask
};

/** Plumbing: ops that read back as no layer. (Constants, shape arithmetic and casts fold first: fold.ts, import.ts.) */
const plumbing: readonly OpRead[] = [
  { op: "Identity", read: passThrough },
  { op: "Dropout", read: passThrough },
];

function table(): ReadonlyMap<string, OpImport> {
  const t = new Map<string, OpImport>();
  for (const r of [...familyReads.flatMap((f) => f.ops), ...plumbing]) {
    if (t.has(r.op)) throw new Error(`two import records read ONNX ${r.op}`);
    t.set(r.op, r.read);
  }
  return t;
}

export const importOps: ReadonlyMap<string, OpImport> = table();

/** Every ONNX operator (domain ai.onnx) the importer maps onto a layer, for docs and tests. */
export function importedOpTypes(): string[] {
  return [...importOps.keys()].filter((k) => !k.startsWith("convspec."));
}
