/**
 * Shared checks for layers over spatial axes: the input's rank, per-axis arguments, and the
 * window geometry with its diagnostics (kernel larger than the padded input, dropped rows).
 */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerNode } from "../graph/ir.js";
import { perAxis } from "./args.js";
import { axisName, axisNoun, padPerAxis, showExact, windowGeometry, type WindowGeometry } from "./geometry.js";
import { showShape, type LayerContext } from "./types.js";

/** How a producing node is named in messages: `conv2d_3`, or `input image`. */
export function sourceName(n: LayerNode): string {
  return n.kind === "input" ? `input ${n.label}` : n.label;
}

/** The first operand's spatial dimensionality, checked against the written name (`conv2d` → 2). */
export function spatialDims(ctx: LayerContext): number | undefined {
  const { node } = ctx;
  const x = ctx.inputs[0]!;
  const rank = x.shape.length;
  const dims = node.dims ?? rank - 1;
  if (dims >= 1 && dims <= 3 && rank === dims + 1) return dims;
  const expected = node.dims
    ? `an input of rank ${node.dims + 1} ([C, ${Array.from({ length: node.dims }, (_, a) => axisName(a, node.dims!)).join(", ")}])`
    : "an input of rank 2 to 4 ([C, L], [C, H, W] or [C, D, H, W])";
  const hint = node.dims && rank >= 2 && rank <= 4 ? `use ${node.op.replace(/[123]d$/, "")} (dimensions from the input) or ${node.op.replace(/[123]d$/, `${rank - 1}d`)}` : undefined;
  ctx.diags.push(diag(messages.rankMismatch, node.span, { layer: node.label, op: node.op, expected, shape: showShape(x.shape), source: sourceName(x.node) }, { hint }));
  return undefined;
}

/** An integer argument per spatial axis, reporting a wrong count. */
export function axisArg(ctx: LayerContext, name: string, dims: number, fallback?: readonly number[]): number[] | undefined {
  const r = perAxis(ctx.node.args[name], dims, fallback);
  if (Array.isArray(r)) return r;
  ctx.diags.push(diag(messages.axisCount, ctx.node.span, { layer: ctx.node.label, name, count: r, shape: showShape(ctx.inputs[0]!.shape), dims }));
  return undefined;
}

const cache = new WeakMap<LayerContext, WindowGeometry[] | null>();

/**
 * The geometry of every spatial axis of a windowed layer (kernel, stride, padding, dilation,
 * ceil read from the node's arguments), reported once per analysis; undefined on an error.
 */
export function windows(ctx: LayerContext, dims: number, kernelArg = "kernel"): WindowGeometry[] | undefined {
  const hit = cache.get(ctx);
  if (hit !== undefined) return hit ?? undefined;
  const g = computeWindows(ctx, dims, kernelArg);
  cache.set(ctx, g ?? null);
  return g;
}

function computeWindows(ctx: LayerContext, dims: number, kernelArg: string): WindowGeometry[] | undefined {
  const { node } = ctx;
  const kernel = axisArg(ctx, kernelArg, dims);
  if (!kernel) return undefined;
  const stride = axisArg(ctx, "stride", dims, kernel);
  const dilation = axisArg(ctx, "dilation", dims);
  const pads = padPerAxis(node.args.padding, dims);
  if (typeof pads === "string") {
    ctx.diags.push(diag(messages.axisCount, node.span, { layer: node.label, name: "padding", count: pads, shape: showShape(ctx.inputs[0]!.shape), dims }));
    return undefined;
  }
  if (!stride || !dilation) return undefined;
  const spatial = ctx.inputs[0]!.shape.slice(1);
  const ceil = node.args.ceil === true;
  const geo = spatial.map((n, a) => windowGeometry(n, kernel[a]!, stride[a]!, pads[a]!, dilation[a]!, ceil));
  // In ceil mode PyTorch pools a window wider than the padded input when one output results
  // (its window clipped to the input); a conv or a floor-mode pooling cannot.
  const tooLarge = geo.map((g, a) => (g.n + g.padBefore + g.padAfter < g.effKernel && !(g.ceil && g.out >= 1) ? a : -1)).filter((a) => a >= 0);
  const droppedAxes = geo.map((g, a) => (g.dropped > 0 ? a : -1)).filter((a) => a >= 0);
  const ok = tooLarge.length === 0;
  if (!ok) reportTooLarge(ctx, geo, tooLarge, dims);
  if (ok) reportDropped(ctx, geo, droppedAxes, dims);
  return ok ? geo : undefined;
}

/** One error per layer; axes with the same arithmetic are named together ("along H and W"). */
function reportTooLarge(ctx: LayerContext, geo: readonly WindowGeometry[], axes: readonly number[], dims: number): void {
  const g = geo[axes[0]!]!;
  const same = axes.filter((a) => geo[a]!.n === g.n && geo[a]!.effKernel === g.effKernel && geo[a]!.padBefore === g.padBefore && geo[a]!.padAfter === g.padAfter);
  ctx.diags.push(diag(messages.kernelTooLarge, ctx.node.span, {
    layer: ctx.node.label, keff: g.effKernel, axis: same.map((a) => axisName(a, dims)).join(" and "), padded: g.n + g.padBefore + g.padAfter, n: g.n, pb: g.padBefore, pa: g.padAfter,
  }, { hint: g.dilation > 1 ? `a dilated kernel spans D·(K − 1) + 1 = ${g.effKernel}` : "pad the input or use a smaller kernel" }));
}

/**
 * `conv2d_3: (30 − 3 + 0)/2 + 1 = 14.5 → 14; the last row of 30 is never read`; axes with
 * the same arithmetic share one diagnostic ("the last row and the last column").
 */
function reportDropped(ctx: LayerContext, geo: readonly WindowGeometry[], axes: readonly number[], dims: number): void {
  const key = (g: WindowGeometry) => `${g.n}|${g.effKernel}|${g.padBefore}|${g.padAfter}|${g.stride}|${g.dropped}`;
  const groups = new Map<string, number[]>();
  for (const a of axes) groups.set(key(geo[a]!), [...(groups.get(key(geo[a]!)) ?? []), a]);
  for (const group of groups.values()) {
    const g = geo[group[0]!]!;
    const what = group.map((a) => (g.dropped === 1 ? `the last ${axisNoun(a, dims)}` : `the last ${g.dropped} ${axisNoun(a, dims)}s`)).join(" and ");
    const span = g.n + g.padBefore + g.padAfter - g.effKernel;
    const extra = (g.stride - (span % g.stride)) % g.stride;
    const along = group.map((a) => axisName(a, dims)).join(" and ");
    const hint = extra > 0
      ? `pad ${extra} more after along ${along} (a [before, after] pair: [${g.padBefore}, ${g.padAfter + extra}]) or crop the input to ${g.n - g.dropped}`
      : `crop the input to ${g.n - g.dropped}`;
    ctx.diags.push(diag(messages.droppedRows, ctx.node.span, {
      layer: ctx.node.label, n: g.n, k: g.effKernel, p: g.padBefore + g.padAfter, s: g.stride,
      exact: showExact(g.exact), out: g.out, what, verb: g.dropped === 1 && group.length === 1 ? "is" : "are",
    }, { hint, severity: ctx.strict ? "error" : "warning" }));
  }
}
