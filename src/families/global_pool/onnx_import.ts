/** Reading ONNX back: GlobalAveragePool, GlobalMaxPool, and ReduceMean/ReduceMax over every spatial axis (`x.mean([2, 3])`). */
import { attrInt, attrInts, posAxis, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { globalPool } from "./family.js";

/** ReduceMean/ReduceMax over every spatial axis → global pooling (+ flatten without keepdims). */
function reduce(call: "global_avgpool" | "global_maxpool"): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    const axes = attrInts(node, "axes") ?? w.consts(node, 1);
    if (!x || !axes) return w.unmapped(node, "its axes are not constant");
    const r = x.shape.length;
    const spatial = x.layout === "last" ? Array.from({ length: r - 2 }, (_, i) => i + 1) : Array.from({ length: r - 2 }, (_, i) => i + 2);
    const got = axes.map((a) => posAxis(a, r)).sort();
    if (r < 3 || got.length !== spatial.length || got.some((a, i) => a !== spatial[i])) return w.unmapped(node, `it reduces axes [${axes.join(", ")}], not every spatial axis`);
    const c = x.shape[x.layout === "last" ? r - 1 : 1]!;
    const ones = spatial.map(() => 1);
    if (attrInt(node, "keepdims", 1) === 0) {
      const pooled = w.emit(node, call, [], [x.step], [x.shape[0]!, c, ...ones]);
      w.emit(node, "flatten", [], [pooled], [x.shape[0]!, c]);
    } else if (x.layout === "last") w.emit(node, call, [], [x.step], [x.shape[0]!, ...ones, c], "last");
    else w.emit(node, call, [], [x.step], [x.shape[0]!, c, ...ones]);
  };
}

function global(call: string): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    if (!x || x.layout === "last" || x.shape.length < 3) return w.unmapped(node, "its input is not a channels-first map");
    w.emit(node, call, [], [x.step], x.shape.map((d, i) => (i < 2 ? d : 1)));
  };
}

export const globalPoolReads: FamilyReads = {
  family: globalPool,
  ops: [
    { op: "GlobalAveragePool", read: global("global_avgpool") },
    { op: "GlobalMaxPool", read: global("global_maxpool") },
    { op: "ReduceMean", read: reduce("global_avgpool") },
    { op: "ReduceMax", read: reduce("global_maxpool") },
  ],
};
