/** Reading ONNX back: MaxPool, AveragePool, LpPool → maxpool, avgpool, lppool (ceil mode, count_include_pad, p). */
import type { Arg } from "../../onnx/import/steps.js";
import { badWindow, perAxis, validWindow, window, windowArgs } from "../../onnx/import/read.js";
import { attrInt, attrInts, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { avgpool, lppool, maxpool } from "./family.js";

/** A pool. A Pad with −∞ just before a MaxPool (convspec's own ceil-mode export) joins its pads. */
function pool(call: "maxpool" | "avgpool" | "lppool"): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    const k = attrInts(node, "kernel_shape");
    if (!x || x.layout === "last" || !k || k.length !== x.shape.length - 2 || k.length === 0) return w.unmapped(node, "it needs a channels-first input and a kernel_shape per spatial axis");
    const ceil = attrInt(node, "ceil_mode", 0) === 1;
    const pending = call === "maxpool" ? x.negInfPad : undefined;
    const win = window(node, (pending?.shape ?? x.shape).slice(2), k, ceil, pending);
    if (!validWindow(win)) return w.unmapped(node, badWindow(win));
    const args: Arg[] = [{ value: perAxis(k) }, ...windowArgs(win, k)];
    if (!args.some((a) => a.key === "stride") && win.s.some((v, i) => v !== k[i])) args.push({ key: "stride", value: perAxis(win.s) });
    if (ceil) args.push({ key: "ceil", value: "true" });
    if (call === "avgpool" && attrInt(node, "count_include_pad", 0) === 0 && args.some((a) => a.key === "padding")) args.push({ key: "count_pad", value: "false" });
    if (call === "lppool" && attrInt(node, "p", 2) !== 2) args.push({ key: "p", value: attrInt(node, "p", 2) });
    w.emit(node, call, args, [pending?.step ?? x.step], [x.shape[0]!, x.shape[1]!, ...win.out]);
  };
}

export const maxpoolReads: FamilyReads = { family: maxpool, ops: [{ op: "MaxPool", read: pool("maxpool") }] };
export const avgpoolReads: FamilyReads = { family: avgpool, ops: [{ op: "AveragePool", read: pool("avgpool") }] };
export const lppoolReads: FamilyReads = { family: lppool, ops: [{ op: "LpPool", read: pool("lppool") }] };
