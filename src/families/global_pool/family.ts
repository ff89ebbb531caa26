/** Global and adaptive pooling (PyTorch's AdaptiveAvgPool / AdaptiveMaxPool). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { int, ints, type EmitCtx, type Emitter } from "../../onnx/emit.js";
import { axisValues } from "../args.js";
import { poolExec } from "../pool/family.js";
import { adaptiveWindows, type AxisWindows, type PoolOptions } from "../pool/kernel.js";
import type { ReceptiveField } from "../field.js";
import { adaptivePhases, phasesOf } from "../phases.js";
import { carry, wholeTensorField, withPhases } from "../rf.js";
import type { LayerSchema } from "../schema.js";
import { numel, showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
import { axisArg, sourceName, spatialDims } from "../window.js";

export const globalPoolSchema: LayerSchema = {
  family: "global_pool",
  summary: "pool every spatial axis to size 1",
  kinds: { global_avgpool: { kind: "global_avgpool" }, global_maxpool: { kind: "global_maxpool" } },
  args: [],
};

export const adaptivePoolSchema: LayerSchema = {
  family: "adaptive_pool",
  summary: "pool to a given output size",
  kinds: {
    adaptive_avgpool: { kind: "adaptive_avgpool" },
    adaptive_maxpool: { kind: "adaptive_maxpool" },
    adaptive_avgpool1d: { kind: "adaptive_avgpool", dims: 1 },
    adaptive_avgpool2d: { kind: "adaptive_avgpool", dims: 2 },
    adaptive_avgpool3d: { kind: "adaptive_avgpool", dims: 3 },
    adaptive_maxpool1d: { kind: "adaptive_maxpool", dims: 1 },
    adaptive_maxpool2d: { kind: "adaptive_maxpool", dims: 2 },
    adaptive_maxpool3d: { kind: "adaptive_maxpool", dims: 3 },
  },
  args: [{ name: "output_size", type: { t: "ints", min: 1 } }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Rank check for pooling over every spatial axis (no written dimensionality). */
function anySpatial(ctx: LayerContext): boolean {
  if (ctx.node.dims !== undefined) return spatialDims(ctx) !== undefined;
  const x = ctx.inputs[0]!;
  if (x.shape.length >= 2) return true;
  ctx.diags.push(diag(messages.rankMismatch, ctx.node.span, {
    layer: ctx.node.label, op: ctx.node.op, expected: "an input with spatial axes ([C, L], [C, H, W] or [C, D, H, W])", shape: showShape(x.shape), source: sourceName(x.node),
  }));
  return false;
}

/** The family's max kinds (`global_maxpool`, `adaptive_maxpool`); the others average. */
const maxKind = (node: LayerNode) => node.kind.includes("max");
const isMax = (ctx: LayerContext) => maxKind(ctx.node);

/** Global pooling: [C, 1, ..., 1]; the field is the whole input. */
export const globalPoolRules: LayerRules = {
  shape(ctx) {
    if (!anySpatial(ctx)) return undefined;
    const [c, ...spatial] = ctx.inputs[0]!.shape;
    return [c!, ...spatial.map(() => 1)];
  },
  /** avg: ∏spatial − 1 adds + 1 divide per output; max: ∏spatial − 1 compares. */
  cost(ctx, out) {
    const window = numel(ctx.inputs[0]!.shape.slice(1));
    return { macs: 0n, flops: numel(out) * (isMax(ctx) ? window - 1n : window) };
  },
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
};

/**
 * PyTorch's adaptive windows along one axis are [floor(i·N/O), ceil((i + 1)·N/O)) for i < O.
 * Writing i·N = q·O + r, window i holds ceil((r + N)/O) elements, and r runs over the
 * multiples of g = gcd(N, O) in [0, O − g]. So, in closed form (no array of O windows, which
 * an output size of 10^12 would not survive):
 *   first window  ceil(N/O)                      (r = 0)
 *   largest       ceil((N + O − g)/O)            (r = O − g)
 *   all windows   Σ = N + O − g                  (Σ ceil((i+1)N/O) − Σ floor(iN/O), telescoped)
 */
export function adaptiveAxis(n: number, o: number): { first: number; largest: number; total: bigint } {
  const N = BigInt(n), O = BigInt(o), g = gcdBig(N, O);
  const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
  return { first: Number(ceilDiv(N, O)), largest: Number(ceilDiv(N + O - g, O)), total: N + O - g };
}

