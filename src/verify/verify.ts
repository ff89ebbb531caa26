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
import { rulesOf } from "../families/registry.js";
import { run, type LayerMeasure } from "../exec/runtime.js";
import type { RfMeasure } from "../exec/rf.js";
import { forwardNeed, type PhaseNeed } from "./memory_plan.js";
import { probeFields, probeFloor, type ProbeOutcome } from "./probe.js";
import { bytes as formatBytes } from "../report/units.js";
import { pushAll } from "../util/array.js";
import { stopCheck, STOP_HINT, type StopOptions } from "../util/stop.js";

/** A value in a comparison: a count, a shape or per-axis sizes, or a word such as "global". */
export type CellValue = number | readonly number[] | string;

/** One predicted-vs-measured comparison. `null` where a side has no value (the run stopped). */
export interface Cell {
  readonly predicted: CellValue | null;
  readonly measured: CellValue | null;
  readonly ok: boolean;
  /** Why a cell failed or was not measured, when that needs saying. */
  readonly note?: string;
  /**
   * A receptive-field mismatch: the output unit (index per spatial axis, on the probe's copy
   * with spatial inputs `factor` times the model's), its predicted and measured extents per axis.
   */
  readonly unit?: { readonly index: readonly number[]; readonly factor: number; readonly predicted: readonly number[]; readonly measured: readonly number[] };
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
  /** The memory plan: the limit, and the bytes planned for the forward run and the probe. */
  readonly memory?: { readonly limit: number; readonly forward: number; readonly probe?: number };
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

export interface VerifyOptions extends StopOptions {
  /** Batch size of the run and the predictions (default 1). */
  readonly batch?: number;
  /** Seed of initialization and inputs (default 0). */
  readonly seed?: number;
  /** Measure receptive fields (default true). */
  readonly rf?: boolean;
  /**
   * Bytes the run may allocate (default 4 GiB): a model whose forward run, or whose smallest
   * receptive-field probe, is predicted to need more is refused before anything is allocated;
   * the probe input grows only as far as this allows (docs/verify.md, memory model).
   */
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
  const stop = stopCheck(options);
  const until = { signal: options.signal, deadlineMs: options.deadlineMs };
  const analysis = options.analysis ?? analyze(graph, options.skipAsserts === undefined ? { batch, ...until } : { batch, asserts: false, assertsSkipped: options.skipAsserts, ...until });
  // The analyzer's own findings come first: a model it rejects cannot be fully compared.
  const diagnostics: Diagnostic[] = [...analysis.diagnostics];
  const models = graph.models.map((m) => {
    const a = analysis.models.find((x) => x.name === m.name);
    if (!a) {
      diagnostics.push(diag(messages.noAnalysis, m.span, { model: m.name, reason: "the analysis has no such model" }));
      return failed(m, batch, "no analysis");
    }
    return stoppable(m, batch, stop, diagnostics, () => verifyModel(m, a, batch, { ...options, onProgress: progressOrStop(options, stop) }, diagnostics));
  });
  return { models, diagnostics, ok: models.every((m) => m.ok) };
}

/** Thrown from the progress callback between layers once the deadline passes or the signal aborts. */
class Stopped {
  constructor(readonly reason: string) {}
}

/** The caller's progress callback, which also stops the run between layers. */
function progressOrStop(options: VerifyOptions, stop: () => string | undefined): VerifyOptions["onProgress"] {
  return (done, total, phase) => {
    options.onProgress?.(done, total, phase);
    const reason = stop();
    if (reason !== undefined) throw new Stopped(reason);
  };
}

/** Runs one model's check; a stop becomes a CS6007 diagnostic and a failed model. */
function stoppable(m: ModelGraph, batch: number, stop: () => string | undefined, diagnostics: Diagnostic[], check: () => ModelCheck): ModelCheck {
  try {
    const early = stop();
    if (early !== undefined) throw new Stopped(early);
    return check();
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
    const d = diag(messages.stopped, m.span, { reason: e.reason.replace(/^it /, "the verification ") }, { hint: STOP_HINT });
    diagnostics.push(d);
    return failed(m, batch, d.message);
  }
}

function failed(m: ModelGraph, batch: number, error: string): ModelCheck {
  const none = cell(null, null);
  return { name: m.name, file: m.file, batch, inputs: {}, layers: [], totals: { params: none, buffers: none, macs: none, bytes: none, peak: none }, error, ok: false };
}

/** The default of `maxMemoryBytes`. */
export const DEFAULT_MAX_MEMORY = 4 * 1024 ** 3;

function refuse(m: ModelGraph, batch: number, need: PhaseNeed, limit: number, diagnostics: Diagnostic[]): ModelCheck {
  const hint = need.phase === "forward run" ? "raise --max-memory, lower --batch, or shrink the input with --input-scale" : "raise --max-memory, shrink the input with --input-scale, or skip the probe with --no-rf";
  const msg = diag(messages.memoryRefused, m.span, { model: m.name, phase: need.phase, need: formatBytes(BigInt(need.bytes)), batch, limit: formatBytes(BigInt(limit)) }, { hint });
  diagnostics.push(msg);
  return failed(m, batch, msg.message);
}

function verifyModel(m: ModelGraph, a: ModelAnalysis, batch: number, options: VerifyOptions, diagnostics: Diagnostic[]): ModelCheck {
  const limit = Math.floor(options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY);
  const probing = options.rf !== false;
  // The plan, before anything is allocated: each phase must fit on its own (they run in turn).
  const forward = forwardNeed(a, batch);
  if (forward.bytes > limit) return refuse(m, batch, forward, limit, diagnostics);
  const floor = probing ? probeFloor(m, a) : undefined;
  if (floor && floor.bytes > limit) return refuse(m, batch, floor, limit, diagnostics);
  const layerCount = m.nodes.length - m.inputs.length;
  const total = layerCount * (probing ? 2 : 1);
  const r = forwardRun(m, batch, options, (d) => options.onProgress?.(d, total, "forward"));
  pushAll(diagnostics, r.diagnostics);
  const probe = probing && r.diagnostics.length === 0 ? probeFields(m, a, limit, (d) => options.onProgress?.(layerCount + d, total, "rf")) : undefined;
  const layers = m.nodes.filter((n) => n.kind !== "input").map((n): LayerCheck => {
    const f = a.layers.find((x) => x.node === n.id);
    const l = r.measured.get(n.id);
    const rf = probe?.fields.get(n.id);
    // A param or buffer has no batch axis: it broadcasts over the batch with size 1.
    const check: LayerCheck = { node: n.id, name: n.label, kind: n.kind, path: n.path, cells: layerCells(f, l, rulesOf(n.family)?.parameter ? 1 : batch, rf, probe) };
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
  const memory = { limit, forward: forward.bytes, ...(probe ? { probe: probe.need.bytes } : {}) };
  const check: ModelCheck = { name: m.name, file: m.file, batch, inputs, layers, totals, memory, ok };
  if (!complete) return { ...check, error: r.diagnostics[0]?.message ?? "the run stopped" };
  return probe ? { ...check, rfProbeInput: probe.inputSize } : check;
}

/**
 * The forward run, reduced to what the comparison reads: its parameters and outputs are
 * dropped here, before the probe allocates its own.
 */
function forwardRun(m: ModelGraph, batch: number, options: VerifyOptions, onLayer: (done: number) => void) {
  const r = run(m, { batch, seed: options.seed ?? 0, onLayer });
  return { layers: r.layers, measured: new Map<number, LayerMeasure>(r.layers.map((l) => [l.node, l])), peakBytes: r.peakBytes, diagnostics: r.diagnostics };
}

function layerCells(f: LayerFacts | undefined, l: LayerMeasure | undefined, batch: number, rf: RfMeasure | undefined, probe: ProbeOutcome | undefined): Record<LayerQuantity, Cell> {
  return {
    shape: cell(f ? [batch, ...f.outputShape] : null, l ? [...l.shape] : null),
    params: cell(num(f?.trainableParams), l ? l.trainableParams : null),
    buffers: cell(num(f?.nonTrainableParams), l ? l.params - l.trainableParams : null),
    macs: cell(num(f?.macs), l ? l.macs : null),
    bytes: cell(num(f?.activationBytes), l ? l.activationBytes : null),
    rf: rfCell(f, rf, probe),
  };
}

/**
 * The receptive-field comparison: a global prediction needs a measured field covering the
 * whole probe input; a local one needs every probed unit's measured extent to equal that
 * unit's predicted extent, and the widest measured to equal the predicted size.
 */
function rfCell(f: LayerFacts | undefined, rf: RfMeasure | undefined, probe: ProbeOutcome | undefined): Cell {
  if (!f) return cell(null, rf ? (rf.global ? "global" : rf.size) : null);
  if (f.rf.constant) return { predicted: "none", measured: null, ok: true, note: "a param or buffer depends on no input" };
  if (f.rf.notSpatial !== undefined) return { predicted: "not spatial", measured: null, ok: true, note: `not measured: ${f.rf.notSpatial}` };
  if (f.rf.axesLost !== undefined && f.rf.global) return { predicted: "global", measured: null, ok: true, note: `not measured (an upper bound): ${f.rf.axesLost}` };
  const predicted: CellValue = f.rf.global ? "global" : f.rf.size;
  if (f.outputShape.length === 1 && !f.rf.global) return { predicted, measured: null, ok: true, note: "not measured: a flattened unit's field is its source unit's" };
  if (!rf) return { predicted, measured: null, ok: true, note: `not measured${probe?.skipped.get(f.node) ? `: ${probe.skipped.get(f.node)}` : ""}` };
  if (f.rf.global) return globalCell(f, rf);
  const expected = probe?.expected.get(f.node) ?? [];
  for (let k = 0; k < rf.units.length; k++) {
    const u = rf.units[k]!, want = expected[k];
    const got = u.lo.map((lo, a) => (u.hi[a]! >= lo ? u.hi[a]! - lo + 1 : 0));
    // After an interpolating resample, a border unit may read less than its phase's prediction
    // (an upper bound there); the widest is still compared exactly below.
    const within = probe?.resampled.has(f.node) === true && got.every((g, a) => g <= want![a]!);
    if (want && !same(want, got) && !within) {
      const note = `output unit [${u.unit.join(", ")}] (probe input ${rf.inputSize.join("×")}): predicted extent ${want.join("×")}, measured ${got.join("×")} (input ${u.lo.map((lo, a) => `${lo}..${u.hi[a]}`).join(", ")})`;
      return { predicted, measured: rf.size, ok: false, note, unit: { index: u.unit, factor: rf.factor, predicted: want, measured: got } };
    }
  }
  const c = cell(predicted, rf.size, `the widest measured unit (of ${rf.units.length} probed) differs from the widest predicted`);
  // The widest measured unit against the widest prediction, so the ✗ still names a unit.
  const widest = rf.units.map((u) => u.lo.map((lo, a) => (u.hi[a]! >= lo ? u.hi[a]! - lo + 1 : 0))).map((got, k) => ({ got, k }))
    .reduce((b, x) => (x.got.reduce((p, n) => p * n, 1) > b.got.reduce((p, n) => p * n, 1) ? x : b), { got: [] as number[], k: -1 });
  if (c.ok || widest.k < 0) return c;
  return { ...c, unit: { index: rf.units[widest.k]!.unit, factor: rf.factor, predicted: f.rf.size, measured: widest.got } };
}

/**
 * A global prediction: the measured region must cover the whole input, or exactly the region
 * the layers before read when strided windows never reach its last rows. A mismatch names the
 * probed unit and its measured extent.
 */
function globalCell(f: LayerFacts, rf: RfMeasure): Cell {
  const measured: CellValue = rf.global ? "global" : rf.size;
  const whole = rf.inputSize;
  // After strided layers that skip the last rows (also through a merge with a local path, as a
  // squeeze-and-excitation gate), the region read is the prediction.
  const read = f.rf.whole ? f.rf.size : f.rf.read?.map(([lo, hi], a) => Math.min(hi, whole[a]! - 1) - Math.max(lo, 0) + 1);
  // A merged (local + global) field's `read` is the union of its operands' read regions, which
  // a global operand may exceed: there either the whole input or that region passes.
  const partial = read !== undefined && read.some((n, a) => n !== whole[a]) && (f.rf.whole || !rf.global);
  const c = partial ? cell(read, measured, "the measured field is not the region the layers before read") : cell("global", measured, "the measured field does not cover the input");
  const u = rf.units[0];
  if (c.ok || !u) return c;
  const got = u.lo.map((lo, a) => (u.hi[a]! >= lo ? u.hi[a]! - lo + 1 : 0));
  return { ...c, unit: { index: u.unit, factor: rf.factor, predicted: partial ? read : [...whole], measured: got } };
}
