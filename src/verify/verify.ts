/**
 * verify(graph, options): runs every model on the execution backend and compares, layer by
 * layer, what the static analyzer predicts with what actually happens — the output tensor's
 * shape, parameter elements allocated, MACs counted by the kernels, bytes of each output
 * buffer, the peak of live bytes, and the receptive field measured by the gradient probe.
 * Returns data; the CLI formats it.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { Graph, ModelGraph } from "../graph/ir.js";
import type { AnalysisResult, LayerFacts, ModelAnalysis } from "../analysis/types.js";
import { analyze } from "../analysis/analyze.js";
import { familyOf } from "../families/registry.js";
import { run, type LayerMeasure } from "../exec/runtime.js";
import { probeReceptiveFields, probeModel, type RfMeasure } from "../exec/rf.js";
import { bytes as formatBytes } from "../report/units.js";

/** A value in a comparison: a count, a shape or per-axis sizes, or a word such as "global". */
export type CellValue = number | readonly number[] | string;

/** One predicted-vs-measured comparison. `null` where a side has no value (the run stopped). */
export interface Cell {
  readonly predicted: CellValue | null;
  readonly measured: CellValue | null;
  readonly ok: boolean;
  /** Why a cell failed or was not measured, when that needs saying. */
  readonly note?: string;
}

export type LayerQuantity = "shape" | "params" | "buffers" | "macs" | "bytes" | "rf";
export type TotalQuantity = "params" | "buffers" | "macs" | "bytes" | "peak";

export interface LayerCheck {
  readonly node: number;
  readonly name: string;
  readonly kind: string;
  readonly path: string;
  readonly cells: Readonly<Record<LayerQuantity, Cell>>;
  /**
   * The corner unit (index 0 on every axis), clipped by padding: the measured extent of its
   * field, and the clip of the analyzer's interval [start ± (size−1)/2] to the input (null
   * where fields differ between units). Shown, not judged: the interval is exact only for
   * fields without holes whose padding is all at the input (see docs/verify.md).
   */
  readonly rfCorner?: { readonly interval: readonly number[] | null; readonly measured: readonly number[] };
}

export interface ModelCheck {
  readonly name: string;
  readonly file: string;
  readonly batch: number;
  /** Input shapes the run used (batch axis excluded). */
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly layers: readonly LayerCheck[];
  readonly totals: Readonly<Record<TotalQuantity, Cell>>;
  /** Spatial size of the receptive-field probe's input, when it ran. */
  readonly rfProbeInput?: readonly number[];
  /** Set when the run was refused or could not complete. */
  readonly error?: string;
  readonly ok: boolean;
}

export interface VerifyResult {
  readonly models: readonly ModelCheck[];
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

export interface VerifyOptions {
  /** Batch size of the run and the predictions (default 1). */
  readonly batch?: number;
  /** Seed of initialization and inputs (default 0). */
  readonly seed?: number;
  /** Measure receptive fields (default true). */
  readonly rf?: boolean;
  /** Refuse a model whose predicted activations + parameters exceed this many bytes. */
  readonly maxMemoryBytes?: number;
  /** The predictions to check (default: analyze(graph, { batch })). */
  readonly analysis?: AnalysisResult;
  /**
   * Why the spec's asserts are not evaluated (e.g. the input was shrunk with --input-scale, so
   * they describe another size); undefined evaluates them. Ignored with `analysis`.
   */
  readonly skipAsserts?: string;
  /** Progress: work units done of the total, and the phase ("forward", "rf"). */
  readonly onProgress?: (done: number, total: number, phase: string) => void;
}

const same = (a: CellValue | null, b: CellValue | null): boolean => a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);

function cell(predicted: CellValue | null, measured: CellValue | null, note?: string): Cell {
  const ok = same(predicted, measured);
  return note && !ok ? { predicted, measured, ok, note } : { predicted, measured, ok };
}

const num = (b: bigint | undefined): number | null => (b === undefined ? null : Number(b));

/** Verifies every model of a compiled graph. */
export function verify(graph: Graph, options: VerifyOptions = {}): VerifyResult {
  const batch = options.batch ?? 1;
  const analysis = options.analysis ?? analyze(graph, options.skipAsserts === undefined ? { batch } : { batch, asserts: false, assertsSkipped: options.skipAsserts });
  // The analyzer's own findings come first: a model it rejects cannot be fully compared.
  const diagnostics: Diagnostic[] = [...analysis.diagnostics];
  const models = graph.models.map((m) => {
    const a = analysis.models.find((x) => x.name === m.name);
    if (!a) {
      diagnostics.push(diag(messages.noAnalysis, m.span, { model: m.name, reason: "the analysis has no such model" }));
      return failed(m, batch, "no analysis");
    }
    return verifyModel(m, a, batch, options, diagnostics);
  });
  return { models, diagnostics, ok: models.every((m) => m.ok) };
}

