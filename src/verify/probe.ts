/**
 * Planning and running the receptive-field probe for verify(): which layers are probed, on
 * which probe input, at which output units, and what each unit's field is predicted to be —
 * all decided from analyses before anything is allocated, within the memory limit.
 *
 * Local fields are measured on the smallest integer multiple of the model's input (every size
 * relation of the model still holds) on which the probed units' predicted fields lie wholly
 * inside the input, as far as the memory limit allows; global and size-dependent fields on the
 * model's own input. Where fields differ from unit to unit (after a transposed conv or an
 * upsample) one unit per phase of the position pattern is probed, and each unit's measured
 * extent is compared with that same unit's predicted extent.
 */
import { analyze } from "../analysis/analyze.js";
import type { LayerFacts, ModelAnalysis } from "../analysis/types.js";
import type { ArgValue, ModelGraph } from "../graph/ir.js";
import { fieldAt, phasesOf } from "../families/phases.js";
import { ancestors, probeModel, probeReceptiveFields, type RfMeasure } from "../exec/rf.js";
import { bytes as formatBytes } from "../report/units.js";
import { PROBE_BATCH, probeNeed, type PhaseNeed } from "./memory_plan.js";
import { probeFacts } from "../exec/probe_facts.js";
import { maxOf } from "../util/array.js";

/** What the probe measured and what it was compared with. */
export interface ProbeOutcome {
  readonly fields: ReadonlyMap<number, RfMeasure>;
  /** Per probed local node, each probed unit's predicted extent per axis (aligned with `fields.get(id).units`). */
  readonly expected: ReadonlyMap<number, readonly (readonly number[])[]>;
  /** Why a layer's field was not measured. */
  readonly skipped: ReadonlyMap<number, string>;
  /**
   * Nodes at or after a layer whose units see fields of different sizes (an interpolating
   * resample): there a unit at a tensor's border reads fewer rows than its phase predicts,
   * since interpolation clamps to the edge, so its prediction is an upper bound.
   */
  readonly resampled: ReadonlySet<number>;
  readonly corner: ReadonlyMap<number, readonly number[]>;
  /** Spatial size of the probe input of local fields. */
  readonly inputSize: readonly number[];
  /** The probe's planned bytes (the larger of its two parts). */
  readonly need: PhaseNeed;
}

/** Units tried per axis, at most: beyond this period only the widest and narrowest phases are probed. */
const MAX_PHASES = 16;
/** The probe input's largest size, in elements per channel, and its largest factor. */
const PROBE_LIMIT = 1 << 26;
const MAX_FACTOR = 64;

interface Part {
  readonly factor: number;
  readonly reduce: boolean;
  /** The one-channel copy sums its concats along channels. */
  readonly sums: boolean;
  readonly nodes: number[];
  readonly units: Map<number, number[][]>;
  readonly expected: Map<number, number[][]>;
  readonly need: PhaseNeed;
  readonly args: Map<number, Record<string, ArgValue>>;
}

const PROBE_NOTHING: PhaseNeed = { phase: "receptive-field probe", bytes: 0 };

/**
 * Upsamples whose input does not grow with the model's input (an upsample of a globally pooled
 * map back to the feature map's size) get their scale multiplied by the probe's factor.
 */
function rescaled(m: ModelGraph, a: ModelAnalysis): (factor: number) => Map<number, Record<string, ArgValue>> {
  const twice = analyze({ models: [probeModel(m, 2, false)] }).models[0];
  const grown = new Map((twice?.layers ?? []).map((f) => [f.node, f.inputShapes[0]]));
  const fixed = a.layers.filter((f) => {
    const g = grown.get(f.node);
    return probeFacts(m.nodes[f.node]!).rescale && g !== undefined && JSON.stringify(g) === JSON.stringify(f.inputShapes[0]);
  });
  return (factor) => new Map(factor === 1 ? [] : fixed.map((f) => [f.node, probeFacts(m.nodes[f.node]!).rescale!(factor)]));
}

/** Nodes whose field depends on the input size beyond scaling, and what follows them. */
function sizeDependent(m: ModelGraph, a: ModelAnalysis): Set<number> {
  const rank = new Map(a.layers.map((f) => [f.node, f.outputShape.length]));
  const out = new Set<number>();
  for (const n of m.nodes) if (n.kind !== "input" && (probeFacts(n).sizeDependent(rank.get(n.id) ?? 0) || n.inputs.some((i) => out.has(i)))) out.add(n.id);
  return out;
}

