/** Reading ONNX back: ConvTranspose → deconv1d/2d/3d (pads and output_padding; output_shape refused). */
import type { Arg } from "../../onnx/import/steps.js";
import { perAxis, windowArgs } from "../../onnx/import/read.js";
import { attrInt, attrInts, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { deconv } from "./family.js";

const readConvTranspose: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || x.layout === "last" || !wt) return w.unmapped(node, "it needs a channels-first input and an initializer weight");
  if (node.attrs.has("output_shape")) return w.unmapped(node, "output_shape is not supported; give pads and output_padding");
  const groups = attrInt(node, "group", 1);
  const [, coutG, ...k] = wt.dims.map(Number);
  const cout = coutG! * groups;
  const inSp = x.shape.slice(2);
  const one = inSp.map(() => 1);
  const s = attrInts(node, "strides") ?? one;
  const d = attrInts(node, "dilations") ?? one;
  const op = attrInts(node, "output_padding") ?? inSp.map(() => 0);
  const p = attrInts(node, "pads") ?? new Array<number>(2 * inSp.length).fill(0);
  const begin = p.slice(0, inSp.length);
  const end = p.slice(inSp.length);
  const out = inSp.map((n, i) => (n - 1) * s[i]! - begin[i]! - end[i]! + d[i]! * (k[i]! - 1) + op[i]! + 1);
  const args: Arg[] = [{ value: cout }, { value: perAxis(k) }, ...windowArgs({ k, s, d, begin, end, out }, undefined)];
  if (op.some((v) => v !== 0)) args.push({ key: "output_padding", value: perAxis(op) });
  if (groups !== 1) args.push({ key: "groups", value: groups });
  if ((node.inputs[2] ?? "") === "") args.push({ key: "bias", value: "false" });
  w.emit(node, `deconv${inSp.length}d`, args, [x.step], [x.shape[0]!, cout, ...out]);
};

export const deconvReads: FamilyReads = { family: deconv, ops: [{ op: "ConvTranspose", read: readConvTranspose }] };