function failed(m: ModelGraph, batch: number, error: string): ModelCheck {
  const none = cell(null, null);
  return { name: m.name, file: m.file, batch, inputs: {}, layers: [], totals: { params: none, buffers: none, macs: none, bytes: none, peak: none }, error, ok: false };
}

function verifyModel(m: ModelGraph, a: ModelAnalysis, batch: number, options: VerifyOptions, diagnostics: Diagnostic[]): ModelCheck {
  const need = a.totals.peakActivationBytes + a.totals.paramBytes;
  if (options.maxMemoryBytes !== undefined && need > BigInt(Math.floor(options.maxMemoryBytes))) {
    const msg = diag(messages.memoryRefused, m.span, { model: m.name, need: formatBytes(need), batch, limit: formatBytes(BigInt(Math.floor(options.maxMemoryBytes))) },
      { hint: "raise --max-memory, lower --batch, or shrink the input with --input-scale" });
    diagnostics.push(msg);
    return failed(m, batch, msg.message);
  }
  const layerCount = m.nodes.length - m.inputs.length;
  const probing = options.rf !== false;
  const total = layerCount * (probing ? 2 : 1);
  const r = run(m, { batch, seed: options.seed ?? 0, onLayer: (d) => options.onProgress?.(d, total, "forward") });
  diagnostics.push(...r.diagnostics);
  const measured = new Map<number, LayerMeasure>(r.layers.map((l) => [l.node, l]));
  const probe = probing && r.diagnostics.length === 0 ? probeFields(m, a, (d) => options.onProgress?.(layerCount + d, total, "rf"), diagnostics) : undefined;
  const layers = m.nodes.filter((n) => n.kind !== "input").map((n): LayerCheck => {
    const f = a.layers.find((x) => x.node === n.id);
    const l = measured.get(n.id);
    const rf = probe?.fields.get(n.id);
    const check: LayerCheck = { node: n.id, name: n.label, kind: n.kind, path: n.path, cells: layerCells(f, l, batch, rf) };
    return rf && !rf.global ? { ...check, rfCorner: { interval: probe!.corner.get(n.id) ?? null, measured: rf.corner } } : check;
  });
  const sum = (pick: (l: LayerMeasure) => number) => r.layers.reduce((s, l) => s + pick(l), 0);
  const complete = r.layers.length === layerCount;
  const totals = {
    params: cell(num(a.totals.trainableParams), complete ? sum((l) => l.trainableParams) : null),
    buffers: cell(num(a.totals.nonTrainableParams), complete ? sum((l) => l.params - l.trainableParams) : null),
    macs: cell(num(a.totals.macs), complete ? sum((l) => l.macs) : null),
    bytes: cell(num(a.totals.activationBytes), complete ? sum((l) => l.activationBytes) : null),
    peak: cell(num(a.totals.peakActivationBytes), complete ? r.peakBytes : null),
  };
  const inputs = Object.fromEntries(m.inputs.map((i) => [m.nodes[i]!.label, (m.nodes[i]!.args.shape as number[]) ?? []]));
  const ok = complete && layers.every((l) => Object.values(l.cells).every((c) => c.ok)) && Object.values(totals).every((c) => c.ok);
  const check: ModelCheck = { name: m.name, file: m.file, batch, inputs, layers, totals, ok };
  if (!complete) return { ...check, error: r.diagnostics[0]?.message ?? "the run stopped" };
  return probe ? { ...check, rfProbeInput: probe.inputSize } : check;
}

function layerCells(f: LayerFacts | undefined, l: LayerMeasure | undefined, batch: number, rf: RfMeasure | undefined): Record<LayerQuantity, Cell> {
  return {
    shape: cell(f ? [batch, ...f.outputShape] : null, l ? [...l.shape] : null),
    params: cell(num(f?.trainableParams), l ? l.trainableParams : null),
    buffers: cell(num(f?.nonTrainableParams), l ? l.params - l.trainableParams : null),
    macs: cell(num(f?.macs), l ? l.macs : null),
    bytes: cell(num(f?.activationBytes), l ? l.activationBytes : null),
    rf: rfCell(f, rf),
  };
}

/**
 * The receptive-field comparison: a global prediction needs a measured field covering the
 * whole probe input; a local one needs equal sizes per axis, unclipped.
 */
