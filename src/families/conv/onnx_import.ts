/** Reading ONNX back: Conv → conv1d/2d/3d (the emitter's inverse, and PyTorch's and tf2onnx's Conv). */
import type { Arg } from "../../onnx/import/steps.js";
import { badWindow, perAxis, validWindow, window, windowArgs } from "../../onnx/import/read.js";
import { attrInt, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { conv } from "./family.js";

/** PyTorch names a bias that constant folding made (batchnorm folded into the conv) `onnx::Conv_N`. */
const FOLDED_BIAS = /^onnx::Conv_\d+$/;

const readConv: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const wt = w.val(node.inputs[1]!)?.init;
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first data tensor");
  if (!wt) return w.unmapped(node, "its weight is not an initializer");
  const [cout, , ...k] = wt.dims.map(Number);
  const sp = x.shape.length - 2;
  if (sp < 1 || sp > 3 || k.length !== sp) return w.unmapped(node, `a ${sp}-D convolution with a ${k.length}-D kernel`);
  const win = window(node, x.shape.slice(2), k);
  if (!validWindow(win)) return w.unmapped(node, badWindow(win));
  const groups = attrInt(node, "group", 1);
  const args: Arg[] = [{ value: cout! }, { value: perAxis(win.k) }, ...windowArgs(win, undefined)];
  if (groups !== 1) args.push({ key: "groups", value: groups });
  const bias = node.inputs[2] ?? "";
  if (bias === "") args.push({ key: "bias", value: "false" });
  else if (FOLDED_BIAS.test(bias)) w.foldedBiases++;
  w.emit(node, `conv${sp}d`, args, [x.step], [x.shape[0]!, cout!, ...win.out]);
};

export const convReads: FamilyReads = { family: conv, ops: [{ op: "Conv", read: readConv }] };
