/**
 * Multi-head self-attention written as MatMul/Softmax, in two forms, each anchored at the
 * Softmax and replaced by one `convspec.attention` node that takes the tokens [N, T, C] and the
 * weights (attributes `heads`, `qkv_bias`, `bias` — 0 when out_proj has no bias):
 * - convspec's `attention` export: q, k, v as tokens · W (+ b), each viewed as [N, T, heads, d]
 *   and moved to [N, heads, T, d] (k to [N, heads, d, T]), Softmax(q·kᵀ · 1/√d) · v, heads
 *   joined back to [N, T, C], then the output projection;
 * - PyTorch 1.13's export of `nn.MultiheadAttention(batch_first=True)` (torchvision's ViT):
 *   tokens moved to [T, N, C], one in-projection tokens · W_inᵀ + b_in sliced into q, k, v,
 *   each viewed as [T, N·heads, d] and moved to [N·heads, T, d] (k to [N·heads, d, T]), q / √d,
 *   Softmax(q·kᵀ) · v, moved back, viewed [T·N, C], `Gemm` out_proj, viewed [T, N, C], moved
 *   back to [N, T, C].
 */
import type { OnnxAttr, OnnxNode } from "./model.js";
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
  if (!mm || !g.init(mm.inputs[1]!)) return undefined;
  if (!add) return { nodes: [mm], x: mm.inputs[0]!, weight: mm.inputs[1]! };
  const bias = g.other(add, mm.outputs[0]!);
  if (bias === undefined || !g.init(bias) || (g.readers.get(mm.outputs[0]!)?.length ?? 0) !== 1) return undefined;
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
    const d = g.init(q.lin.weight)?.dims.map(Number)[1];
    if (d === undefined || !near(g.scalar(g.other(scale, qk.outputs[0]!) ?? ""), 1 / Math.sqrt(d / q.heads))) return undefined;
    const mixed = g.only(av.outputs[0]!, "Transpose");
    const joined = mixed && samePerm(mixed, [0, 2, 1, 3]) ? g.only(mixed.outputs[0]!, "Reshape") : undefined;
    const outMm = joined && g.only(joined.outputs[0]!, "MatMul");
    // out_proj with its bias (MatMul → Add of an initializer), or without (bias=false): the
    // MatMul alone, whatever reads it next (a residual Add adds a tensor, not a bias).
    const outAdd = outMm && g.only(outMm.outputs[0]!, "Add");
    const withBias = outAdd && linear(g, outAdd.outputs[0]!);
    const out = withBias?.bias !== undefined ? withBias : outMm && linear(g, outMm.outputs[0]!);
    if (!mixed || !joined || !outMm || !out || out.x !== joined.outputs[0]) return undefined;
    const biases = q.lin.bias === undefined ? [] : [q.lin.bias, k.lin.bias!, v.lin.bias!];
    const inputs = [tokens, q.lin.weight, k.lin.weight, v.lin.weight, out.weight, ...(out.bias === undefined ? [] : [out.bias]), ...biases];
    const replaced = [...q.nodes, ...k.nodes, ...v.nodes, qk, scale, sm, av, mixed, joined, ...out.nodes];
    const last = out.nodes[out.nodes.length - 1]!.outputs[0]!;
    const attrs: [string, OnnxAttr][] = [["heads", intAttr(q.heads)], ["qkv_bias", intAttr(biases.length > 0 ? 1 : 0)], ["bias", intAttr(out.bias === undefined ? 0 : 1)]];
    return { replaced, node: synth("attention", inputs, last, sm.name, attrs) };
  },
};

/** The Slice of the in-projection that feeds one of q, k, v: Slice → Reshape → Transpose(perm). */
function torchHead(g: PatternGraph, t: string, perm: readonly number[]): { nodes: OnnxNode[]; proj: string } | undefined {
  const tr = g.from(t, "Transpose");
  const rs = tr && samePerm(tr, perm) ? g.from(tr.inputs[0]!, "Reshape") : undefined;
  const sl = rs && g.from(rs.inputs[0]!, "Slice");
  if (!tr || !rs || !sl || g.dataReaders(rs.outputs[0]!).length !== 1) return undefined;
  return { nodes: [sl, rs, tr], proj: sl.inputs[0]! };
}

export const torchAttention: Pattern = {
  anchor: "Softmax",
  match(g, sm) {
    const qk = g.from(sm.inputs[0]!, "MatMul");
    const div = qk && g.from(qk.inputs[0]!, "Div");
    const q = div && torchHead(g, div.inputs[0]!, [1, 0, 2]);
    const k = qk && torchHead(g, qk.inputs[1]!, [1, 2, 0]);
    const av = g.onlyData(sm.outputs[0]!, "MatMul");
    const v = av && torchHead(g, av.inputs[1]!, [1, 0, 2]);
    if (!qk || !div || !q || !k || !v || !av || q.proj !== k.proj || q.proj !== v.proj) return undefined;
    const inProj = linear(g, q.proj);
    const moved = inProj && g.from(inProj.x, "Transpose");
    if (!inProj || !moved || !samePerm(moved, [1, 0, 2]) || g.dataReaders(q.proj).length !== 3) return undefined;
    const c = g.init(inProj.weight)?.dims.map(Number)[0];
    const scale = g.scalar(div.inputs[1]!);
    if (c === undefined || scale === undefined || !(scale > 0)) return undefined;
    const heads = Math.round(c / (scale * scale));
    const back = g.onlyData(av.outputs[0]!, "Transpose");
    const flat = back && samePerm(back, [1, 0, 2]) ? g.onlyData(back.outputs[0]!, "Reshape") : undefined;
    const gemm = flat && g.onlyData(flat.outputs[0]!, "Gemm");
    const unflat = gemm && g.onlyData(gemm.outputs[0]!, "Reshape");
    const out = unflat && g.onlyData(unflat.outputs[0]!, "Transpose");
    if (!back || !flat || !gemm || !unflat || !out || !samePerm(out, [1, 0, 2]) || gemm.inputs.length < 3) return undefined;
    const inputs = [moved.inputs[0]!, inProj.weight, ...(inProj.bias ? [inProj.bias] : []), gemm.inputs[1]!, gemm.inputs[2]!];
    const replaced = [moved, ...inProj.nodes, ...q.nodes, ...k.nodes, ...v.nodes, div, qk, sm, av, back, flat, gemm, unflat, out];
    return { replaced, node: synth("attention", inputs, out.outputs[0]!, sm.name, [["heads", intAttr(heads)], ["qkv_bias", intAttr(inProj.bias ? 1 : 0)]]) };
  },
};