/**
 * The units to probe for a layer and each one's predicted extent per axis, on a probe input of
 * spatial sizes `n`; undefined when some unit's predicted field does not lie inside the input.
 * Along an axis of period P every phase is probed (P ≤ MAX_PHASES; else the widest and the
 * central unit's), on consecutive units near the centre; the axes' lists are walked together.
 * With `clip` (an input that cannot grow), units whose field does not fit are left out instead,
 * every unit is tried when the axis is shorter than P, and the widest must remain.
 */
export function unitsFor(f: LayerFacts, n: readonly number[], clip = false): { units: number[][]; expected: number[][] } | undefined {
  const o = f.outputShape.slice(1);
  if (o.length !== n.length) return undefined;
  const lists = n.map((_, a) => {
    const ph = phasesOf(f.rf, a);
    const width = (r: number) => Math.max(0, ph.hi[r]! - ph.lo[r]! + 1);
    const all = Array.from({ length: ph.period }, (_, r) => r);
    const c = Math.floor((o[a]! - 1) / 2);
    // Beyond MAX_PHASES: the widest phase and the central unit's. (Not the narrowest: with a
    // long period it lies at the border, where interpolation clamps to the edge and the
    // analyzer's phases are an upper bound.)
    const widest = all.reduce((b, r) => (width(r) > width(b) ? r : b));
    const pick = ph.period <= MAX_PHASES ? all : [...new Set([widest, c % ph.period])];
    if (pick.length === ph.period) {
      // Every phase: P consecutive units (any P in a row hold every phase once), centred on the
      // axis, as far from its borders as it allows (an interpolation clamps at a border).
      if (ph.period > o[a]!) return clip ? Array.from({ length: o[a]! }, (_, u) => u) : undefined;
      const start = Math.max(0, Math.min(c - Math.floor(ph.period / 2), o[a]! - ph.period));
      return all.map((r) => start + r);
    }
    let base = c - (c % ph.period);
    if (base + maxOf(pick) > o[a]! - 1) base -= ph.period;
    return base < 0 ? undefined : pick.map((r) => base + r);
  });
  if (lists.some((l) => l === undefined)) return undefined;
  const count = maxOf(lists.map((l) => l!.length));
  const tried = Array.from({ length: count }, (_, k) => lists.map((l) => l![k % l!.length]!));
  const units: number[][] = [];
  const expected: number[][] = [];
  for (const u of tried) {
    const e: number[] = [];
    let inside = true;
    for (let a = 0; a < n.length; a++) {
      const [lo, hi] = fieldAt(phasesOf(f.rf, a), u[a]!);
      const whole = f.rf.size[a] === n[a] && f.rf.start[a] === (n[a]! - 1) / 2;
      if (hi >= lo && !whole && (lo < -1e-9 || hi > n[a]! - 1 + 1e-9)) inside = false;
      e.push(hi >= lo ? Math.round(hi - lo + 1) : 0);
    }
    if (!inside && !clip) return undefined;
    if (!inside) continue;
    units.push(u);
    expected.push(e);
  }
  // Clipped to the units that fit: the widest prediction must still be among them on every
  // axis, or the widest measured would be compared with a unit never probed.
  if (units.length === 0 || !n.every((_, a) => expected.some((e) => e[a] === Math.round(f.rf.size[a]!)))) return undefined;
  return { units, expected };
}

/**
 * The analysis of the probe's copy at `factor`, one channel wide where every node in `ids`
 * analyzes so (a failure elsewhere does not matter: the probe runs only what `ids` need).
 */
