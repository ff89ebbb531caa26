/**
 * The receptive-field probe: the receptive field measured from the numbers. A copy of the model
 * runs with positive weights, zero biases, an all-ones input and pass-through nonlinearities
 * (max-type reductions become sums, products pass the gradient to every factor unscaled), so
 * every path from an input element to an output unit carries a positive gradient and none can
 * cancel or be masked. The gradient of one output unit with respect to the input is then
 * non-zero exactly on the input region that unit depends on; its extent per axis is the
 * field's size. See docs/verify.md for what this can and cannot show.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ArgValue, LayerNode, ModelGraph } from "../graph/ir.js";
import type { Tensor } from "./tensor.js";
import { backward } from "./backward.js";
import { BufferPool, nonZero, type NonZero } from "./kernels/sparse.js";
import { alloc } from "./kernels/util.js";
import { run } from "./runtime.js";
import { maxOf } from "../util/array.js";

export interface RfProbeOptions {
  /** Spatial sizes are multiplied by this integer (keeps every size divisibility of the model). */
  readonly factor?: number;
  /**
   * Run the inputs and every layer with one channel (default true): the support of the
   * gradient does not depend on width (every input channel reaches a unit along the same
   * spatial paths, all positive), and a backward pass then costs one channel's work.
   */
  readonly reduceChannels?: boolean;
  /** Nodes to probe (default: every layer). */
  readonly nodes?: readonly number[];
  /** Called after each probed node. */
  readonly onNode?: (done: number, total: number) => void;
}

/** What the probe measured for one layer, per spatial axis of the (first) model input. */
export interface RfMeasure {
  readonly node: number;
  /** The central unit's region covers the whole probe input. */
  readonly global: boolean;
  /** Largest extent of the non-zero input gradient over a few central units. */
  readonly size: readonly number[];
  /** The central unit's field has no holes (no dilation or stride gaps) along any axis. */
  readonly dense: boolean;
  /** Extent of the non-zero region for the corner unit (index 0 on every axis). */
  readonly corner: readonly number[];
  /** The central region touches the input border without covering it: the input was too small. */
  readonly clipped: boolean;
  /** Spatial sizes of the probe's input. */
  readonly inputSize: readonly number[];
}

export interface RfProbeResult {
  readonly fields: ReadonlyMap<number, RfMeasure>;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Central units probed per layer, consecutive along every axis: one suffices when every unit
 * of a layer sees the same size; after an upsample or transposed conv sizes vary with the
 * position (fractional jumps), so several neighbours are probed and the largest taken.
 */
function centralUnits(m: ModelGraph): number {
  return m.nodes.some((n) => n.family === "upsample" || n.family === "deconv") ? 4 : 1;
}

/** The probe's copy of a model: inputs scaled, and (optionally) the inputs and every layer one channel wide. */
export function probeModel(m: ModelGraph, factor: number, reduce: boolean): ModelGraph {
  const narrow: Record<string, Record<string, ArgValue>> = {
    conv: { out_channels: 1, groups: 1 }, deconv: { out_channels: 1, groups: 1 }, dense: { units: 1 }, channel_maxpool: { k: 1 },
  };
  const nodes = m.nodes.map((n): LayerNode => {
    if (n.kind === "input") {
      const shape = n.args.shape as number[];
      const channels = reduce && shape.length > 1 ? 1 : shape[0]!;
      return { ...n, args: { ...n.args, shape: [channels, ...shape.slice(1).map((d) => d * factor)] } };
    }
    const change = reduce ? narrow[n.family] : undefined;
    return change ? { ...n, args: { ...n.args, ...change } } : n;
  });
  return { ...m, nodes };
}

/**
 * Sets the seed of batch element b to one at `unit` (spatial index per axis) in every channel:
 * a position's field is the union over its channels (a concat's channels come from different
 * paths). A rank-2 output is one feature per index.
 */
function setUnit(dy: Tensor, b: number, unit: readonly number[]): void {
  const s = dy.shape;
  const perBatch = dy.data.length / s[0]!;
  if (s.length === 2) {
    dy.data[b * perBatch + unit[0]!] = 1;
    return;
  }
  let off = 0;
  for (let a = 2; a < s.length; a++) off = off * s[a]! + unit[a - 2]!;
  const plane = perBatch / s[1]!;
  for (let c = 0; c < s[1]!; c++) dy.data[b * perBatch + c * plane + off] = 1;
}

/**
 * Lowest and highest index per spatial axis where batch element b of g is non-zero, and
 * whether every index in between is hit on every axis (a field without holes). Reads only
 * the rows that `nonZero(g)` found non-zero, and only until every column is hit.
 */
function support(g: Tensor, nz: NonZero, b: number): { lo: number[]; hi: number[]; dense: boolean } {
  const C = g.shape[1]!, [D, H, W] = nz.dims;
  const lo = [D, H, W], hi = [-1, -1, -1];
  const hit = [new Uint8Array(D), new Uint8Array(H), new Uint8Array(W)] as const;
  for (let c = 0; c < C; c++) {
    const p = b * C + c, box = nz.box.subarray(p * 6, p * 6 + 6);
    if (box[0]! > box[1]!) continue;
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a]!, box[2 * a]!);
      hi[a] = Math.max(hi[a]!, box[2 * a + 1]!);
    }
    // Columns of this plane's box not hit yet: once none is left, later rows cannot add any.
    let open = 0;
    for (let i = box[4]!; i <= box[5]!; i++) open += 1 - hit[2][i]!;
    for (let d = box[0]!; d <= box[1]!; d++) for (let h = box[2]!; h <= box[3]!; h++) {
      const r = (p * D + d) * H + h;
      if (nz.first[r]! > nz.last[r]!) continue;
      hit[0][d] = 1;
      hit[1][h] = 1;
      for (let i = nz.first[r]!; open > 0 && i <= nz.last[r]!; i++) {
        if (g.data[r * W + i] !== 0 && hit[2][i] === 0) {
          hit[2][i] = 1;
          open--;
        }
      }
    }
  }
  // Back from the three axes of nonZero to g's spatial axes; no non-zero element: an empty range.
  const axes = [0, 1, 2].slice(3 - (g.shape.length - 2));
  const empty = hi[0]! < 0;
  const dense = axes.every((a) => hit[a]!.subarray(lo[a]!, hi[a]! + 1).every((v) => v === 1));
  return { lo: axes.map((a) => (empty ? Infinity : lo[a]!)), hi: axes.map((a) => (empty ? -Infinity : hi[a]!)), dense };
}