function gcdBig(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Adaptive pooling to `output_size`; pooling to 1 everywhere is a global path. */
export const adaptivePoolRules: LayerRules = {
  shape(ctx) {
    if (!anySpatial(ctx)) return undefined;
    const [c, ...spatial] = ctx.inputs[0]!.shape;
    const sizes = axisArg(ctx, "output_size", spatial.length);
    return sizes && [c!, ...sizes];
  },
  /** Σ over outputs of its window (avg: window − 1 adds + 1 divide; max: window − 1 compares). */
  cost(ctx, out) {
    const spatial = ctx.inputs[0]!.shape.slice(1);
    let touched = 1n;
    spatial.forEach((n, a) => (touched *= adaptiveAxis(n, out[a + 1]!).total));
    const perChannel = isMax(ctx) ? touched - numel(out.slice(1)) : touched;
    return { macs: 0n, flops: BigInt(out[0]!) * perChannel };
  },
  rf(ctx, out) {
    if (out.slice(1).every((o) => o === 1)) return wholeTensorField(ctx.inputs[0]!, ctx.extent);
    const rf = ctx.inputs[0]!.rf;
    if (rf.whole) return rf;
    const spatial = ctx.inputs[0]!.shape.slice(1);
    // The recurrence's estimate (jump N/O, the first window's centre); the size is then the
    // widest unit's field, mapped window by window (windows differ in size, and after a
    // transposed conv or upsample so do the fields they gather).
    const axes = spatial.map((n, a) => adaptiveAxis(n, out[a + 1]!));
    const estimate: ReceptiveField = {
      size: rf.size.map((r, a) => (a < axes.length ? r + (axes[a]!.largest - 1) * rf.jump[a]! : r)),
      jump: rf.jump.map((j, a) => (a < axes.length ? (j * spatial[a]!) / out[a + 1]! : j)),
      start: rf.start.map((s, a) => (a < axes.length ? s + ((axes[a]!.first - 1) / 2) * rf.jump[a]! : s)),
      global: rf.global,
      whole: rf.whole,
      ...carry(rf),
    };
    return withPhases(estimate, rf.size.map((_, a) => (a < spatial.length ? adaptivePhases(phasesOf(rf, a), spatial[a]!, out[a + 1]!) : phasesOf(rf, a))));
  },
};

// ── execution ─────────────────────────────────────────────────────────────────

/** PyTorch's adaptive windows for output sizes `out` (the pool kernel computes them from N and O). */
function adaptiveFor(out: (node: LayerNode, dims: number) => number[]) {
  return (node: LayerNode, x: Tensor): AxisWindows[] => {
    const sizes = x.shape.slice(2);
    const o = out(node, sizes.length);
    return sizes.map((n, a) => adaptiveWindows(n, o[a]!));
  };
}

const reduction = (node: LayerNode): PoolOptions => ({ op: maxKind(node) ? "max" : "avg" });

// ── ONNX ──────────────────────────────────────────────────────────────────────

const globalOnnx = (max: boolean, input: string, c: EmitCtx) =>
  c.b.node(max ? "GlobalMaxPool" : "GlobalAveragePool", [input], {}, c.node.label);

/**
 * Adaptive pooling (PyTorch): output i of an axis covers [floor(i·N/O), ceil((i+1)·N/O)).
 * To 1 → a global pool; N divisible by O → a plain pool; otherwise, per axis, one slice and
 * reduction per output (max and mean over a box are separable) and a concat.
 */
const adaptiveOnnx: Emitter = (c) => {
  const max = maxKind(c.node);
  const size = c.inShapes[0]!.slice(1);
  const out = c.outShape.slice(1);
  if (out.every((o) => o === 1)) return globalOnnx(max, c.ins[0]!, c);
  if (size.every((n, i) => n % out[i]! === 0)) {
    const k = size.map((n, i) => n / out[i]!);
    return c.b.node(max ? "MaxPool" : "AveragePool", [c.ins[0]!], { kernel_shape: ints(k), strides: ints(k) }, c.node.label);
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
      parts.push(c.b.node(max ? "ReduceMax" : "ReduceMean", [slice], { axes: ints([ax + 2]), keepdims: int(1) }));
    }
    cur = parts.length === 1 ? parts[0]! : c.b.node("Concat", parts, { axis: int(ax + 2) });
  }
  return c.b.node("Identity", [cur], {}, c.node.label);
};

export const globalPool: Family = {
  schema: globalPoolSchema, rules: globalPoolRules, probe: {},
  exec: poolExec(adaptiveFor((_n, dims) => new Array<number>(dims).fill(1)), reduction),
  onnx: (c) => globalOnnx(maxKind(c.node), c.ins[0]!, c),
};

export const adaptivePool: Family = {
  schema: adaptivePoolSchema, rules: adaptivePoolRules, onnx: adaptiveOnnx,
  exec: poolExec(adaptiveFor((n, dims) => axisValues(n, "output_size", dims)), reduction),
  // Pooling to a size other than 1 widens its windows on a larger input.
  probe: { sizeDependent: (node) => ([] as unknown[]).concat(node.args.output_size).some((o) => o !== 1) },
};