function rfCell(f: LayerFacts | undefined, rf: RfMeasure | undefined): Cell {
  if (!f) return cell(null, rf ? (rf.global ? "global" : rf.size) : null);
  const notSpatial = f.rf.size.length === 0 && f.rf.whole !== true;
  const predicted: CellValue = notSpatial ? "not spatial" : f.rf.global ? "global" : f.rf.size;
  if (!rf) return { predicted, measured: null, ok: true, note: "not measured" };
  if (f.outputShape.length === 1 && !f.rf.global) return { predicted, measured: null, ok: true, note: "not measured: a flattened unit's field is its source unit's" };
  // A global layer after strided layers that never read the input's last rows depends on less
  // than the whole input: the region it reads is the prediction.
  if (f.rf.global && f.rf.whole && f.rf.size.some((n, a) => n !== f.rf.jump[a])) return cell(f.rf.size, rf.global ? "global" : rf.size);
  if (f.rf.global) return cell(predicted, rf.global ? "global" : rf.size, "the measured field does not cover the input");
  // A field exactly as large as the input covers it without being clipped.
  if (rf.clipped) return cell(predicted, rf.size, "clipped by the probe input's border");
  return cell(predicted, rf.size);
}

interface ProbeResult {
  fields: ReadonlyMap<number, RfMeasure>;
  corner: ReadonlyMap<number, readonly number[]>;
  inputSize: readonly number[];
}

/** Largest field allowed to grow the probe input to, in input elements per channel. */
const PROBE_LIMIT = 1 << 24;

/**
 * The smallest integer multiple of the model's input (so every size relation of the model
 * holds) on which the probed central units' predicted fields lie wholly inside the input: a
 * unit nearer the border may read padding of an intermediate layer and see less. The analysis
 * only sizes the probe; the measurement does not read it.
 */
function probeFactor(m: ModelGraph, sizes: readonly number[], skip: ReadonlySet<number>): number {
  const layers = m.nodes.filter((n) => n.kind !== "input" && !skip.has(n.id)).length;
  let best = 1;
  for (let factor = 1; sizes.reduce((p, n) => p * n * factor, 1) <= PROBE_LIMIT && factor <= 64; factor++) {
    best = factor;
    if ([...fittingLayers(m, sizes, factor)].filter((id) => !skip.has(id)).length === layers) break;
  }
  return best;
}

/**
 * Layers whose field depends on the input size beyond the usual scaling, probed at the model's
 * own size: an adaptive pooling to a size other than 1 (it widens its windows on a larger
 * input), a softmax along a spatial axis (its field is the whole axis), and what follows them.
 */
function sizeDependent(m: ModelGraph, a: ModelAnalysis): Set<number> {
  const rank = new Map(a.layers.map((f) => [f.node, f.outputShape.length]));
  const out = new Set<number>();
  for (const n of m.nodes) {
    const own = familyOf(n.family)?.probe.sizeDependent?.(n, rank.get(n.id) ?? 0) === true;
    if (own || n.inputs.some((i) => out.has(i))) out.add(n.id);
  }
  return out;
}

/** Layers whose field is not spatial, and every layer after one. */
function afterNotSpatial(m: ModelGraph, a: ModelAnalysis): Set<number> {
  const flat = new Set(a.layers.filter((f) => f.rf.size.length === 0).map((f) => f.node));
  const out = new Set<number>();
  for (const n of m.nodes) if (flat.has(n.id) || n.inputs.some((i) => out.has(i))) out.add(n.id);
  return out;
}

/** Layers whose probed central units' predicted fields lie inside the input at this factor (global and flat ones count as fitting). */
function fittingLayers(m: ModelGraph, sizes: readonly number[], factor: number): Set<number> {
  const a = analyze({ models: [probeModel(m, factor, false)] }).models[0];
  const out = new Set<number>();
  for (const f of a?.layers ?? []) {
    const inside = f.rf.global || f.outputShape.length < 2 || sizes.every((n, ax) => {
      // A field spanning the whole axis (a softmax along it) is the same for every unit.
      if (f.rf.size[ax] === n * factor && f.rf.start[ax] === (n * factor - 1) / 2) return true;
      const o = f.outputShape[ax + 1] ?? 1, c = Math.floor((o - 1) / 2);
      return [c, Math.min(o - 1, c + 3)].every((u) => {
        const centre = f.rf.start[ax]! + u * f.rf.jump[ax]!, half = (f.rf.size[ax]! - 1) / 2;
        return centre - half >= 0 && centre + half <= n * factor - 1;
      });
    });
    if (inside) out.add(f.node);
  }
  return out;
}