function probeAnalysis(m: ModelGraph, factor: number, args: Map<number, Record<string, ArgValue>>, wide: boolean, ids: readonly number[]): { pa: ModelAnalysis | undefined; reduce: boolean; sums: boolean } {
  const full = analyze({ models: [probeModel(m, factor, false, args)] }, { asserts: false }).models[0];
  const needed = ancestors(m, ids);
  // A layer that needs its real channel count (a pixel shuffle, a slice of channels) keeps the copy full width.
  const rank = new Map((full?.layers ?? []).map((f) => [f.node, f.inputShapes[0]?.length ?? 0]));
  const keepsWidth = [...needed].some((id) => m.nodes[id]!.kind !== "input" && probeFacts(m.nodes[id]!).wide(rank.get(id) ?? 0));
  const runs = (a: ModelAnalysis | undefined): a is ModelAnalysis => {
    const present = new Set(a?.layers.map((f) => f.node));
    return a !== undefined && [...needed].every((id) => present.has(id) || m.nodes[id]!.kind === "input");
  };
  // One channel wide with concats summed, else stacked, else the model's widths.
  for (const sums of wide || keepsWidth ? [] : [true, false]) {
    const narrow = analyze({ models: [probeModel(m, factor, true, args, sums)] }, { asserts: false }).models[0];
    if (runs(narrow)) return { pa: narrow, reduce: true, sums };
  }
  return { pa: full, reduce: false, sums: false };
}

/** A part of the probe at one factor: the candidate nodes that fit, their units, and the bytes it needs. */
function partAt(m: ModelGraph, candidates: readonly number[], sizes: readonly number[], factor: number, args: Map<number, Record<string, ArgValue>>, global: ReadonlySet<number>, wide = false, clip = false): Part {
  const { pa, reduce, sums } = probeAnalysis(m, factor, args, wide, candidates);
  const facts = new Map((pa?.layers ?? []).map((f) => [f.node, f]));
  const n = sizes.map((s) => s * factor);
  const part: Part = { factor, reduce, sums, nodes: [], units: new Map(), expected: new Map(), need: PROBE_NOTHING, args };
  for (const id of candidates) {
    const f = facts.get(id);
    if (!f) continue;
    if (global.has(id)) {
      part.nodes.push(id);
      part.units.set(id, [f.outputShape.length === 1 ? [0] : f.outputShape.slice(1).map((k) => Math.floor((k - 1) / 2))]);
      continue;
    }
    const u = unitsFor(f, n, clip);
    if (!u) continue;
    part.nodes.push(id);
    part.units.set(id, u.units);
    part.expected.set(id, u.expected);
  }
  const pm = probeModel(m, factor, reduce, args, sums);
  const inputs = pm.inputs.map((i) => [PROBE_BATCH, ...(pm.nodes[i]!.args.shape as number[])]);
  return { ...part, need: pa && part.nodes.length > 0 ? probeNeed(pa, ancestors(m, part.nodes), inputs) : PROBE_NOTHING };
}

/** The largest factor whose part fits the limit, growing until every candidate fits. */
function choosePart(m: ModelGraph, candidates: readonly number[], sizes: readonly number[], limit: number, args: (f: number) => Map<number, Record<string, ArgValue>>, global: ReadonlySet<number>): { part: Part; over?: Part } {
  let best = partAt(m, candidates, sizes, 1, args(1), global);
  if (best.need.bytes > limit) return { part: { ...best, nodes: [] }, over: best };
  for (let factor = 2; best.nodes.length < candidates.length && factor <= MAX_FACTOR && sizes.reduce((p, s) => p * s * factor, 1) <= PROBE_LIMIT; factor++) {
    const next = partAt(m, candidates, sizes, factor, args(factor), global);
    if (next.need.bytes > limit) return { part: best, over: next };
    if (next.nodes.length >= best.nodes.length) best = next;
  }
  return { part: best };
}

