/** Windowed pooling: max, average and power-average (Lp), 1-D to 3-D. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { ExecError } from "../../exec/kernels/util.js";
import { avgDivisor, emitWindow, int, ints, padNode, windowSizes, windowSum, type Emitter, type Window } from "../../onnx/emit.js";
import { flag, num, windowArgs } from "../args.js";
import type { ExecOp } from "../exec.js";
import { resolvePadding } from "../pad/kernel.js";
import { windowField } from "../rf.js";
import { poolBackward, poolForward, slidingWindows, type AxisWindows, type PoolOptions } from "./kernel.js";
import { dimensioned, type ArgSpec, type LayerSchema } from "../schema.js";
import { numel, type Family, type LayerRules } from "../types.js";
import { spatialDims, windows } from "../window.js";

const slidingArgs: ArgSpec[] = [
  { name: "kernel", type: { t: "ints", min: 1 } },
  { name: "stride", type: { t: "ints", min: 1 }, default: null, doc: "defaults to the kernel size" },
  { name: "padding", type: { t: "padding" }, default: 0 },
  { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
  { name: "ceil", type: { t: "bool" }, default: false },
];

export const maxpoolSchema: LayerSchema = {
  family: "maxpool",
  summary: "max pooling",
  kinds: dimensioned("maxpool"),
  args: slidingArgs,
};

export const avgpoolSchema: LayerSchema = {
  family: "avgpool",
  summary: "average pooling",
  kinds: dimensioned("avgpool"),
  args: [...slidingArgs, { name: "count_pad", type: { t: "bool" }, default: true, namedOnly: true }],
};

export const lppoolSchema: LayerSchema = {
  family: "lppool",
  summary: "power-average pooling (sum of x^p)^(1/p)",
  kinds: dimensioned("lppool"),
  args: [...slidingArgs, { name: "p", type: { t: "real", min: 1e-9 }, default: 2, namedOnly: true }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/**
 * Rules shared by windowed pooling; `perOutput(∏K)` is the FLOPs of one output element,
 * counted on the full window (padding included), as docs/counting.md states.
 */
function poolRules(perOutput: (window: bigint) => bigint): LayerRules {
  return {
    shape(ctx) {
      const dims = spatialDims(ctx);
      if (dims === undefined) return undefined;
      const geo = windows(ctx, dims);
      if (!geo) return undefined;
      // PyTorch: "pad should be at most half of effective kernel size"; a wider pad gives windows of padding only.
      const wide = geo.find((g) => Math.max(g.padBefore, g.padAfter) > Math.floor(g.effKernel / 2));
      if (wide) {
        ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
          layer: ctx.node.label, reason: `padding ${Math.max(wide.padBefore, wide.padAfter)} is more than half the window (${wide.effKernel})`,
        }, { hint: `at most ${Math.floor(wide.effKernel / 2)}, or pad explicitly with pad(...) first` }));
        return undefined;
      }
      return [ctx.inputs[0]!.shape[0]!, ...geo.map((g) => g.out)];
    },
    cost(ctx, out) {
      const window = numel(windows(ctx, out.length - 1)!.map((g) => g.kernel));
      return { macs: 0n, flops: numel(out) * perOutput(window) };
    },
    rf(ctx, out) {
      return windowField(ctx.inputs[0]!.rf, windows(ctx, out.length - 1)!);
    },
  };
}

/** Max pooling: ∏K − 1 compares per output. */
export const maxpoolRules = poolRules((w) => w - 1n);
/** Average pooling: ∏K − 1 adds and one divide per output. */
export const avgpoolRules = poolRules((w) => w);
/** Lp pooling: ∏K powers, ∏K − 1 adds and one root per output. */
export const lppoolRules = poolRules((w) => 2n * w);

// ── execution ─────────────────────────────────────────────────────────────────

/** A pooling family's execution: its per-axis windows for an input, and its reduction. */
export function poolExec(windows: (node: LayerNode, x: Tensor) => AxisWindows[], options: (node: LayerNode) => PoolOptions): ExecOp {
  return {
    forward(node, [x], _p, ctx) {
      const opt = options(node);
      // The probe reads max-type layers as sums, so every path through them stays visible.
      return poolForward(x!, windows(node, x!), ctx.probe && opt.op === "max" ? { op: "avg", countPad: false } : opt);
    },
    backward(node, [x], y, dy, _p, ctx) {
      return { dxs: [poolBackward(x!, windows(node, x!), options(node), y, dy, ctx.probe)] };
    },
  };
}

/** The windows of a sliding pooling: the pad kernel resolves padding against the actual input. */
function slidingFor(node: LayerNode, x: Tensor): AxisWindows[] {
  const dims = x.shape.length - 2;
  if (dims < 1) throw new ExecError(`${node.kind} needs spatial axes, the input is [${x.shape.slice(1).join(", ")}]`);
  const w = windowArgs(node, dims);
  const pads = resolvePadding(node.args.padding, x.shape.slice(2), w);
  const ceil = flag(node, "ceil");
  const axes = x.shape.slice(2).map((n, a) => slidingWindows(n, w.kernel[a]!, w.stride[a]!, w.dilation[a]!, pads.before[a]!, pads.after[a]!, ceil));
  if (axes.some((a) => a.pos.length === 0)) throw new ExecError(`the window does not fit the padded input (${x.shape.slice(2).join("×")})`);
  return axes;
}

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** True when ceil mode adds a window that floor mode would not have. */
function overhangs(w: Window): boolean {
  const { out, floorOut } = windowSizes(w);
  return out.some((o, i) => o !== floorOut[i]);
}

const maxpoolOnnx: Emitter = (c) => {
  const w = emitWindow(c);
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

const avgpoolOnnx: Emitter = (c) => {
  const w = emitWindow(c);
  if (typeof w === "string") return { refuse: w };
  const countPad = flag(c.node, "count_pad");
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

const lppoolOnnx: Emitter = (c) => {
  const w = emitWindow(c);
  if (typeof w === "string") return { refuse: w };
  const p = num(c.node, "p");
  const padded = w.pb.some((v) => v > 0) || w.pa.some((v) => v > 0);
  if (Number.isInteger(p) && p % 2 === 0 && w.d.every((v) => v === 1) && !overhangs(w) && !padded) {
    return c.b.node("LpPool", [c.ins[0]!], { kernel_shape: ints(w.k), strides: ints(w.s), p: int(p), pads: ints([...w.pb, ...w.pa]) }, c.node.label);
  }
  // (Σ x^p)^(1/p), as PyTorch's LPPool (no absolute value, unlike ONNX LpPool).
  const pw = c.b.node("Pow", [c.ins[0]!, c.b.scalar(p)]);
  const sum = windowSum(c.b, pw, c.inShapes[0]![0]!, w, c.node.label);
  return c.b.node("Pow", [sum, c.b.scalar(1 / p)], {}, c.node.label);
};

export const maxpool: Family = {
  schema: maxpoolSchema, rules: maxpoolRules, probe: {}, onnx: maxpoolOnnx,
  exec: poolExec(slidingFor, () => ({ op: "max" })),
};

export const avgpool: Family = {
  schema: avgpoolSchema, rules: avgpoolRules, probe: {}, onnx: avgpoolOnnx,
  exec: poolExec(slidingFor, (n) => ({ op: "avg", countPad: flag(n, "count_pad") })),
};

export const lppool: Family = {
  schema: lppoolSchema, rules: lppoolRules, probe: {}, onnx: lppoolOnnx,
  exec: poolExec(slidingFor, (n) => ({ op: "lp", p: num(n, "p") })),
};