/** Runs the probe (local fields on the enlarged input) and predicts the corner extents. */
function probeFields(m: ModelGraph, a: ModelAnalysis, progress: (done: number) => void, diagnostics: Diagnostic[]): ProbeResult | undefined {
  const input = m.nodes[m.inputs[0]!]!;
  const sizes = (input.args.shape as number[]).slice(1);
  if (sizes.length === 0) return undefined;
  // A reshape fixes the sizes and channel counts it reads: probe such a model as it is.
  const fixed = m.nodes.some((n) => familyOf(n.family)?.probe.fixesSize === true);
  // A layer that needs its real channel count (a pixel shuffle) keeps the probe full width.
  const inRank = new Map(a.layers.map((f) => [f.node, f.inputShapes[0]?.length ?? 0]));
  const wide = m.nodes.some((n) => familyOf(n.family)?.probe.wide?.(n, inRank.get(n.id) ?? 0) === true);
  const dependent = sizeDependent(m, a);
  // A field that is not spatial (after a select or a permute) has nothing the probe can compare,
  // nor have the layers after it (a global one there is an upper bound): they are not measured.
  const lost = afterNotSpatial(m, a);
  const factor = fixed ? 1 : probeFactor(m, sizes, new Set([...dependent, ...lost]));
  const done = { n: 0 };
  const measurable = { ...a, layers: a.layers.filter((f) => !lost.has(f.node)) };
  const first = probeAt(m, measurable, sizes, factor, fixed || wide, dependent, () => progress(++done.n));
  // An enlarged copy may not run (a merge of a path through an adaptive pooling, whose output
  // size is fixed, with one whose size scales): then everything is probed at the model's size.
  const r = "failed" in first && factor > 1 ? probeAt(m, measurable, sizes, 1, fixed || wide, dependent, () => progress(++done.n)) : first;
  if ("failed" in r) {
    diagnostics.push(diag(messages.rfNotProbed, m.span, { layer: m.name, reason: r.failed }));
    return undefined;
  }
  return { fields: r.fields, corner: predictedCorners(m, r.factor), inputSize: sizes.map((n) => n * r.factor) };
}

/**
 * The probe at one factor: global, axis-spanning and size-dependent fields are measured on the
 * model's own input (a bigger one may drop border rows the model's input does not, or change
 * an adaptive pooling's windows), the other local fields on the input enlarged by `factor`;
 * on the model's own input only the fields that fit it.
 */
function probeAt(m: ModelGraph, a: ModelAnalysis, sizes: readonly number[], factor: number, fixed: boolean, dependent: ReadonlySet<number>, tick: () => void):
  { fields: Map<number, RfMeasure>; factor: number } | { failed: string } {
  const own = (f: LayerFacts) => f.rf.global || dependent.has(f.node);
  const fitting = fittingLayers(m, sizes, 1);
  const fits = (f: LayerFacts) => f.rf.global || fitting.has(f.node);
  const ownNodes = a.layers.filter((f) => own(f) && fits(f)).map((f) => f.node);
  // On the enlarged input, the fields that fit it (the size limit may stop short of the widest).
  const enlarged = factor > 1 ? fittingLayers(m, sizes, factor) : fitting;
  const localNodes = a.layers.filter((f) => !own(f) && enlarged.has(f.node)).map((f) => f.node);
  const parts = factor === 1 ? [{ factor, nodes: [...localNodes, ...ownNodes] }] : [{ factor, nodes: localNodes }, { factor: 1, nodes: ownNodes }];
  const fields = new Map<number, RfMeasure>();
  for (const part of parts) {
    if (part.nodes.length === 0) continue;
    const r = probeReceptiveFields(m, { factor: part.factor, nodes: part.nodes, reduceChannels: !fixed, onNode: tick });
    if (r.diagnostics.length > 0) return { failed: r.diagnostics.map((d) => d.message).join("; ") };
    for (const [id, f] of r.fields) fields.set(id, f);
  }
  return { fields, factor };
}

/**
 * The corner unit's clipped extent predicted from the analyzer's field of the probe-sized
 * model: [start − (size−1)/2, start + (size−1)/2] clipped to the input, where start is the
 * centre of unit 0's field. Only for local fields with integer jumps, and with no upsample,
 * transposed conv or mirroring padding upstream.
 */
function predictedCorners(m: ModelGraph, factor: number): Map<number, number[]> {
  const big = probeModel(m, factor, false);
  const a = analyze({ models: [big] }).models[0];
  const out = new Map<number, number[]>();
  const n = (big.nodes[big.inputs[0]!]!.args.shape as number[]).slice(1);
  // Downstream of an upsample or transposed conv, fields differ from unit to unit; downstream
  // of reflect/replicate/circular padding, a unit in the padding reads real input elements.
  const varying = new Set<number>();
  for (const node of m.nodes) {
    const probe = familyOf(node.family)?.probe;
    const own = probe?.varies === true || probe?.mirrors?.(node) === true;
    if (own || node.inputs.some((i) => varying.has(i))) varying.add(node.id);
  }
  for (const f of a?.layers ?? []) {
    if (f.rf.global || varying.has(f.node) || f.rf.jump.some((j) => !Number.isInteger(j) || j < 1)) continue;
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
