/**
 * Pooling convspec's exporter writes as several nodes (the families' `onnx` emitters):
 * adaptive pooling to a size that does not divide the input, one `Slice` + `ReduceMean` /
 * `ReduceMax` per output along an axis and a `Concat`; and channel_maxpool (maxout), a
 * `Reshape` [N, C/k, k, …] and a `ReduceMax` over axis 2.
 */
import type { OnnxNode } from "./model.js";
import { intAttr, PatternGraph, synth, type Pattern } from "./pattern_graph.js";

const REDUCE = new Set(["ReduceMean", "ReduceMax"]);

/** An int attribute (keepdims, axis). */
function intOf(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attrs.get(name);
  return a?.kind === "int" ? Number(a.i) : dflt;
}

/** One output of an adaptive pool along one axis: Reduce(Slice(x, [lo], [hi], [axis]), axes=[axis], keepdims=1). */
function cell(g: PatternGraph, r: OnnxNode): { x: string; axis: number; lo: number; hi: number; slice: OnnxNode } | undefined {
  const slice = g.from(r.inputs[0]!, "Slice");
  const axes = g.intsOf(r, "axes", 1);
  if (!slice || !REDUCE.has(r.opType) || axes?.length !== 1 || intOf(r, "keepdims", 1) !== 1) return undefined;
  if (!g.only(slice.outputs[0]!, r.opType)) return undefined;
  const [lo, hi, on, step] = [1, 2, 3, 4].map((i) => ((slice.inputs[i] ?? "") === "" ? undefined : g.consts(slice.inputs[i]!)));
  if (lo?.length !== 1 || hi?.length !== 1 || on?.length !== 1 || on[0] !== axes[0] || (step && !(step.length === 1 && step[0] === 1))) return undefined;
  return { x: slice.inputs[0]!, axis: axes[0]!, lo: lo[0]!, hi: hi[0]!, slice };
}

/**
 * Adaptive pooling along one axis, anchored at the Concat of its cells (every input one cell of
 * the same tensor, axis and reduction, whose bounds are PyTorch's bins for an axis as long as
 * the last one's end), or at a lone cell from 0 (an output of 1 on that axis) when it pools a
 * tensor another axis's cells made or is read by one. The bins go along as `bounds` [lo, hi,
 * …]: the reader, which knows the axis's size, checks it is that length.
 */
function adaptive(anchor: string): Pattern {
  return {
    anchor,
    match(g, n) {
      const parts = anchor === "Concat" ? n.inputs.map((i) => g.producer.get(i)) : [n];
      const cells = parts.map((p) => (p && (anchor !== "Concat" || g.only(p.outputs[0]!, "Concat") === n) ? cell(g, p) : undefined));
      const c0 = cells[0];
      if (!c0 || cells.some((c) => !c || c.x !== c0.x || c.axis !== c0.axis) || parts.some((p) => p!.opType !== parts[0]!.opType)) return undefined;
      if (anchor === "Concat" && (cells.length < 2 || intOf(n, "axis", -1) !== c0.axis || !binned(cells.map((c) => [c!.lo, c!.hi])))) return undefined;
      if (anchor !== "Concat" && !loneAxis(g, n, c0)) return undefined;
      const replaced = [...cells.map((c) => c!.slice), ...(parts as OnnxNode[]), ...(anchor === "Concat" ? [n] : [])];
      const attrs: Parameters<typeof synth>[4] = [
        ["axis", intAttr(c0.axis)],
        ["max", intAttr(parts[0]!.opType === "ReduceMax" ? 1 : 0)],
        ["bounds", { kind: "ints", ints: cells.flatMap((c) => [BigInt(c!.lo), BigInt(c!.hi)]) }],
      ];
      // convspec names the layer on the Identity after its last axis; a cell or Concat name says nothing.
      const named = g.only(n.outputs[0]!, "Identity")?.name;
      return { replaced, node: synth("adaptive_pool", [c0.x], n.outputs[0]!, named || n.name || parts[0]!.name, attrs) };
    },
  };
}

/** Are these [lo, hi) PyTorch's adaptive bins [⌊iN/O⌋, ⌈(i+1)N/O⌉) for O of them and N the last end? */
function binned(b: readonly (readonly [number, number])[]): boolean {
  const o = b.length, n = b[o - 1]![1];
  return b.every(([lo, hi], i) => lo === Math.floor((i * n) / o) && hi === Math.ceil(((i + 1) * n) / o));
}

/**
 * A lone cell from 0 is an axis pooled to 1 of a pool with another axis: it pools what another
 * axis's cells made, or its result is sliced into another axis's cells (of the same reduction).
 */
function loneAxis(g: PatternGraph, r: OnnxNode, c: { x: string; lo: number }): boolean {
  const readers = g.readers.get(r.outputs[0]!) ?? [];
  if (c.lo !== 0 || readers.some((q) => q.opType === "Concat")) return false;
  return chained(g, c.x) || readers.some((s) => (g.readers.get(s.outputs[0]!) ?? []).some((q) => q.opType === r.opType && cell(g, q) !== undefined));
}

/** Is `t` made by the Concat of another axis's adaptive cells? */
function chained(g: PatternGraph, t: string): boolean {
  const concat = g.from(t, "Concat");
  return concat !== undefined && concat.inputs.every((i) => g.producer.get(i) && cell(g, g.producer.get(i)!));
}

/** channel_maxpool(k): Reshape to [N, C/k, k, …] → ReduceMax over axis 2 without keepdims. */
const channelMax: Pattern = {
  anchor: "ReduceMax",
  match(g, n) {
    const r = g.from(n.inputs[0]!, "Reshape");
    const axes = g.intsOf(n, "axes", 1);
    const target = r && g.consts(r.inputs[1] ?? "");
    if (!r || !target || target.length < 3 || axes?.length !== 1 || axes[0] !== 2 || intOf(n, "keepdims", 1) !== 0 || !g.only(r.outputs[0]!, "ReduceMax")) return undefined;
    return { replaced: [r, n], node: synth("channel_maxpool", [r.inputs[0]!, r.inputs[1]!], n.outputs[0]!, n.name) };
  },
};

export const poolPatterns: readonly Pattern[] = [adaptive("Concat"), adaptive("ReduceMean"), adaptive("ReduceMax"), channelMax];
