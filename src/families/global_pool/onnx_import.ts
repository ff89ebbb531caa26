/**
 * Reading ONNX back: GlobalAveragePool, GlobalMaxPool, and ReduceMean/ReduceMax over every
 * spatial axis (`x.mean([2, 3])`) → global pooling; convspec's export of adaptive pooling to a
 * size that does not divide the input (per axis, a Slice and a Reduce per output cell and a
 * Concat, which pattern_pool.ts puts as one `convspec.adaptive_pool` node) → adaptive pooling.
 */
import { perAxis } from "../../onnx/import/read.js";
import { attrInt, attrInts, posAxis, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { adaptivePool, globalPool } from "./family.js";

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

/**
 * One axis of an adaptive pool: its cells must be PyTorch's bins [⌊iN/O⌋, ⌈(i+1)N/O⌉) for
 * i < O (a Slice's end past N clamps to N). Its next axis, when it pools this one's result
 * alone, joins the same step: pooling a box is pooling each axis in turn, for max and mean.
 */
const readAdaptive: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last" || x.shape.length < 3) return w.unmapped(node, "its input is not a channels-first map");
  const r = x.shape.length;
  const axis = posAxis(attrInt(node, "axis", -1), r);
  const b = attrInts(node, "bounds") ?? [];
  const n = x.shape[axis]!, o = b.length / 2;
  const call = attrInt(node, "max", 0) === 1 ? "adaptive_maxpool" : "adaptive_avgpool";
  const bins = Array.from({ length: o }, (_, i) => [Math.floor((i * n) / o), Math.ceil(((i + 1) * n) / o)]);
  if (axis < 2 || bins.some(([lo, hi], i) => b[2 * i] !== lo || Math.min(b[2 * i + 1]!, n) !== hi)) {
    return w.unmapped(node, `its slices [${b.join(", ")}] along axis ${axis} are not the adaptive bins of ${n} into ${o}`);
  }
  const prev = w.steps[x.step]!;
  const before = w.steps[prev.inputs[0] ?? -1]?.shape;
  if (prev.call === call && w.uses.get(node.inputs[0]!) === 1 && before && before[axis - 1] === prev.shape[axis - 1]) {
    const out = prev.shape.map((d, i) => (i === axis - 1 ? o : d));
    w.steps[x.step] = { ...prev, args: [{ value: perAxis(out.slice(1)) }], shape: out, origin: node.name || node.outputs[0]! };
    w.set(node.outputs[0]!, { step: x.step, shape: [x.shape[0]!, ...out], layout: "first" });
    return;
  }
  const out = x.shape.map((d, i) => (i === axis ? o : d));
  w.emit(node, call, [{ value: perAxis(out.slice(2)) }], [x.step], out);
};

export const adaptivePoolReads: FamilyReads = { family: adaptivePool, ops: [{ op: "convspec.adaptive_pool", read: readAdaptive }] };
