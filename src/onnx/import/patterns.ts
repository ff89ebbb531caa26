/**
 * Recognizes operations exporters write as several nodes and puts one `convspec.*` node in
 * their place, which the import table (ops.ts) maps like any operator: GELU as
 * 0.5·x·(1 + Erf(x/√2)), SiLU as x·Sigmoid(x), hardswish as x·HardSigmoid(x) or
 * x·relu6(x + 3)/6 (hardsigmoid without the x), LayerNorm before
 * opset 17 (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul/Add]), channel shuffle
 * (Reshape/Transpose/Reshape) and GroupNorm (Reshape/InstanceNormalization/Reshape[/Mul/Add]). One record per pattern, anchored at one op type; a match
 * requires every inner tensor to be read only inside the pattern.
 */
import { maxOf } from "../../util/array.js";
import type { OnnxModel, OnnxNode } from "./model.js";
import { attention, torchAttention } from "./pattern_attention.js";
import { intAttr, near, PatternGraph, synth, type Pattern } from "./pattern_graph.js";
import { poolPatterns } from "./pattern_pool.js";

/** x · f(x) with f read once: SiLU (Sigmoid), hardswish (PyTorch's HardSigmoid, alpha 1/6). */
function selfGate(anchor: string, op: string): Pattern {
  return {
    anchor,
    match(g, n) {
      const x = n.inputs[0]!;
      const mul = g.only(n.outputs[0]!, "Mul");
      if (!mul || g.other(mul, n.outputs[0]!) !== x) return undefined;
      if (anchor === "HardSigmoid") {
        const alpha = n.attrs.get("alpha");
        if (!(alpha?.kind === "float" && near(alpha.f, 1 / 6))) return undefined;
      }
      return { replaced: [n, mul], node: synth(op, [x], mul.outputs[0]!, n.name || mul.name) };
    },
  };
}

/** Mish as x · Tanh(Softplus(x)) (its op arrives only in opset 18). */
const mish: Pattern = {
  anchor: "Softplus",
  match(g, n) {
    const x = n.inputs[0]!;
    const tanh = g.only(n.outputs[0]!, "Tanh");
    const mul = tanh && g.only(tanh.outputs[0]!, "Mul");
    if (!tanh || !mul || g.other(mul, tanh.outputs[0]!) !== x) return undefined;
    return { replaced: [n, tanh, mul], node: synth("mish", [x], mul.outputs[0]!, n.name || mul.name) };
  },
};

/** 0.5·x·(1 + Erf(x/√2)), the multiplications in PyTorch's order (x·(…))·0.5 or convspec's (0.5·x)·(…). */
const gelu: Pattern = {
  anchor: "Erf",
  match(g, erf) {
    const div = g.from(erf.inputs[0]!, "Div") ?? g.from(erf.inputs[0]!, "Mul");
    if (!div) return undefined;
    const x = div.inputs[0]!;
    const c = g.scalar(div.inputs[1]!);
    if (!(div.opType === "Div" ? near(c, Math.SQRT2) : near(c, Math.SQRT1_2))) return undefined;
    const add = g.only(erf.outputs[0]!, "Add");
    if (!add || !near(g.scalar(g.other(add, erf.outputs[0]!) ?? ""), 1)) return undefined;
    const m1 = g.only(add.outputs[0]!, "Mul");
    if (!m1) return undefined;
    const o = g.other(m1, add.outputs[0]!)!;
    if (o === x) {
      const m2 = g.only(m1.outputs[0]!, "Mul");
      if (!m2 || !near(g.scalar(g.other(m2, m1.outputs[0]!) ?? ""), 0.5)) return undefined;
      return { replaced: [div, erf, add, m1, m2], node: synth("gelu", [x], m2.outputs[0]!, erf.name) };
    }
    const half = g.from(o, "Mul");
    if (!half || g.other(half, x) === undefined || !near(g.scalar(g.other(half, x)!), 0.5) || (g.readers.get(o)?.length ?? 0) !== 1) return undefined;
    return { replaced: [div, erf, add, half, m1], node: synth("gelu", [x], m1.outputs[0]!, erf.name) };
  },
};

/** Clip bounds from attributes (before opset 11) or constant inputs. */
function clipBounds(g: PatternGraph, clip: OnnxNode): [number | undefined, number | undefined] {
  const attr = (name: string) => ((a) => (a?.kind === "float" ? a.f : undefined))(clip.attrs.get(name));
  return [attr("min") ?? g.scalar(clip.inputs[1] ?? ""), attr("max") ?? g.scalar(clip.inputs[2] ?? "")];
}

