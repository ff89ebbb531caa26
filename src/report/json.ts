/**
 * The JSON report (schema version 1). Field names are a contract (issue 3): models[{name,
 * inputs, outputs, layers[{name, kind, block, outputShape, params, trainableParams, macs, flops,
 * activationBytes, rf}], totals}], diagnostics. Integers beyond 2^53 are decimal strings.
 */
import type { AnalysisResult, ModelAnalysis } from "../analysis/types.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lineCol, type SourceLookup } from "../diagnostics/render.js";

export const SCHEMA_VERSION = 1;

/** A JSON number when exact (|n| ≤ 2^53 − 1), else its decimal string. */
export function exact(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

function model(m: ModelAnalysis) {
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
    asserts: m.asserts.map((a) => ({ text: a.assert.text, pass: a.pass, actual: a.actual, expected: a.expected, ...(a.pass ? {} : { message: a.message }) })),
  };
}

function diagnostic(d: Diagnostic, sources: SourceLookup) {
  const at = (span: NonNullable<Diagnostic["span"]>) => {
    const text = sources(span.file);
    return { file: span.file, ...(text === undefined ? {} : lineCol(text, span.start)) };
  };
  return {
    code: d.code, severity: d.severity, message: d.message,
    ...(d.span ? at(d.span) : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, ...at(r.span) })) } : {}),
  };
}

/** The JSON document for analyses of one or more files, plus every diagnostic. */
export function toJson(results: readonly AnalysisResult[], extra: readonly Diagnostic[], sources: SourceLookup): string {
  const doc = {
    schemaVersion: SCHEMA_VERSION,
    models: results.flatMap((r) => r.models.map(model)),
    diagnostics: [...extra, ...results.flatMap((r) => r.diagnostics)].map((d) => diagnostic(d, sources)),
  };
  // Lists of numbers (shapes, fields) stay on one line.
  return JSON.stringify(doc, null, 2).replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_m, inner: string) => `[${inner.split(/,\s+/).join(", ")}]`);
}
