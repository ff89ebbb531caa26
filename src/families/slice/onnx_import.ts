/**
 * Reading ONNX back: Slice (→ slice, or crop on spatial axes), Split and sibling Slices (→
 * split), Gather of one index (→ select, or slice when the axis is kept). Axes are ONNX's
 * (batch = 0), read on channels-last tensors through `logicalAxis`. The crop families are read
 * back here: a Slice is a crop or a slice by its axes and steps.
 */
import type { OnnxNode } from "../../onnx/import/model.js";
import type { Arg, ArgValue } from "../../onnx/import/steps.js";
import { axisArgs, logicalAxis, paddingArg, withSize, type Data } from "../../onnx/import/read.js";
import { attrInt, attrInts, posAxis, type FamilyReads, type OpImport, type Walk } from "../../onnx/import/walk.js";
import { select, slice, split } from "./family.js";

/** A Python-style bound clamped into [0, n] (ONNX clamps INT_MAX ends the same way). */
const clampBound = (v: number, n: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);

/**
 * Slice with constant bounds: over spatial axes only, step 1 → crop (the inverse of pad, as
 * `crop` and `center_crop` export); otherwise one `slice` per axis. Sibling one-axis Slices
 * that tile their axis become one split (`splitSiblings`).
 */
const readSlice: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x) return w.unmapped(node, "its input is not a data tensor");
  const starts = attrInts(node, "starts") ?? w.consts(node, 1);
  const ends = attrInts(node, "ends") ?? w.consts(node, 2);
  const r = x.shape.length;
  const axes = (attrInts(node, "axes") ?? w.consts(node, 3) ?? starts?.map((_, i) => i))?.map((a) => posAxis(a, r));
  const steps = w.consts(node, 4) ?? axes?.map(() => 1);
  if (!starts || !ends || !axes || !steps) return w.unmapped(node, "its bounds are not constants the importer can fold");
  if (axes.includes(0) || axes.some((a) => !(a < r) || a < 0)) return w.unmapped(node, `axes [${axes.join(", ")}] include the batch axis or lie outside rank ${r}`);
  if (steps.some((s) => s < 1)) return w.unmapped(node, "a negative step (ConvSpec's slice steps forward)");
  const bounds = axes.map((a, j) => [clampBound(starts[j]!, x.shape[a]!), clampBound(ends[j]!, x.shape[a]!)] as const);
  const spatial = axes.every((a) => logicalAxis(a, r, x.layout) > 0);
  const siblings = w.consumers(node.inputs[0]!).filter((c) => c.opType === "Slice");
  if (spatial && steps.every((s) => s === 1) && r > 2 && siblings.length === 1) {
    const sp = Array.from({ length: r - 2 }, (_, i) => (x.layout === "last" ? i + 1 : i + 2));
    const before = sp.map((a) => bounds[axes.indexOf(a)]?.[0] ?? 0);
    const after = sp.map((a) => (axes.includes(a) ? x.shape[a]! - bounds[axes.indexOf(a)]![1] : 0));
    const shape = x.shape.map((d, a) => (axes.includes(a) ? Math.max(0, bounds[axes.indexOf(a)]![1] - bounds[axes.indexOf(a)]![0]) : d));
    const prev = w.steps[x.step]!;
    const fromSlice = w.model.nodes.some((n) => n.opType === "Slice" && n.outputs[0] === node.inputs[0]);
    if (prev.call === "crop" && fromSlice && w.uses.get(node.inputs[0]!) === 1) {
      // A crop of a crop read by nothing else (PyTorch slices one axis per Slice): one crop, the amounts added.
      const [b0, a0] = cropAmounts(prev.args[0]!.value, sp.length);
      w.steps[x.step] = { ...prev, args: [{ value: paddingArg(before.map((v, i) => v + b0[i]!), after.map((v, i) => v + a0[i]!)) }], shape: w.logical(shape, x.layout) };
      return w.set(node.outputs[0]!, { step: x.step, shape, layout: x.layout ?? "first" });
    }
    return void w.emit(node, "crop", [{ value: paddingArg(before, after) }], [x.step], shape, x.layout);
  }
  let cur: Data = x;
  axes.forEach((a, j) => {
    const [b, e] = bounds[j]!;
    const size = Math.max(0, Math.ceil((e - b) / steps[j]!));
    const args: Arg[] = [{ value: b }, { value: e }, ...(steps[j] !== 1 ? [{ key: "step", value: steps[j]! }] : []), ...axisArgs(logicalAxis(a, r, x.layout))];
    const out = j === axes.length - 1 ? node.outputs[0]! : `${node.outputs[0]!}#${j}`;
    w.emit(node, "slice", args, [cur.step], withSize(cur.shape, a, size), x.layout, out);
    cur = w.val(out) as Data;
  });
  if (axes.length === 1 && steps[0] === 1 && siblings.length > 1) splitSiblings(w, node.inputs[0]!, x, axes[0]!, siblings.length);
};

