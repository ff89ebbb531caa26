/** Reading ONNX back: Transpose → a layout change (NC… ↔ N…C, no layer) or permute. */
import { attrInts, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { permute } from "./family.js";

/**
 * Transpose between channels-first and channels-last (NC… ↔ N…C): no layer, only a layout
 * change; any other order of the non-batch axes → permute.
 */
const readTranspose: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const perm = attrInts(node, "perm") ?? (x ? x.shape.map((_, i) => x.shape.length - 1 - i) : undefined);
  if (!x || !perm) return w.unmapped(node, "its input is not a data tensor");
  const r = perm.length;
  if (r !== x.shape.length || [...perm].sort((a, b) => a - b).some((a, i) => a !== i)) return w.unmapped(node, `perm [${perm.join(", ")}] is not an order of the ${x.shape.length} axes`);
  const toLast = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
  const toFirst = [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
  const is = (p: number[]) => r > 2 && p.every((v, i) => v === perm[i]);
  const src = w.steps[x.step]!;
  if (is(toFirst) && x.layout !== "last" && src.call === "input" && w.uses.get(node.inputs[0]!) === 1) {
    // A channels-last model input moved to NC… first (tf2onnx, Keras): the input is declared channels-first.
    const shape = perm.map((p) => x.shape[p]!);
    w.steps[x.step] = { ...src, shape: shape.slice(1) };
    return w.set(node.outputs[0]!, { step: x.step, shape, layout: "first" });
  }
  if (perm.every((v, i) => v === i)) return w.alias(node, x);
  if (is(toLast) && x.layout !== "last") return w.set(node.outputs[0]!, { step: x.step, shape: perm.map((p) => x.shape[p]!), layout: "last" });
  if (is(toFirst) && x.layout === "last") return w.set(node.outputs[0]!, { step: x.step, shape: perm.map((p) => x.shape[p]!), layout: "first" });
  if (perm[0] !== 0) return w.unmapped(node, `perm [${perm.join(", ")}] moves the batch axis`);
  const y = w.first(node, 0)!;
  w.emit(node, "permute", [{ value: perm.slice(1).map((a) => a - 1) }], [y.step], perm.map((p) => y.shape[p]!));
};

export const permuteReads: FamilyReads = { family: permute, ops: [{ op: "Transpose", read: readTranspose }] };
