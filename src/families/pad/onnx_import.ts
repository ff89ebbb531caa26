/** Reading ONNX back: Pad on the spatial axes → pad (constant, reflect, edge → replicate); −∞ before a MaxPool joins the pool. */
import type { Arg } from "../../onnx/import/steps.js";
import { paddingArg } from "../../onnx/import/read.js";
import { attrFloat, attrInts, attrString, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { pad } from "./family.js";

const readPad: OpImport = (w, node) => {
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

export const padReads: FamilyReads = { family: pad, ops: [{ op: "Pad", read: readPad }] };
