/**
 * ONNX emitters for the windowed layer families: conv, deconv, max/avg/Lp pooling, global
 * and adaptive pooling, pad. Pads are always written out explicitly (no auto_pad).
 */
import type { ArgValue } from "../graph/ir.js";
import { perAxis, resolvePads } from "./geometry.js";
import {
  avgDivisor, int, ints, padNode, param, windowSizes, windowSum,
  type EmitCtx, type Emitter, type Window,
} from "./emit.js";

const PAD_MODE = { zeros: "constant", constant: "constant", reflect: "reflect", replicate: "edge", circular: "circular" } as const;

function window(c: EmitCtx, strideDefault: "one" | "kernel"): Window | string {
  const size = c.inShapes[0]!.slice(1);
  const n = size.length;
  const k = perAxis(c.node.args.kernel!, n);
  const s = c.node.args.stride === null && strideDefault === "kernel" ? k : perAxis(c.node.args.stride!, n);
  const d = perAxis(c.node.args.dilation ?? 1, n);
  const p = resolvePads(c.node.args.padding!, size, k, s, d);
  if (typeof p === "string") return p;
  return { size, k, s, d, pb: p.before, pa: p.after, ceil: c.node.args.ceil === true };
}

const conv: Emitter = (c) => {
  const w = window(c, "one");
  if (typeof w === "string") return { refuse: w };
  const weight = param(c, "weight");
  if (!weight) return { refuse: "it has no weight tensor" };
  const mode = PAD_MODE[(c.node.args.padding_mode as keyof typeof PAD_MODE) ?? "zeros"];
  let x = c.ins[0]!;
  let pb = w.pb;
  let pa = w.pa;
  if (mode !== "constant") {
    // A non-zero padding mode is materialized first; the Conv then pads nothing.
    x = padNode(c.b, x, pb, pa, mode);
    pb = pb.map(() => 0);
    pa = pa.map(() => 0);
  }
  const bias = param(c, "bias");
  const inputs = [x, c.b.floats(`${c.node.label}.weight`, weight.data, weight.shape)];
  if (bias) inputs.push(c.b.floats(`${c.node.label}.bias`, bias.data, bias.shape));
  return c.b.node("Conv", inputs, {
    kernel_shape: ints(w.k), strides: ints(w.s), dilations: ints(w.d),
    group: int(c.node.args.groups as number), pads: ints([...pb, ...pa]),
  }, c.node.label);
};

const deconv: Emitter = (c) => {
  const size = c.inShapes[0]!.slice(1);
  const n = size.length;
  const k = perAxis(c.node.args.kernel!, n);
  const s = perAxis(c.node.args.stride!, n);
  const d = perAxis(c.node.args.dilation!, n);
  const op = perAxis(c.node.args.output_padding!, n, 0);
  const p = resolvePads(c.node.args.padding!, size, k, size.map(() => 1), d);
  if (typeof p === "string") return { refuse: p };
  const weight = param(c, "weight");
  if (!weight) return { refuse: "it has no weight tensor" };
  const bias = param(c, "bias");
  const inputs = [c.ins[0]!, c.b.floats(`${c.node.label}.weight`, weight.data, weight.shape)];
  if (bias) inputs.push(c.b.floats(`${c.node.label}.bias`, bias.data, bias.shape));
  return c.b.node("ConvTranspose", inputs, {
    kernel_shape: ints(k), strides: ints(s), dilations: ints(d), group: int(c.node.args.groups as number),
    pads: ints([...p.before, ...p.after]), output_padding: ints(op),
  }, c.node.label);
};

/** True when ceil mode adds a window that floor mode would not have. */
function overhangs(w: Window): boolean {
  const { out, floorOut } = windowSizes(w);
  return out.some((o, i) => o !== floorOut[i]);
}

const maxpool: Emitter = (c) => {
  const w = window(c, "kernel");
  if (typeof w === "string") return { refuse: w };
  let x = c.ins[0]!;
  let pb = w.pb;
  let pa = w.pa;
  if (overhangs(w)) {
    // Ceil mode, PyTorch's rule: pad with −∞ up to the last window, then pool in floor mode.
    const { out } = windowSizes(w);
    const extra = w.size.map((n, i) => Math.max(0, (out[i]! - 1) * w.s[i]! + w.d[i]! * (w.k[i]! - 1) + 1 - (n + w.pb[i]! + w.pa[i]!)));
    x = padNode(c.b, x, pb, pa.map((v, i) => v + extra[i]!), "constant", -Infinity);
    pb = pb.map(() => 0);
    pa = pa.map(() => 0);
  }
  return c.b.node("MaxPool", [x], {
    kernel_shape: ints(w.k), strides: ints(w.s), dilations: ints(w.d), pads: ints([...pb, ...pa]),
  }, c.node.label);
};