/**
 * When the last of `count` sibling Slices of `input` is written: if every one took one range
 * of the same axis and together they tile it (PyTorch's `chunk`, convspec's `split` export),
 * their slice steps become the parts of one split, in order along the axis.
 */
function splitSiblings(w: Walk, input: string, x: Data, axis: number, count: number): void {
  const group = w.sliceGroups.get(input) ?? [];
  group.push(w.steps.length - 1);
  w.sliceGroups.set(input, group);
  if (group.length !== count) return;
  const mine = group.map((id) => w.steps[id]!);
  const logical = logicalAxis(axis, x.shape.length, x.layout);
  const ranges = mine.map((s) => ({ s, b: s.args[0]!.value as number, e: s.args[1]!.value as number, axis: (s.args.find((a) => a.key === "axis")?.value as number | undefined) ?? 0 }));
  if (ranges.length !== count || ranges.some((q) => q.axis !== logical || q.s.args.some((a) => a.key === "step"))) return;
  ranges.sort((p, q) => p.b - q.b);
  const n = x.shape[axis]!;
  if (ranges[0]!.b !== 0 || ranges[count - 1]!.e !== n || ranges.some((q, k) => q.e <= q.b || (k > 0 && ranges[k - 1]!.e !== q.b))) return;
  const sizes = ranges.map((q) => q.e - q.b);
  const args: Arg[] = [{ value: sizes.every((v) => v === sizes[0]) ? count : sizes }, ...axisArgs(logical)];
  const ids = ranges.map((q) => q.s.id);
  ranges.forEach((q, index) => (w.steps[q.s.id] = { ...q.s, call: "split", args, part: { ids, index } }));
}

/** A crop's amount as written (n, one per axis, or [before, after] pairs) as before and after per axis. */
function cropAmounts(v: ArgValue, axes: number): [number[], number[]] {
  const per = Array.from({ length: axes }, (_, i) => (Array.isArray(v) ? v[i]! : v));
  return [per.map((p) => (Array.isArray(p) ? (p[0] as number) : (p as number))), per.map((p) => (Array.isArray(p) ? (p[1] as number) : (p as number)))];
}

/** Writes the parts of `x` along stored `axis` as one split: a step per part, outputs in order. */
function emitSplit(w: Walk, node: OnnxNode, x: Data, axis: number, sizes: readonly number[], outputs: readonly string[]): void {
  const n = x.shape[axis]!;
  if (sizes.reduce((a, b) => a + b, 0) !== n || sizes.some((s) => s < 1)) return w.unmapped(node, `parts [${sizes.join(", ")}] do not cover the ${n} positions of axis ${axis}`);
  const sections: ArgValue = sizes.every((s) => s === sizes[0]) ? sizes.length : sizes;
  const args: Arg[] = [{ value: sections }, ...axisArgs(logicalAxis(axis, x.shape.length, x.layout))];
  const ids = sizes.map((_, k) => w.steps.length + k);
  sizes.forEach((size, index) => {
    const id = w.emit(node, "split", args, [x.step], withSize(x.shape, axis, size), x.layout, outputs[index]!);
    w.steps[id] = { ...w.steps[id]!, part: { ids, index } };
  });
}