/** Plans and runs the probe of model m within `limit` bytes. */
export function probeFields(m: ModelGraph, a: ModelAnalysis, limit: number, progress: (done: number) => void): ProbeOutcome | undefined {
  const input = m.nodes[m.inputs[0]!]!;
  const sizes = (input.args.shape as number[]).slice(1);
  if (sizes.length === 0) return undefined;
  const skipped = new Map<number, string>();
  const dependent = sizeDependent(m, a);
  const global = new Set<number>(), own: number[] = [], local: number[] = [];
  const fromFirst = descendants(m, m.inputs[0]!);
  for (const f of a.layers) {
    if (f.rf.constant) continue; // a param or buffer depends on no input position
    // Fields are measured over the first input: a layer on another input's path alone has none there.
    if (!fromFirst.has(f.node)) skipped.set(f.node, `it does not depend on the first input, ${input.label} (fields are measured over the first input)`);
    else if (f.rf.notSpatial !== undefined) skipped.set(f.node, `not spatial: ${f.rf.notSpatial}`);
    else if (f.rf.axesLost !== undefined) skipped.set(f.node, `an upper bound: ${f.rf.axesLost}`);
    else if (f.outputShape.length === 1 && !f.rf.global) continue;
    else if (f.rf.global || dependent.has(f.node)) {
      own.push(f.node);
      if (f.rf.global) global.add(f.node);
    } else local.push(f.node);
  }
  const args = rescaled(m, a);
  const fields = new Map<number, RfMeasure>();
  const expected = new Map<number, readonly (readonly number[])[]>();
  let needs = PROBE_NOTHING, inputSize = sizes, localFactor = 1;
  const done = { n: 0 };
  // Runs the first part of the list that runs (later ones are made only when needed).
  const runParts = (parts: readonly (() => Part | undefined)[]): void => {
    let failed = "";
    let tried: Part | undefined;
    for (const make of parts) {
      const part = make();
      if (!part || part.nodes.length === 0 || part.need.bytes > limit) continue;
      tried = part;
      needs = part.need.bytes > needs.bytes ? part.need : needs;
      const r = runProbe(m, part, () => progress(++done.n));
      if ("failed" in r) {
        failed = r.failed;
        continue;
      }
      for (const [id, f] of r.fields) fields.set(id, f);
      for (const [id, e] of part.expected) expected.set(id, e);
      localFactor = part.factor;
      return;
    }
    if (tried) for (const id of tried.nodes) skipped.set(id, failed);
  };
  const chosen = choosePart(m, local, sizes, limit, args, global);
  // An enlarged or one-channel copy may not run: then wider, then at the model's own size.
  const wide = (p: Part) => () => partAt(m, p.nodes, sizes, p.factor, p.args, global, true);
  const atOne = () => partAt(m, local, sizes, 1, args(1), global);
  const one = atOne();
  runParts([() => chosen.part, wide(chosen.part), () => (chosen.part.factor > 1 ? one : undefined), wide(one)]);
  inputSize = sizes.map((s) => s * localFactor);
  for (const id of local) if (!fields.has(id) && !skipped.has(id)) skipped.set(id, notFitting(a, id, inputSize, chosen.over, limit));
  // On the model's own input (never enlarged) the border units' fields may reach past the
  // input: those units are left out (clip), as long as the widest is probed.
  const ownPart = partAt(m, own, sizes, 1, args(1), global, false, true);
  const keep = localFactor;
  if (ownPart.need.bytes > limit) for (const id of own) skipped.set(id, `the probe would need ${formatBytes(BigInt(ownPart.need.bytes))}, over the limit of ${formatBytes(BigInt(limit))}`);
  else runParts([() => ownPart, () => partAt(m, ownPart.nodes, sizes, 1, ownPart.args, global, true, true)]);
  localFactor = keep;
  for (const id of own) if (!fields.has(id) && !skipped.has(id)) skipped.set(id, `its field does not fit the model's own input (size-dependent fields are measured there)`);
  const resampled = new Set<number>();
  for (const node of m.nodes) {
    if ((node.kind !== "input" && probeFacts(node).varying) || node.inputs.some((i) => resampled.has(i))) resampled.add(node.id);
  }
  return { fields, expected, skipped, resampled, corner: predictedCorners(m, localFactor, args(localFactor)), inputSize, need: needs };
}

/** The nodes computed from node `from` (nodes are in topological order). */
function descendants(m: ModelGraph, from: number): Set<number> {
  const out = new Set<number>([from]);
  for (const n of m.nodes) if (n.inputs.some((i) => out.has(i))) out.add(n.id);
  return out;
}

/** Why a local field was not measured: the largest probe input allowed does not hold it. */
function notFitting(a: ModelAnalysis, id: number, inputSize: readonly number[], over: Part | undefined, limit: number): string {
  const f = a.layers.find((x) => x.node === id)!;
  const size = f.rf.size.join("×");
  if (over) return `its field (${size}) needs a probe input larger than ${inputSize.join("×")}, and the next size would need ${formatBytes(BigInt(over.need.bytes))}, over the limit of ${formatBytes(BigInt(limit))}`;
  return `its field (${size}) does not fit a probe input of up to ${MAX_FACTOR}× the model's input (${PROBE_LIMIT} elements)`;
}