/** relu6(x + 3) / 6 (hardsigmoid), times x (hardswish): how Keras and tf2onnx write them. */
const hardGate: Pattern = {
  anchor: "Clip",
  match(g, clip) {
    const add = g.from(clip.inputs[0]!, "Add");
    const [lo, hi] = clipBounds(g, clip);
    if (!add || lo !== 0 || hi !== 6 || (g.readers.get(add.outputs[0]!)?.length ?? 0) !== 1) return undefined;
    const x = add.inputs.find((i) => !near(g.scalar(i), 3));
    if (x === undefined || !near(g.scalar(g.other(add, x) ?? ""), 3)) return undefined;
    const div = g.only(clip.outputs[0]!, "Div") ?? g.only(clip.outputs[0]!, "Mul");
    const by = div && g.scalar(g.other(div, clip.outputs[0]!) ?? "");
    if (!div || !(div.opType === "Div" ? near(by, 6) : near(by, 1 / 6))) return undefined;
    const mul = g.only(div.outputs[0]!, "Mul");
    if (mul && g.other(mul, div.outputs[0]!) === x) return { replaced: [add, clip, div, mul], node: synth("hardswish", [x], mul.outputs[0]!, clip.name) };
    return { replaced: [add, clip, div], node: synth("hardsigmoid", [x], div.outputs[0]!, clip.name) };
  },
};

/** F.layer_norm before opset 17: mean, x − mean, its square's mean + eps, √, divide, then γ and β. */
const layerNorm: Pattern = {
  anchor: "ReduceMean",
  match(g, mean) {
    const x = mean.inputs[0]!;
    const sub = g.only(mean.outputs[0]!, "Sub");
    if (!sub || sub.inputs[0] !== x) return undefined;
    const rs = g.readers.get(sub.outputs[0]!) ?? [];
    const pow = rs.find((r) => r.opType === "Pow");
    const div = rs.find((r) => r.opType === "Div");
    if (rs.length !== 2 || !pow || !div || div.inputs[0] !== sub.outputs[0]) return undefined;
    const var_ = g.only(pow.outputs[0]!, "ReduceMean");
    const addEps = var_ && g.only(var_.outputs[0]!, "Add");
    const sqrt = addEps && g.only(addEps.outputs[0]!, "Sqrt");
    if (!sqrt || !var_ || !addEps || div.inputs[1] !== sqrt.outputs[0] || !near(g.scalar(pow.inputs[1]!), 2)) return undefined;
    const eps = g.scalar(g.other(addEps, var_.outputs[0]!) ?? "") ?? 1e-5;
    const replaced = [mean, sub, pow, var_, addEps, sqrt, div];
    const inputs = [x];
    let out = div.outputs[0]!;
    const scale = g.only(out, "Mul");
    const shift = scale && g.only(scale.outputs[0]!, "Add");
    if (scale && shift) {
      inputs.push(g.other(scale, out)!, g.other(shift, scale.outputs[0]!)!);
      replaced.push(scale, shift);
      out = shift.outputs[0]!;
    }
    const axis = BigInt(g.intsOf(mean, "axes", 1)?.[0] ?? -1); // ReduceMean's axes are an input from opset 18
    return { replaced, node: synth("layernorm", inputs, out, mean.name, [["axis", { kind: "int", i: axis }], ["epsilon", { kind: "float", f: eps }]]) };
  },
};

/** ShuffleNet's channel shuffle: view to [N, g, C/g, …], swap axes 1 and 2, view back. */
const channelShuffle: Pattern = {
  anchor: "Transpose",
  match(g, t) {
    const perm = t.attrs.get("perm");
    if (perm?.kind !== "ints" || perm.ints.length < 4 || Number(perm.ints[1]) !== 2 || Number(perm.ints[2]) !== 1) return undefined;
    if (perm.ints.some((p, i) => i > 2 && Number(p) !== i)) return undefined;
    const r1 = g.from(t.inputs[0]!, "Reshape");
    const r2 = g.only(t.outputs[0]!, "Reshape");
    if (!r1 || !r2 || (g.readers.get(r1.outputs[0]!)?.length ?? 0) !== 1) return undefined;
    // The first Reshape's target [N, groups, C/groups, …] goes along: PyTorch computes it from Shape, which the walk folds.
    return { replaced: [r1, t, r2], node: synth("channel_shuffle", [r1.inputs[0]!, r1.inputs[1]!], r2.outputs[0]!, t.name) };
  },
};

/**
 * GroupNorm as PyTorch exports it (convspec's export too): Reshape [N, G, −1] →
 * InstanceNormalization with scale 1 and bias 0 (constants of G) → Reshape back, then a Mul and
 * an Add by constants (γ, β) when both follow. The reader (groupnorm's import face) checks the
 * shapes, which are not known here: the targets go along as inputs.
 */