const avgpool: Emitter = (c) => {
  const w = window(c, "kernel");
  if (typeof w === "string") return { refuse: w };
  const countPad = c.node.args.count_pad !== false;
  if (w.d.every((v) => v === 1) && !overhangs(w)) {
    return c.b.node("AveragePool", [c.ins[0]!], {
      kernel_shape: ints(w.k), strides: ints(w.s), pads: ints([...w.pb, ...w.pa]), count_include_pad: int(countPad ? 1 : 0),
    }, c.node.label);
  }
  // Dilated or overhanging windows: a windowed sum divided by each window's own count.
  const sum = windowSum(c.b, c.ins[0]!, c.inShapes[0]![0]!, w, c.node.label);
  const div = avgDivisor(w, countPad);
  return c.b.node("Div", [sum, c.b.floats(`${c.node.label}.divisor`, div.data, div.dims)], {}, c.node.label);
};

const lppool: Emitter = (c) => {
  const w = window(c, "kernel");
  if (typeof w === "string") return { refuse: w };
  const p = c.node.args.p as number;
  const padded = w.pb.some((v) => v > 0) || w.pa.some((v) => v > 0);
  if (Number.isInteger(p) && p % 2 === 0 && w.d.every((v) => v === 1) && !overhangs(w) && !padded) {
    return c.b.node("LpPool", [c.ins[0]!], { kernel_shape: ints(w.k), strides: ints(w.s), p: int(p), pads: ints([...w.pb, ...w.pa]) }, c.node.label);
  }
  // (Σ x^p)^(1/p), as PyTorch's LPPool (no absolute value, unlike ONNX LpPool).
  const pw = c.b.node("Pow", [c.ins[0]!, c.b.scalar(p)]);
  const sum = windowSum(c.b, pw, c.inShapes[0]![0]!, w, c.node.label);
  return c.b.node("Pow", [sum, c.b.scalar(1 / p)], {}, c.node.label);
};

const globalPool: Emitter = (c) =>
  c.b.node(c.node.kind === "global_maxpool" ? "GlobalMaxPool" : "GlobalAveragePool", [c.ins[0]!], {}, c.node.label);

/**
 * Adaptive pooling (PyTorch): output i of an axis covers [floor(i·N/O), ceil((i+1)·N/O)).
 * To 1 → a global pool; N divisible by O → a plain pool; otherwise, per axis, one slice and
 * reduction per output (max and mean over a box are separable) and a concat.
 */
const adaptive: Emitter = (c) => {
  const isMax = c.node.kind === "adaptive_maxpool";
  const size = c.inShapes[0]!.slice(1);
  const out = c.outShape.slice(1);
  if (out.every((o) => o === 1)) return c.b.node(isMax ? "GlobalMaxPool" : "GlobalAveragePool", [c.ins[0]!], {}, c.node.label);
  if (size.every((n, i) => n % out[i]! === 0)) {
    const k = size.map((n, i) => n / out[i]!);
    return c.b.node(isMax ? "MaxPool" : "AveragePool", [c.ins[0]!], { kernel_shape: ints(k), strides: ints(k) }, c.node.label);
  }
  if (out.reduce((a, v) => a + v, 0) > 1024) return { refuse: `output size [${out.join(", ")}] needs too many slices to express` };
  let cur = c.ins[0]!;
  for (let ax = 0; ax < size.length; ax++) {
    const n = size[ax]!;
    const o = out[ax]!;
    if (n === o) continue;
    const parts: string[] = [];
    for (let i = 0; i < o; i++) {
      const lo = Math.floor((i * n) / o);
      const hi = Math.ceil(((i + 1) * n) / o);
      const slice = c.b.node("Slice", [cur, c.b.int64s([lo]), c.b.int64s([hi]), c.b.int64s([ax + 2])]);
      parts.push(c.b.node(isMax ? "ReduceMax" : "ReduceMean", [slice], { axes: ints([ax + 2]), keepdims: int(1) }));
    }
    cur = parts.length === 1 ? parts[0]! : c.b.node("Concat", parts, { axis: int(ax + 2) });
  }
  return c.b.node("Identity", [cur], {}, c.node.label);
};

const pad: Emitter = (c) => {
  const size = c.inShapes[0]!.slice(1);
  const ones = size.map(() => 1);
  const p = resolvePads(c.node.args.p as ArgValue, size, ones, ones, ones);
  if (typeof p === "string") return { refuse: p };
  const mode = PAD_MODE[c.node.args.mode as keyof typeof PAD_MODE];
  const value = c.node.args.mode === "constant" ? (c.node.args.value as number) : 0;
  const y = padNode(c.b, c.ins[0]!, p.before, p.after, mode, value);
  return c.b.node("Identity", [y], {}, c.node.label);
};

/** Emitters of the windowed families, by family. */
export const windowEmitters: Readonly<Record<string, Emitter>> = {
  conv, deconv, maxpool, avgpool, lppool, global_pool: globalPool, adaptive_pool: adaptive, pad,
};