/** Runs one part; an allocation the engine refuses is reported as a failure, never thrown. */
function runProbe(m: ModelGraph, part: Part, tick: () => void): { fields: ReadonlyMap<number, RfMeasure> } | { failed: string } {
  try {
    const r = probeReceptiveFields(m, {
      factor: part.factor, nodes: part.nodes, reduceChannels: part.reduce, sumConcats: part.sums, ...(part.need.memoBytes === undefined ? {} : { memoBytes: part.need.memoBytes }), wideFallback: false, args: part.args,
      units: (id) => part.units.get(id) ?? [], onNode: tick,
    });
    if (r.diagnostics.length > 0) return { failed: r.diagnostics.map((d) => d.message).join("; ") };
    return { fields: r.fields };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { failed: `the probe could not allocate its tensors (${e.message}); the memory plan predicted ${formatBytes(BigInt(part.need.bytes))}` };
  }
}

/**
 * The corner unit's clipped extent predicted from the analyzer's field of the probe-sized
 * model: [start − (size−1)/2, start + (size−1)/2] clipped to the input, where start is the
 * centre of unit 0's field. Only for local fields with integer jumps, and with no upsample,
 * transposed conv or mirroring padding upstream.
 */
function predictedCorners(m: ModelGraph, factor: number, args: Map<number, Record<string, ArgValue>>): Map<number, number[]> {
  const big = probeModel(m, factor, false, args);
  const a = analyze({ models: [big] }, { asserts: false }).models[0];
  const out = new Map<number, number[]>();
  const n = (big.nodes[big.inputs[0]!]!.args.shape as number[]).slice(1);
  // Downstream of an upsample or transposed conv, fields differ from unit to unit; downstream
  // of reflect/replicate/circular padding, a unit in the padding reads real input elements.
  const varying = new Set<number>();
  for (const node of m.nodes) {
    const facts = node.kind === "input" ? undefined : probeFacts(node);
    if (facts?.varying || facts?.mirrors || node.inputs.some((i) => varying.has(i))) varying.add(node.id);
  }
  for (const f of a?.layers ?? []) {
    if (f.rf.global || f.rf.constant || f.rf.notSpatial !== undefined || varying.has(f.node) || f.rf.jump.some((j) => !Number.isInteger(j) || j < 1)) continue;
    const extent = f.rf.size.map((s, ax) => {
      const lo = Math.max(0, Math.ceil(f.rf.start[ax]! - (s - 1) / 2));
      const hi = Math.min(n[ax]! - 1, Math.floor(f.rf.start[ax]! + (s - 1) / 2));
      return Math.max(0, hi - lo + 1);
    });
    // A unit that reads only padding along one axis reads nothing at all.
    out.set(f.node, extent.includes(0) ? extent.map(() => 0) : extent);
  }
  return out;
}

/**
 * The least the probe can need: every probed node on the model's own input, one channel wide
 * where that runs (the plan refuses a model when even this does not fit).
 */
export function probeFloor(m: ModelGraph, a: ModelAnalysis): PhaseNeed {
  const ids = a.layers.filter((f) => !f.rf.constant && f.rf.notSpatial === undefined && f.rf.axesLost === undefined && (f.outputShape.length > 1 || f.rf.global)).map((f) => f.node);
  const args = new Map<number, Record<string, ArgValue>>();
  const { pa, reduce, sums } = probeAnalysis(m, 1, args, false, ids);
  const pm = probeModel(m, 1, reduce, args, sums);
  const inputs = pm.inputs.map((i) => [PROBE_BATCH, ...(pm.nodes[i]!.args.shape as number[])]);
  return pa && ids.length > 0 ? probeNeed(pa, ancestors(m, ids), inputs) : PROBE_NOTHING;
}

/** The probe's full-width copy of m at `factor`, as the probe builds it (for independent checks). */
export function probeCopy(m: ModelGraph, a: ModelAnalysis, factor: number): ModelGraph {
  return probeModel(m, factor, false, rescaled(m, a)(factor));
}