/** Split: sizes from the attribute (before 13), the second input, or equal parts (num_outputs, 18). */
const readSplit: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x) return w.unmapped(node, "its input is not a data tensor");
  const axis = posAxis(attrInt(node, "axis", 0), x.shape.length);
  if (!(axis > 0 && axis < x.shape.length)) return w.unmapped(node, `axis ${axis} is the batch axis or outside rank ${x.shape.length}`);
  const n = x.shape[axis]!;
  const k = node.outputs.length;
  // Equal parts, the last one smaller when k does not divide n (Split-18's num_outputs).
  const equal = Array.from({ length: k }, (_, i) => Math.min(Math.ceil(n / k), n - i * Math.ceil(n / k)));
  emitSplit(w, node, x, axis, attrInts(node, "split") ?? w.consts(node, 1) ?? equal, node.outputs);
};

/**
 * Gather of one constant index along an axis: a scalar index removes the axis (select, as
 * `x[:, i]`); a one-element list keeps it at size 1 (slice i:i+1), which a Reshape that drops
 * that axis then turns into select (`selectAfterSlice`).
 */
const readGather: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const idx = w.val(node.inputs[1] ?? "");
  if (!x || idx?.values?.length !== 1 || !idx.shape) return w.unmapped(node, "only one constant index of a data tensor maps (select)");
  const r = x.shape.length;
  const axis = posAxis(attrInt(node, "axis", 0), r);
  if (!(axis > 0 && axis < r)) return w.unmapped(node, `axis ${axis} is the batch axis or outside rank ${r}`);
  const n = x.shape[axis]!;
  const i = idx.values[0]! < 0 ? idx.values[0]! + n : idx.values[0]!;
  if (i < 0 || i >= n) return w.unmapped(node, `index ${idx.values[0]} is outside the ${n} positions of axis ${axis}`);
  const logical = logicalAxis(axis, r, x.layout);
  if (idx.shape.length === 0) {
    if (x.layout === "last" && logical === 0) return w.unmapped(node, "it selects one channel of a channels-last tensor");
    const shape = x.shape.filter((_, a) => a !== axis);
    return void w.emit(node, "select", [{ value: i }, ...axisArgs(logical)], [x.step], shape, shape.length === 2 ? "first" : x.layout);
  }
  w.emit(node, "slice", [{ value: i }, { value: i + 1 }, ...axisArgs(logical)], [x.step], withSize(x.shape, axis, 1), x.layout);
};

/**
 * A Reshape that only drops the size-1 axis a one-position `slice` (from a Gather) left: the
 * slice becomes `select` and the reshape disappears. True when it did.
 */
export function selectAfterSlice(w: Walk, node: OnnxNode, x: Data, to: readonly number[]): boolean {
  const s = w.steps[x.step]!;
  if (s.call !== "slice" || x.layout === "last" || w.uses.get(node.inputs[0]!) !== 1 || to.length !== x.shape.length - 1) return false;
  const [b, e] = [s.args[0]!.value as number, s.args[1]!.value as number];
  const axis = (s.args.find((a) => a.key === "axis")?.value as number | undefined) ?? 0;
  const stored = axis + 1;
  if (e - b !== 1 || s.args.some((a) => a.key === "step") || x.shape[stored] !== 1) return false;
  if (!x.shape.filter((_, a) => a !== stored).every((d, a) => d === to[a])) return false;
  w.steps[x.step] = { ...s, call: "select", args: [{ value: b }, ...axisArgs(axis)], shape: to.slice(1) };
  w.set(node.outputs[0]!, { step: x.step, shape: to, layout: "first" });
  return true;
}

export const sliceReads: FamilyReads = { family: slice, ops: [{ op: "Slice", read: readSlice }] };
export const splitReads: FamilyReads = { family: split, ops: [{ op: "Split", read: readSplit }] };
export const selectReads: FamilyReads = { family: select, ops: [{ op: "Gather", read: readGather }] };
