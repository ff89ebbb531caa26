/**
 * The JSON documents of `analyze`, `check` and `verify --format json`, as plain data a host can
 * `JSON.stringify`: the CLI prints exactly `JSON.stringify(analysisToJson(...))`, so the two
 * cannot drift. Field names are a contract (issue 3; CHANGELOG.md says what a minor version may
 * change): analyze gives models[{name, inputs, outputs, layers[{name, kind, block, outputShape,
 * params, trainableParams, macs, flops, activationBytes, rf}], totals, asserts}], diagnostics.
 * Integers beyond 2^53 are decimal strings, everywhere. verify's document is in verify-json.ts,
 * so that analyze's import graph holds no verification code.
 */
import { dict } from "../util/dict.js";
import type { AnalysisResult, AssertValue, ModelAnalysis, Totals } from "../analysis/types.js";
import type { CheckReport, CheckResult } from "../check/evaluate.js";
import type { Diagnostic, Severity } from "../diagnostics/diagnostic.js";
import { lineCol, type SourceLookup } from "../diagnostics/render.js";

/** The `schemaVersion` of every JSON document; raised only by an incompatible change. */
export const SCHEMA_VERSION = 1;

/** An exact integer in JSON: a number when |n| ≤ 2^53 − 1, else its decimal string. */
export type JsonInteger = number | string;

/** The JSON form of a result type: bigints become `JsonInteger`, everything else as it is. */
export type Jsonify<T> = T extends bigint ? JsonInteger
  : T extends readonly (infer U)[] ? readonly Jsonify<U>[]
  : T extends object ? { readonly [K in keyof T]: Jsonify<T[K]> }
  : T;

/** A JSON number when exact (|n| ≤ 2^53 − 1), else its decimal string. */
export function exact(n: bigint): JsonInteger {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** Where the JSON functions find source text (for line and column) and diagnostics to list first. */
export interface JsonContext {
  /** Source text by file name (a compile result's `sources`, or a lookup function). */
  readonly sources?: ReadonlyMap<string, string> | SourceLookup;
  /** Diagnostics listed before the result's own, e.g. those `compile` returned. */
  readonly diagnostics?: readonly Diagnostic[];
}

/** A diagnostic in JSON: its place as file, line and column (1-based) when the source is known. */
export interface DiagnosticJson {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly hint?: string;
  readonly related?: readonly { readonly message: string; readonly file: string; readonly line?: number; readonly col?: number }[];
}

/** One layer in JSON: the facts of `LayerFacts` that reports show, counts exact, the receptive field per axis. */
export interface LayerJson {
  readonly name: string;
  readonly kind: string;
  readonly block: string;
  readonly outputShape: readonly number[];
  readonly params: JsonInteger;
  readonly trainableParams: JsonInteger;
  readonly nonTrainableParams: JsonInteger;
  readonly macs: JsonInteger;
  readonly flops: JsonInteger;
  readonly activationBytes: JsonInteger;
  readonly rf: { readonly size: readonly number[]; readonly jump: readonly number[]; readonly start: readonly number[]; readonly global: boolean };
}

/** Totals in JSON: every count of `Totals`, exact. */
export type TotalsJson = Jsonify<Totals>;

/** An evaluated assert side in JSON: integers exact, fractions as numbers, lists per axis. */
export type AssertValueJson = Jsonify<AssertValue>;

/** One `assert` line in JSON: its text, outcome, both sides as display strings and as values. */
export interface AssertJson {
  readonly text: string;
  readonly pass: boolean;
  /** Display strings (`61,706`), as the text reports print them. */
  readonly actual: string;
  readonly expected: string;
  readonly actualValue?: AssertValueJson;
  readonly expectedValue?: AssertValueJson;
  readonly message?: string;
}

/** One model in JSON: name, file, batch, dtype, optimizer, inputs and outputs as in `ModelAnalysis`, then its layers, totals and asserts. */
export type ModelJson = Jsonify<Omit<ModelAnalysis, "graph" | "layers" | "totals" | "asserts">> & {
  readonly layers: readonly LayerJson[];
  readonly totals: TotalsJson;
  readonly asserts: readonly AssertJson[];
};

/** What `convspec analyze --format json` prints. */
export interface AnalysisJson {
  readonly schemaVersion: number;
  readonly models: readonly ModelJson[];
  readonly diagnostics: readonly DiagnosticJson[];
}

/** One check result in JSON: `CheckResult` with its values made exact. */
export type CheckResultJson = Jsonify<CheckResult>;

/** What `convspec check --format json` prints. */
export interface CheckJson {
  readonly schemaVersion: number;
  readonly passed: number;
  readonly failed: number;
  readonly invalid: number;
  readonly exitCode: 0 | 1 | 2;
  readonly results: readonly CheckResultJson[];
  readonly diagnostics: readonly DiagnosticJson[];
}

function lookupOf(sources: JsonContext["sources"]): SourceLookup {
  if (sources === undefined) return () => undefined;
  return typeof sources === "function" ? sources : (f) => sources.get(f);
}

/** Plain JSON data from a value holding bigints (made exact) and undefined fields (dropped). */
export function plain(v: unknown): unknown {
  if (typeof v === "bigint") return exact(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const out = dict<unknown>();
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
    return out;
  }
  return v;
}

function assertValue(v: AssertValue | undefined): AssertValueJson | undefined {
  return v === undefined ? undefined : (plain(v) as AssertValueJson);
}

function model(m: ModelAnalysis): ModelJson {
  const t = m.totals;
  return {
    name: m.name, file: m.file, batch: m.batch, dtype: m.dtype, optimizer: m.optimizer,
    inputs: m.inputs, outputs: m.outputs,
    layers: m.layers.map((l) => ({
      name: l.name, kind: l.kind, block: l.block, outputShape: l.outputShape,
      params: exact(l.params), trainableParams: exact(l.trainableParams), nonTrainableParams: exact(l.nonTrainableParams),
      macs: exact(l.macs), flops: exact(l.flops), activationBytes: exact(l.activationBytes),
      rf: { size: l.rf.size, jump: l.rf.jump, start: l.rf.start, global: l.rf.global },
    })),
    totals: {
      params: exact(t.params), trainableParams: exact(t.trainableParams), nonTrainableParams: exact(t.nonTrainableParams),
      macs: exact(t.macs), flops: exact(t.flops), paramBytes: exact(t.paramBytes), activationBytes: exact(t.activationBytes),
      peakActivationBytes: exact(t.peakActivationBytes), trainingBytes: exact(t.trainingBytes),
    },
    asserts: m.asserts.map((a) => {
      const [actualValue, expectedValue] = [assertValue(a.actualValue), assertValue(a.expectedValue)];
      return {
        text: a.assert.text, pass: a.pass, actual: a.actual, expected: a.expected,
        ...(actualValue === undefined ? {} : { actualValue }),
        ...(expectedValue === undefined ? {} : { expectedValue }),
        ...(a.pass ? {} : { message: a.message }),
      };
    }),
  };
}

/** A diagnostic as JSON, with line and column where the source text is known. */
export function diagnosticToJson(d: Diagnostic, sources?: JsonContext["sources"]): DiagnosticJson {
  const lookup = lookupOf(sources);
  const at = (span: NonNullable<Diagnostic["span"]>) => {
    const text = lookup(span.file);
    return { file: span.file, ...(text === undefined ? {} : lineCol(text, span.start)) };
  };
  return {
    code: d.code, severity: d.severity, message: d.message,
    ...(d.span ? at(d.span) : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, ...at(r.span) })) } : {}),
  };
}

