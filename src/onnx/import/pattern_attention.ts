/**
 * Multi-head self-attention written as MatMul/Softmax (convspec's `attention` export, the
 * decomposition of PyTorch's scaled dot-product attention on [N, tokens, C]): q, k, v as
 * tokens · W (+ b), each viewed as [N, tokens, heads, d] and moved to [N, heads, tokens, d]
 * (k to [N, heads, d, tokens]), Softmax(q·kᵀ · 1/√d) · v, heads joined back to [N, tokens, C],
 * then the output projection. One `convspec.attention` node takes the tokens and the eight
 * weights, anchored at the Softmax.
 */
import type { OnnxNode } from "./model.js";
import { intAttr, near, synth, type PatternGraph, type Pattern } from "./pattern_graph.js";

interface Linear {
  readonly nodes: readonly OnnxNode[];
  readonly x: string;
  readonly weight: string;
  readonly bias?: string;
}

/** t = x · W (+ b) with W and b initializers. */
function linear(g: PatternGraph, t: string): Linear | undefined {
  const add = g.from(t, "Add");
  const mm = add ? (g.from(add.inputs[0]!, "MatMul") ?? g.from(add.inputs[1]!, "MatMul")) : g.from(t, "MatMul");
  if (!mm || !g.model.initializers.has(mm.inputs[1]!)) return undefined;
  if (!add) return { nodes: [mm], x: mm.inputs[0]!, weight: mm.inputs[1]! };
  const bias = g.other(add, mm.outputs[0]!);
  if (bias === undefined || !g.model.initializers.has(bias) || (g.readers.get(mm.outputs[0]!)?.length ?? 0) !== 1) return undefined;
  return { nodes: [mm, add], x: mm.inputs[0]!, weight: mm.inputs[1]!, bias };
}

const samePerm = (n: OnnxNode, perm: readonly number[]) => {
  const p = n.attrs.get("perm");
  return p?.kind === "ints" && p.ints.length === perm.length && p.ints.every((v, i) => Number(v) === perm[i]);
};

/** One of q, k, v: a projection viewed as [N, tokens, heads, d], then transposed by `perm`. */
function headsOf(g: PatternGraph, t: string, perm: readonly number[]): { nodes: OnnxNode[]; lin: Linear; heads: number } | undefined {
  const tr = g.from(t, "Transpose");
  const rs = tr && samePerm(tr, perm) ? g.from(tr.inputs[0]!, "Reshape") : undefined;
  const target = rs && g.consts(rs.inputs[1]!);
  const lin = rs && target?.length === 4 ? linear(g, rs.inputs[0]!) : undefined;
  if (!tr || !rs || !lin || !target) return undefined;
  return { nodes: [...lin.nodes, rs, tr], lin, heads: target[2]! };
}

export const attention: Pattern = {
  anchor: "Softmax",
  match(g, sm) {
    const scale = g.from(sm.inputs[0]!, "Mul");
    const qk = scale && (g.from(scale.inputs[0]!, "MatMul") ?? g.from(scale.inputs[1]!, "MatMul"));
    if (!scale || !qk) return undefined;
    const q = headsOf(g, qk.inputs[0]!, [0, 2, 1, 3]);
    const k = headsOf(g, qk.inputs[1]!, [0, 2, 3, 1]);
    const av = g.only(sm.outputs[0]!, "MatMul");
    const v = av && headsOf(g, av.inputs[1]!, [0, 2, 1, 3]);
    if (!q || !k || !v || !av || q.heads !== k.heads || q.heads !== v.heads) return undefined;
    const tokens = q.lin.x;
    if (k.lin.x !== tokens || v.lin.x !== tokens || (q.lin.bias === undefined) !== (k.lin.bias === undefined) || (q.lin.bias === undefined) !== (v.lin.bias === undefined)) return undefined;
    const d = g.model.initializers.get(q.lin.weight)?.dims.map(Number)[1];
    if (d === undefined || !near(g.scalar(g.other(scale, qk.outputs[0]!) ?? ""), 1 / Math.sqrt(d / q.heads))) return undefined;
    const mixed = g.only(av.outputs[0]!, "Transpose");
    const joined = mixed && samePerm(mixed, [0, 2, 1, 3]) ? g.only(mixed.outputs[0]!, "Reshape") : undefined;
    const outMm = joined && g.only(joined.outputs[0]!, "MatMul");
    const outAdd = outMm && g.only(outMm.outputs[0]!, "Add");
    const out = outAdd && linear(g, outAdd.outputs[0]!);
    if (!mixed || !joined || !outMm || !outAdd || out?.bias === undefined || out.x !== joined.outputs[0]) return undefined;
    const biases = q.lin.bias === undefined ? [] : [q.lin.bias, k.lin.bias!, v.lin.bias!];
    const inputs = [tokens, q.lin.weight, k.lin.weight, v.lin.weight, out.weight, out.bias, ...biases];
    const replaced = [...q.nodes, ...k.nodes, ...v.nodes, qk, scale, sm, av, mixed, joined, ...out.nodes];
    return { replaced, node: synth("attention", inputs, outAdd.outputs[0]!, sm.name, [["heads", intAttr(q.heads)]]) };
  },
};
