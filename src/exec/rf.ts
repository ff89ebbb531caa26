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
import { familyOf } from "../families/registry.js";
import type { Tensor } from "./tensor.js";
import { backward } from "./backward.js";
import { BufferPool, nonZero, type NonZero } from "./kernels/sparse.js";
import { alloc } from "./kernels/util.js";
import { run } from "./runtime.js";
import { probeFacts } from "./probe_facts.js";
import { maxOf, pushAll } from "../util/array.js";
import { TailMemo, type CutState } from "./probe_memo.js";

/** Where one batch element of an input gradient is non-zero: per axis lo..hi, and whether without holes. */
interface Extent {
  readonly lo: number[];
  readonly hi: number[];
  readonly dense: boolean;
}

export interface RfProbeOptions {
  /** Spatial sizes are multiplied by this integer (keeps every size divisibility of the model). */
  readonly factor?: number;
  /**
   * Run the inputs and every layer with one channel (default true): the support of the
   * gradient does not depend on width (every input channel reaches a unit along the same
   * spatial paths, all positive), and a backward pass then costs one channel's work.
   */
  readonly reduceChannels?: boolean;
  /**
   * In the one-channel copy, replace each concat along channels by the sum of its operands
   * (default: as reduceChannels): a position depends on every operand either way, and the
   * copy's tensors then stay one channel wide instead of piling up channels (DenseNet).
   */
  readonly sumConcats?: boolean;
  /**
   * End a pass where it reaches a cut with exactly the non-zero set an earlier pass had there,
   * and reuse that pass's measurement (default true; probe_memo.ts).
   */
  readonly shareTails?: boolean;
  /** Bytes the shared tails' memo may keep (default MEMO_BYTES, 16 MiB). */
  readonly memoBytes?: number;
  /** Nodes to probe (default: every layer). */
  readonly nodes?: readonly number[];
  /**
   * The output units to probe for a node (spatial index per axis; one index for a rank-1
   * output), given its output's spatial sizes; default: central units (four neighbours after
   * an upsample or transposed conv, else one).
   */
  readonly units?: (node: number, sizes: readonly number[]) => readonly (readonly number[])[];
  /** New arguments for nodes of the probe's copy (e.g. an upsample whose input does not grow). */
  readonly args?: ReadonlyMap<number, Record<string, ArgValue>>;
  /** Run the model at full width when its one-channel copy cannot run (default true). */
  readonly wideFallback?: boolean;
  /** Called after each probed node. */
  readonly onNode?: (done: number, total: number) => void;
}