const groupNorm: Pattern = {
  anchor: "InstanceNormalization",
  match(g, n) {
    const r1 = g.from(n.inputs[0]!, "Reshape");
    const r2 = g.only(n.outputs[0]!, "Reshape");
    const target = r1 && g.consts(r1.inputs[1] ?? "");
    const [scale, shift] = [g.consts(n.inputs[1] ?? ""), g.consts(n.inputs[2] ?? "")];
    const groups = target?.[1];
    if (!r1 || !r2 || !g.only(r1.outputs[0]!, "InstanceNormalization") || target?.length !== 3 || groups === undefined) return undefined;
    if (scale?.length !== groups || shift?.length !== groups || scale.some((v) => v !== 1) || shift.some((v) => v !== 0)) return undefined;
    const replaced = [r1, n, r2];
    const inputs = [r1.inputs[0]!, r1.inputs[1]!, r2.inputs[1] ?? ""];
    let out = r2.outputs[0]!;
    const mul = g.only(out, "Mul");
    const add = mul && g.only(mul.outputs[0]!, "Add");
    const [gamma, beta] = [mul && g.other(mul, out), add && g.other(add, mul!.outputs[0]!)];
    const constant = (t: string | undefined) => t !== undefined && (g.init(t) !== undefined || g.from(t, "Constant") !== undefined);
    if (mul && add && constant(gamma) && constant(beta)) {
      replaced.push(mul, add);
      inputs.push(gamma!, beta!);
      out = add.outputs[0]!;
    }
    const eps = n.attrs.get("epsilon") ?? { kind: "float", f: 1e-5 };
    return { replaced, node: synth("groupnorm", inputs, out, n.name, [["groups", intAttr(groups)], ["epsilon", eps]]) };
  },
};

/**
 * pixel_unshuffle (space to depth, YOLOv2's reorg) as Reshape [N, C, H/r, r, W/r, r] →
 * Transpose [0, 1, 3, 5, 2, 4] → Reshape, and pixel_shuffle as Reshape [N, C, r, r, H, W] →
 * Transpose [0, 1, 4, 2, 5, 3] → Reshape (PyTorch's and convspec's exports, any number of
 * spatial axes). r is read from the first Reshape's target.
 */
const pixelShuffle: Pattern = {
  anchor: "Transpose",
  match(g, t) {
    const perm = g.intsOf(t, "perm", 99);
    const r1 = g.from(t.inputs[0]!, "Reshape");
    const r2 = g.only(t.outputs[0]!, "Reshape");
    const target = r1 && g.consts(r1.inputs[1]!);
    if (!perm || !r1 || !r2 || !target || (g.readers.get(r1.outputs[0]!)?.length ?? 0) !== 1 || perm.length < 4 || perm.length % 2 !== 0) return undefined;
    const d = (perm.length - 2) / 2;
    const ks = Array.from({ length: d }, (_, k) => k);
    const unshuffle = [0, 1, ...ks.map((k) => 3 + 2 * k), ...ks.map((k) => 2 + 2 * k)];
    const shuffle = [0, 1, ...ks.flatMap((k) => [2 + d + k, 2 + k])];
    const is = (p: number[]) => p.every((v, i) => v === perm[i]);
    const r = is(unshuffle) ? target[3] : is(shuffle) ? target[2] : undefined;
    if (r === undefined || r < 1) return undefined;
    return { replaced: [r1, t, r2], node: synth(is(unshuffle) ? "pixel_unshuffle" : "pixel_shuffle", [r1.inputs[0]!], r2.outputs[0]!, t.name, [["r", intAttr(r)]]) };
  },
};

export const patterns: readonly Pattern[] = [
  pixelShuffle,
  attention,
  torchAttention,
  gelu,
  selfGate("Sigmoid", "silu"),
  selfGate("HardSigmoid", "hardswish"),
  mish,
  hardGate,
  layerNorm,
  channelShuffle,
  groupNorm,
  ...poolPatterns,
];

/** The model with every recognized pattern replaced by one node, placed where its last node stood. */
export function applyPatterns(model: OnnxModel): OnnxModel {
  const g = new PatternGraph(model);
  const taken = new Set<OnnxNode>();
  const at = new Map<OnnxNode, OnnxNode>(); // last replaced node → synthetic node
  const index = new Map(model.nodes.map((n, i) => [n, i]));
  for (const n of model.nodes) {
    if (taken.has(n)) continue;
    for (const p of patterns) {
      if (p.anchor !== n.opType) continue;
      const m = p.match(g, n);
      if (!m || m.replaced.some((r) => taken.has(r))) continue;
      for (const r of m.replaced) taken.add(r);
      const order = m.replaced.map((r) => index.get(r)!);
      at.set(model.nodes[maxOf(order)]!, m.node);
      break;
    }
  }
  if (taken.size === 0) return model;
  const placed = model.nodes.flatMap((n) => (at.has(n) ? [at.get(n)!] : taken.has(n) ? [] : [n]));
  // A node left reading a tensor only a replaced node made (a Shape of the pattern's inner
  // tensor, for a Reshape the pattern took) goes too, and what only it feeds.
  const known = new Set<string>(["", ...model.inputs.map((i) => i.name), ...model.initializers.keys()]);
  const nodes = placed.filter((n) => {
    if (!n.inputs.every((i) => known.has(i))) return false;
    for (const o of n.outputs) known.add(o);
    return true;
  });
  return { ...model, nodes };
}
