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
import { BufferPool, emptyBoxes, grow, nonZero, setRegion, type NonZero } from "./kernels/sparse.js";
import { alloc, to3 } from "./kernels/util.js";
import { run, type RunResult } from "./runtime.js";
import { probeFacts } from "./probe_facts.js";
import { maxOf, pushAll } from "../util/array.js";
import { TailMemo, type CutState } from "./probe_memo.js";
import { or, StemRing, stemCut, type Projection } from "./probe_ring.js";

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
  /**
   * Backward passes run to the input, passes ended at a cut an earlier pass had reached alike,
   * and (of the full ones) passes that ran only their ring below the stem cut.
   */
  readonly passes: { readonly full: number; readonly shared: number; readonly ring: number };
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
function setUnit(dy: Tensor, b: number, unit: readonly number[], boxes: Int32Array): void {
  const s = dy.shape;
  const perBatch = dy.data.length / s[0]!;
  if (s.length === 2) {
    dy.data[b * perBatch + unit[0]!] = 1;
    return;
  }
  let off = 0;
  for (let a = 2; a < s.length; a++) off = off * s[a]! + unit[a - 2]!;
  const plane = perBatch / s[1]!;
  const [d, h, w] = to3(unit, 0);
  for (let c = 0; c < s[1]!; c++) {
    dy.data[b * perBatch + c * plane + off] = 1;
    grow(boxes, b * s[1]! + c, d!, d!, h!, h!, w!, w!);
  }
}

/**
 * Per spatial axis of g, which indices batch element b of g is non-zero at (the projections
 * of its non-zero set). Reads only the rows that `nonZero(g)` found non-zero, and along the
 * last axis only until every column of a plane's box is hit.
 */
function projections(g: Tensor, nz: NonZero, b: number): Projection {
  const C = g.shape[1]!, [D, H, W] = nz.dims;
  const hit = [new Uint8Array(D), new Uint8Array(H), new Uint8Array(W)] as const;
  for (let c = 0; c < C; c++) {
    const p = b * C + c, box = nz.box.subarray(p * 6, p * 6 + 6);
    if (box[0]! > box[1]!) continue;
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
  // Back from the three axes of nonZero to g's spatial axes.
  return [0, 1, 2].slice(3 - (g.shape.length - 2)).map((a) => hit[a]!);
}

/**
 * Lowest and highest index hit per axis, and whether every index in between is hit on every
 * axis (a field without holes); nothing hit: an empty range.
 */
function extentOf(p: Projection): Extent {
  const lo = p.map((h) => h.indexOf(1)), hi = p.map((h) => h.lastIndexOf(1));
  const empty = lo.some((l) => l < 0);
  const dense = p.every((h, a) => h.subarray(lo[a]!, hi[a]! + 1).every((v) => v === 1));
  return { lo: lo.map((l) => (empty ? Infinity : l)), hi: hi.map((h) => (empty ? -Infinity : h)), dense };
}

/**
 * The probe's backward passes over a kept forward run `r` of the probe's copy `pm`: `measure`
 * seeds one unit (and the corner unit, in the second batch element) and returns where each
 * element's input gradient is non-zero. Buffers are recycled between passes; with
 * `shareTails`, passes end where they meet an earlier pass (probe_memo.ts) and below the stem
 * cut only run the ring they add (probe_ring.ts).
 */
function passesOf(r: RunResult, pm: ModelGraph, only: ReadonlySet<number>, inputName: string, inputSize: readonly number[], opts: RfProbeOptions) {
  // Many backward passes, each allocating the same gradient sizes: recycle the buffers.
  const pool = new BufferPool();
  // Passes that reach a cut with the non-zero set of an earlier pass end there (probe_memo.ts),
  // and below the stem cut only the ring a pass adds to the previous one is run (probe_ring.ts).
  const memo = new TailMemo<Extent[]>(opts.memoBytes);
  const cut = opts.shareTails === false || inputSize.length === 0 ? undefined : stemCut(pm.inputs, pm.nodes, only);
  const ring = cut === undefined ? undefined : new StemRing(cut);
  const passes = { full: 0, shared: 0, ring: 0 };
  // One backward pass: `unit` in batch element 0, and `corner` (if given) in element 1.
  const measure = (id: number, y: Tensor, unit: readonly number[], corner?: readonly number[]): Extent[] => {
    const dy: Tensor = { shape: y.shape, data: pool.take(y.data, y.data.length) ?? alloc(y.data, y.data.length) };
    const boxes = emptyBoxes(y.shape[0]! * (y.shape[1] ?? 1));
    setUnit(dy, 0, unit, boxes);
    if (corner) setUnit(dy, 1, corner, boxes);
    setRegion(dy, boxes);
    const states: CutState[] = [];
    let reused: Extent[] | undefined, small = true, rest: [Tensor, Tensor] | undefined;
    ring?.begin();
    const atCut = (node: number, t: Tensor): boolean => {
      const s = small ? memo.state(node, t) : undefined;
      if (s) {
        reused = memo.get(s);
        if (reused) return true;
        states.push(s);
      } else small = false; // the set only grows from here on, as a rule: stop comparing
      if (node === ring?.cut) rest = ring.atCut(t, () => ({ shape: t.shape, data: pool.take(t.data, t.data.length) ?? alloc(t.data, t.data.length) }));
      return rest !== undefined;
    };
    const b = backward(r, new Map([[id, dy]]), { pool, seedRegions: true, ...(opts.shareTails === false ? {} : { atCut }) });
    let e = reused;
    passes[e ? "shared" : "full"]++;
    if (!e) {
      // Below the stem cut, only the ring this pass adds, in two halves (probe_ring.ts).
      const grads = rest ? rest.map((seed) => backward(r, new Map([[ring!.cut, seed]]), { pool, seedRegions: true }).inputs[inputName]!) : [b.inputs[inputName]!];
      const own = [0, 1].map((k) => grads.map((g) => projections(g, nonZero(g), k)).reduce((p, q) => p.map((h, a) => or(h, q[a]!))));
      e = (ring ? ring.finish(own) : own).map(extentOf);
      for (const g of grads) if (g.data !== dy.data) pool.give(g);
      if (rest) {
        passes.ring++;
        for (const seed of rest) pool.give(seed);
      }
    }
    memo.set(states, e);
    pool.give(dy);
    return e;
  };
  return { measure, passes };
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
  if (r.diagnostics.length > 0) return { fields, diagnostics: r.diagnostics, passes: { full: 0, shared: 0, ring: 0 } };
  const inputId = m.inputs[0]!;
  const inputName = m.nodes[inputId]!.label;
  const inputSize = r.tensors[inputId]!.shape.slice(2);
  const { measure, passes } = passesOf(r, pm, only, inputName, inputSize, opts);
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