/** One probed unit: its index and the lowest and highest input index its gradient reaches per axis (lo > hi: none). */
export interface RfUnit {
  readonly unit: readonly number[];
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** What the probe measured for one layer, per spatial axis of the (first) model input. */
export interface RfMeasure {
  readonly node: number;
  /** The first probed unit's region covers the whole probe input. */
  readonly global: boolean;
  /** Largest extent of the non-zero input gradient over the probed units. */
  readonly size: readonly number[];
  /** The first probed unit's field has no holes (no dilation or stride gaps) along any axis. */
  readonly dense: boolean;
  /** Extent of the non-zero region for the corner unit (index 0 on every axis). */
  readonly corner: readonly number[];
  /** The first probed unit's region touches the input border without covering it: the input was too small. */
  readonly clipped: boolean;
  /** Spatial sizes of the probe's input. */
  readonly inputSize: readonly number[];
  /** The probe's input is the model's times this, along every spatial axis. */
  readonly factor: number;
  /** Every probed unit's measured interval, in the order probed. */
  readonly units: readonly RfUnit[];
}

export interface RfProbeResult {
  readonly fields: ReadonlyMap<number, RfMeasure>;
  readonly diagnostics: readonly Diagnostic[];
  /** Backward passes run to the input, and passes ended at a cut an earlier pass had reached alike. */
  readonly passes: { readonly full: number; readonly shared: number };
}

/** The default units: one central unit, or four consecutive neighbours where fields vary with the position. */
function centralUnits(m: ModelGraph): (node: number, sizes: readonly number[]) => number[][] {
  const count = m.nodes.some((n) => probeFacts(n).varying) ? 4 : 1;
  return (_, sizes) => Array.from({ length: count }, (_, b) => sizes.map((n) => Math.min(n - 1, Math.floor((n - 1) / 2) + b)));
}

/**
 * The probe's copy of a model: inputs scaled, (optionally) the inputs and every layer one
 * channel wide — and with `sums`, each concat along channels a sum — and the given nodes'
 * arguments replaced.
 */
export function probeModel(m: ModelGraph, factor: number, reduce: boolean, args?: ReadonlyMap<number, Record<string, ArgValue>>, sums = false): ModelGraph {
  const nodes = m.nodes.map((n): LayerNode => {
    if (n.kind === "input") {
      const shape = n.args.shape as number[];
      const channels = reduce && shape.length > 1 ? 1 : shape[0]!;
      return { ...n, args: { ...n.args, shape: [channels, ...shape.slice(1).map((d) => d * factor)] } };
    }
    const facts = probeFacts(n);
    if (reduce && sums && facts.summed) return { ...n, kind: facts.summed.kind, family: facts.summed.family, op: facts.summed.kind, args: { ...facts.summed.args } };
    const change = { ...args?.get(n.id), ...(reduce ? facts.narrow : undefined) };
    return Object.keys(change).length > 0 ? { ...n, args: { ...n.args, ...change } } : n;
  });
  return { ...m, nodes };
}

/** The nodes `ids` depend on, themselves and every model input included. */
export function ancestors(m: ModelGraph, ids: readonly number[]): Set<number> {
  const out = new Set<number>(m.inputs);
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    pushAll(stack, m.nodes[id]!.inputs);
  }
  return out;
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
function support(g: Tensor, nz: NonZero, b: number): Extent {
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

/**
 * Measures the receptive field of every (or the chosen) layer of a model: one forward run of
 * the probe's copy (batch 2, only the nodes the probed ones depend on), then one backward pass
 * per probed unit (the first one also carries the corner unit, in the second batch element). Each pass visits only where the gradient is non-zero,
 * so its cost follows the unit's field, not the input.
 */
export function probeReceptiveFields(m: ModelGraph, opts: RfProbeOptions = {}): RfProbeResult {
  const factor = opts.factor ?? 1;
  const nodes = opts.nodes ?? m.nodes.filter((n) => n.kind !== "input").map((n) => n.id);
  const unitsOf = opts.units ?? centralUnits(m);
  const only = ancestors(m, nodes);
  const reduce = opts.reduceChannels !== false;
  let pm = probeModel(m, factor, reduce, opts.args, opts.sumConcats ?? reduce);
  // Batch 2: element 0 carries a probed unit, element 1 the corner unit (in the first pass).
  let r = run(pm, { precision: "f64", probe: true, keep: true, only, batch: 2 });
  if (r.diagnostics.length > 0 && reduce && opts.sumConcats === undefined) {
    // Summed operands that do not broadcast: stack them as the model does.
    pm = probeModel(m, factor, true, opts.args);
    r = run(pm, { precision: "f64", probe: true, keep: true, only, batch: 2 });
  }
  if (r.diagnostics.length > 0 && opts.reduceChannels !== false && opts.wideFallback !== false) {
    // Some models need their channel counts (e.g. a concat along a spatial axis): run them wide.
    pm = probeModel(m, factor, false, opts.args);
    r = run(pm, { precision: "f64", probe: true, keep: true, only, batch: 2 });
  }
  const fields = new Map<number, RfMeasure>();
  const passes = { full: 0, shared: 0 };
  if (r.diagnostics.length > 0) return { fields, diagnostics: r.diagnostics, passes };
  const inputId = m.inputs[0]!;
  const inputName = m.nodes[inputId]!.label;
  const inputSize = r.tensors[inputId]!.shape.slice(2);
  // Many backward passes, each allocating the same gradient sizes: recycle the buffers.
  const pool = new BufferPool();
  // Passes that reach a cut with the non-zero set of an earlier pass end there (probe_memo.ts).
  const memo = new TailMemo<Extent[]>(opts.memoBytes);
  // One backward pass: `unit` in batch element 0, and `corner` (if given) in element 1.
  const measure = (id: number, y: Tensor, unit: readonly number[], corner?: readonly number[]): Extent[] => {
    const dy: Tensor = { shape: y.shape, data: pool.take(y.data, y.data.length) ?? alloc(y.data, y.data.length) };
    setUnit(dy, 0, unit);
    if (corner) setUnit(dy, 1, corner);
    const states: CutState[] = [];
    let reused: Extent[] | undefined, small = true;
    const atCut = (node: number, t: Tensor): boolean => {
      const s = small ? memo.state(node, t) : undefined;
      if (!s) {
        small = false; // the set only grows from here on, as a rule: stop comparing
        return false;
      }
      reused = memo.get(s);
      if (!reused) states.push(s);
      return reused !== undefined;
    };
    const b = backward(r, new Map([[id, dy]]), { pool, ...(opts.shareTails === false ? {} : { atCut }) });
    let e = reused;
    passes[e ? "shared" : "full"]++;
    if (!e) {
      const g = b.inputs[inputName]!;
      const nz = nonZero(g);
      e = [support(g, nz, 0), support(g, nz, 1)];
      if (g.data !== dy.data) pool.give(g);
    }
    memo.set(states, e);
    pool.give(dy);
    return e;
  };
  nodes.forEach((id, k) => {
    const y = r.tensors[id];
    if (!y) return;
    const sizes = y.shape.length === 2 ? [y.shape[1]!] : y.shape.slice(2);
    // A rank-2 output (dense): feature 0, whose field is every feature's (the width may be narrowed).
    const units = y.shape.length === 2 ? [[0]] : unitsOf(id, sizes);
    const zero = sizes.map(() => 0);
    const first = measure(id, y, units[0] ?? zero, zero);
    const cornerExtent = first[1]!;
    const extents = units.map((u, b) => (b === 0 ? first[0]! : measure(id, y, u)[0]!));
    const size = inputSize.map((_, a) => Math.max(maxOf(extents.map((e) => e.hi[a]! - e.lo[a]! + 1)), 0));
    const c = extents[0] ?? cornerExtent;
    const global = inputSize.every((n, a) => c.lo[a] === 0 && c.hi[a] === n - 1);
    const clipped = !global && inputSize.some((n, a) => c.lo[a] === 0 || c.hi[a] === n - 1);
    const corner = inputSize.map((_, a) => Math.max(0, cornerExtent.hi[a]! - cornerExtent.lo[a]! + 1));
    const measured = units.map((unit, b) => ({ unit, lo: extents[b]!.lo, hi: extents[b]!.hi }));
    fields.set(id, { node: id, global, size, dense: c.dense, corner, clipped, inputSize, factor, units: measured });
    opts.onNode?.(k + 1, nodes.length);
  });
  return { fields, diagnostics: [], passes };
}