export function diagnostics(own: readonly Diagnostic[], context: JsonContext): DiagnosticJson[] {
  return [...(context.diagnostics ?? []), ...own].map((d) => diagnosticToJson(d, context.sources));
}

/** The analysis report of one or more analyses (several files), as `convspec analyze --format json` prints it. */
export function analysisToJson(results: AnalysisResult | readonly AnalysisResult[], context: JsonContext = {}): AnalysisJson {
  const list: readonly AnalysisResult[] = "models" in results ? [results as AnalysisResult] : (results as readonly AnalysisResult[]);
  return {
    schemaVersion: SCHEMA_VERSION,
    models: list.flatMap((r) => r.models.map(model)),
    diagnostics: diagnostics(list.flatMap((r) => r.diagnostics), context),
  };
}

/** The check report, as `convspec check --format json` prints it. */
export function checkToJson(report: CheckReport, context: JsonContext = {}): CheckJson {
  return {
    schemaVersion: SCHEMA_VERSION,
    passed: report.passed,
    failed: report.failed,
    invalid: report.invalid,
    exitCode: report.exitCode,
    results: plain(report.results) as CheckResultJson[],
    diagnostics: diagnostics(report.diagnostics, context),
  };
}

/**
 * `JSON.stringify(value)` in pieces, one per element of the arrays down to `depth` levels (the
 * document, its models, their layers): a model of a million layers makes a document longer
 * than V8's longest string, so the CLI writes the pieces as they come. Joined, the pieces are
 * exactly `JSON.stringify(value)`.
 */
export function* jsonChunks(value: unknown, depth = 4): Generator<string> {
  if (depth === 0 || value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    yield JSON.stringify(value) ?? "null";
    return;
  }
  if (Array.isArray(value)) {
    yield "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ",";
      const v: unknown = value[i];
      // As JSON.stringify: undefined and functions in an array are null.
      if (v === undefined || typeof v === "function") yield "null";
      else yield* jsonChunks(v, depth - 1);
    }
    yield "]";
    return;
  }
  yield "{";
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    // As JSON.stringify: keys whose value is undefined or a function are left out.
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    yield `${first ? "" : ","}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonChunks(v, depth - 1);
  }
  yield "}";
}
