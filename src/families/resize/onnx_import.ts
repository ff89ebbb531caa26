/**
 * Reading ONNX back: Resize / Upsample by whole-number scales → upsample (nearest, or linear by
 * rank); to sizes → resize(size=[...]); by other scales → resize(scale=...) (floor(N · scale), as
 * ONNX and PyTorch). Modes: nearest, linear (bilinear, trilinear by rank), cubic (bicubic).
 * The upsample family is read back here: which of the two a Resize is depends on its scales.
 */
import type { Arg } from "../../onnx/import/steps.js";
import { perAxis } from "../../onnx/import/read.js";
import { attrFloat, attrInts, attrString, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { resize } from "./family.js";

const readResize: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  const r = x.shape.length;
  let scales = attrFloat(node, "height_scale", 0) ? undefined : (w.consts(node, node.opType === "Upsample" ? 1 : 2) ?? attrInts(node, "scales"));
  const sizes = w.consts(node, 3);
  const bySize = (!scales || scales.length === 0) && sizes?.length === r;
  if (bySize) scales = sizes.map((n, i) => n / x.shape[i]!);
  if (!scales || scales.length !== r || scales[0] !== 1 || scales[1] !== 1) return w.unmapped(node, "it resizes the batch or channel axis, or its scales are not constant");
  const mode = attrString(node, "mode", "nearest");
  const linear = ["linear", "bilinear", "trilinear"][r - 3];
  const sp = scales.slice(2);
  const out = bySize ? sizes! : x.shape.map((n, i) => Math.floor(n * scales![i]!));
  if (!bySize && sp.every((s) => Number.isInteger(s)) && mode !== "cubic") {
    const args: Arg[] = [{ value: perAxis(sp) }];
    if (mode === "linear") args.push({ key: "mode", value: linear! });
    else if (mode !== "nearest") return w.unmapped(node, `resize mode ${mode}`);
    return void w.emit(node, "upsample", args, [x.step], out);
  }
  const word = mode === "nearest" ? undefined : mode === "linear" ? linear : mode === "cubic" ? "bicubic" : null;
  if (word === null) return w.unmapped(node, `resize mode ${mode}`);
  const args: Arg[] = [bySize ? { key: "size", value: out.slice(2) } : { key: "scale", value: perAxis(sp) }];
  if (word !== undefined) args.push({ key: "mode", value: word });
  w.emit(node, "resize", args, [x.step], out);
};

export const resizeReads: FamilyReads = { family: resize, ops: [{ op: "Resize", read: readResize }, { op: "Upsample", read: readResize }] };
