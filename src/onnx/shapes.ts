/**
 * Static shapes (without the batch axis) of every node, as the exporter needs them for
 * explicit pads, reshapes and broadcasts. Derived here, not read from src/analysis.
 */
import type { LayerNode, ModelGraph } from "../graph/ir.js";
import { perAxis, resolvePads, windowOut } from "./geometry.js";

type Shape = number[];
type Rule = (n: LayerNode, ins: readonly Shape[]) => Shape | string;

const same: Rule = (_n, ins) => [...ins[0]!];

function spatial(s: Shape): number[] {
  return s.slice(1);
}

const convRule: Rule = (n, [x]) => {
  const sp = spatial(x!);
  const k = perAxis(n.args.kernel!, sp.length);
  const s = perAxis(n.args.stride!, sp.length);
  const d = perAxis(n.args.dilation!, sp.length);
  const p = resolvePads(n.args.padding!, sp, k, s, d);
  if (typeof p === "string") return p;
  return [n.args.out_channels as number, ...sp.map((v, i) => windowOut(v, p.before[i]!, p.after[i]!, k[i]!, s[i]!, d[i]!))];
};

const deconvRule: Rule = (n, [x]) => {
  const sp = spatial(x!);
  const k = perAxis(n.args.kernel!, sp.length);
  const s = perAxis(n.args.stride!, sp.length);
  const d = perAxis(n.args.dilation!, sp.length);
  const op = perAxis(n.args.output_padding!, sp.length, 0);
  const p = resolvePads(n.args.padding!, sp, k, Array(sp.length).fill(1), d);
  if (typeof p === "string") return p;
  // Transposed: (N − 1)·S − Pb − Pa + D·(K − 1) + output_padding + 1.
  return [n.args.out_channels as number, ...sp.map((v, i) => (v - 1) * s[i]! - p.before[i]! - p.after[i]! + d[i]! * (k[i]! - 1) + op[i]! + 1)];
};

const poolRule: Rule = (n, [x]) => {
  const sp = spatial(x!);
  const k = perAxis(n.args.kernel!, sp.length);
  const s = n.args.stride === null ? k : perAxis(n.args.stride!, sp.length);
  const d = perAxis(n.args.dilation!, sp.length);
  const p = resolvePads(n.args.padding!, sp, k, s, d);
  if (typeof p === "string") return p;
  return [x![0]!, ...sp.map((v, i) => windowOut(v, p.before[i]!, p.after[i]!, k[i]!, s[i]!, d[i]!, n.args.ceil === true))];
};

function broadcast(a: Shape, b: Shape): Shape | string {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return `shapes [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Shape rules by layer family. */
const rules: Readonly<Record<string, Rule>> = {
  conv: convRule,
  deconv: deconvRule,
  maxpool: poolRule,
  avgpool: poolRule,
  lppool: poolRule,
  global_pool: (_n, [x]) => [x![0]!, ...spatial(x!).map(() => 1)],
  adaptive_pool: (n, [x]) => [x![0]!, ...perAxis(n.args.output_size!, x!.length - 1)],
  dense: (n, [x]) => (x!.length === 1 ? [n.args.units as number] : `dense needs a rank-1 input, got [${x!.join(", ")}]`),
  batchnorm: same, layernorm: same, lrn: same, activation: same, leaky_relu: same, elu: same,
  softmax: same, dropout: same, identity: same,
  flatten: (_n, [x]) => [x!.reduce((a, b) => a * b, 1)],
  reshape: (n, [x]) => {
    const dims = n.args.shape as number[];
    const total = x!.reduce((a, b) => a * b, 1);
    const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = dims.map((d) => (d === -1 ? total / known : d));
    return out.reduce((a, b) => a * b, 1) === total && out.every(Number.isInteger) ? out : `cannot reshape [${x!.join(", ")}] to [${dims.join(", ")}]`;
  },
  pad: (n, [x]) => {
    const sp = spatial(x!);
    const ones = sp.map(() => 1);
    const p = resolvePads(n.args.p!, sp, ones, ones, ones);
    if (typeof p === "string") return p;
    return [x![0]!, ...sp.map((v, i) => v + p.before[i]! + p.after[i]!)];
  },
  upsample: (n, [x]) => {
    const sc = perAxis(n.args.scale!, x!.length - 1);
    return [x![0]!, ...spatial(x!).map((v, i) => v * sc[i]!)];
  },
  channel_maxpool: (n, [x]) => {
    const k = n.args.k as number;
    return x![0]! % k === 0 ? [x![0]! / k, ...spatial(x!)] : `${x![0]} channels do not split into groups of ${k}`;
  },
  concat: (n, ins) => {
    const r = ins[0]!.length;
    const ax = normAxis(n.args.axis as number, r);
    const out = [...ins[0]!];
    for (const s of ins.slice(1)) {
      if (s.length !== r || s.some((v, i) => i !== ax && v !== out[i])) return `concat operands [${ins.map((q) => q.join(", ")).join("], [")}] differ off axis ${ax}`;
      out[ax] = out[ax]! + s[ax]!;
    }
    return out;
  },
  tensor: (n) => [...(n.args.shape as number[])],
  elementwise: (_n, ins) => {
    let acc: Shape | string = ins[0]!;
    for (const s of ins.slice(1)) if (typeof acc !== "string") acc = broadcast(acc, s);
    return acc;
  },
};

/** A node axis (batch not counted; negative from the end) → an index into the batch-less shape. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Shapes of every node without the batch axis, or the first node whose shape cannot be derived. */
export function inferShapes(model: ModelGraph): { shapes: Map<number, Shape>; failure?: { node: LayerNode; reason: string } } {
  const shapes = new Map<number, Shape>();
  for (const n of model.nodes) {
    if (n.kind === "input") {
      shapes.set(n.id, [...(n.args.shape as number[])]);
      continue;
    }
    const rule = rules[n.family];
    if (!rule) return { shapes, failure: { node: n, reason: `layer family ${n.family} has no ONNX mapping` } };
    const r = rule(n, n.inputs.map((i) => shapes.get(i)!));
    if (typeof r === "string") return { shapes, failure: { node: n, reason: r } };
    if (r.some((v) => !Number.isInteger(v) || v < 1)) return { shapes, failure: { node: n, reason: `its output shape [${r.join(", ")}] is empty` } };
    shapes.set(n.id, r);
  }
  return { shapes };
}