/** Measures the receptive field of every (or the chosen) layer of a model. */
export function probeReceptiveFields(m: ModelGraph, opts: RfProbeOptions = {}): RfProbeResult {
  const factor = opts.factor ?? 1;
  const CENTRAL = centralUnits(m);
  let pm = probeModel(m, factor, opts.reduceChannels !== false);
  let r = run(pm, { precision: "f64", probe: true, keep: true, batch: CENTRAL + 1 });
  if (r.diagnostics.length > 0 && opts.reduceChannels !== false) {
    // Some models need their channel counts (e.g. a concat along a spatial axis): run them wide.
    pm = probeModel(m, factor, false);
    r = run(pm, { precision: "f64", probe: true, keep: true, batch: CENTRAL + 1 });
  }
  const fields = new Map<number, RfMeasure>();
  if (r.diagnostics.length > 0) return { fields, diagnostics: r.diagnostics };
  const inputId = m.inputs[0]!;
  const inputName = m.nodes[inputId]!.label;
  const inputSize = r.tensors[inputId]!.shape.slice(2);
  const nodes = opts.nodes ?? m.nodes.filter((n) => n.kind !== "input").map((n) => n.id);
  // One backward pass per node, each allocating the same gradient sizes: recycle the buffers.
  const pool = new BufferPool();
  nodes.forEach((id, k) => {
    const y = r.tensors[id];
    if (!y) return;
    const sizes = y.shape.length === 2 ? [y.shape[1]!] : y.shape.slice(2);
    const dy: Tensor = { shape: y.shape, data: pool.take(y.data, y.data.length) ?? alloc(y.data, y.data.length) };
    for (let b = 0; b < CENTRAL; b++) setUnit(dy, b, sizes.map((n) => Math.min(n - 1, Math.floor((n - 1) / 2) + b)));
    setUnit(dy, CENTRAL, sizes.map(() => 0));
    const g = backward(r, new Map([[id, dy]]), { pool }).inputs[inputName]!;
    const nz = nonZero(g);
    const extents = Array.from({ length: CENTRAL + 1 }, (_, b) => support(g, nz, b));
    pool.give(dy);
    if (g.data !== dy.data) pool.give(g);
    const size = inputSize.map((_, a) => Math.max(maxOf(extents.slice(0, CENTRAL).map((e) => e.hi[a]! - e.lo[a]! + 1)), 0));
    const c = extents[0]!;
    const global = inputSize.every((n, a) => c.lo[a] === 0 && c.hi[a] === n - 1);
    const clipped = !global && inputSize.some((n, a) => c.lo[a] === 0 || c.hi[a] === n - 1);
    const corner = inputSize.map((_, a) => Math.max(0, extents[CENTRAL]!.hi[a]! - extents[CENTRAL]!.lo[a]! + 1));
    fields.set(id, { node: id, global, size, dense: c.dense, corner, clipped, inputSize });
    opts.onNode?.(k + 1, nodes.length);
  });
  return { fields, diagnostics: [] };
}
