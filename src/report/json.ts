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

/** Lists of numbers (shapes, fields) stay on one line. */
function compact(json: string): string {
  return json.replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_m, inner: string) => `[${inner.split(/,\s+/).join(", ")}]`);
}

/** Stands for model i's layer list in the skeleton (model names are identifiers: no `@`). */
const marker = (i: number) => `@@layers-${i}@@`;

/**
 * The JSON document in pieces, one per layer: a model of 999,000 layers makes a document
 * longer than the longest string V8 allows, so the CLI writes the pieces as they come.
 * Joined, the pieces are exactly `toJson`'s text.
 */
export function* jsonChunks(results: readonly AnalysisResult[], extra: readonly Diagnostic[], sources: SourceLookup): Generator<string> {
  const models = results.flatMap((r) => r.models);
  const doc = {
    schemaVersion: SCHEMA_VERSION,
    models: models.map((m, i) => ({ ...model({ ...m, layers: [] }), layers: marker(i) })),
    diagnostics: [...extra, ...results.flatMap((r) => r.diagnostics)].map((d) => diagnostic(d, sources)),
  };
  const skeleton = compact(JSON.stringify(doc, null, 2));
  let at = 0;
  for (let i = 0; i < models.length; i++) {
    const m = JSON.stringify(marker(i));
    const end = skeleton.indexOf(m, at);
    yield skeleton.slice(at, end);
    const layers = model(models[i]!).layers;
    if (layers.length === 0) yield "[]";
    // Each layer sits at depth 4 (document, models, model, layers): 8 spaces.
    else for (let k = 0; k < layers.length; k++) yield (k === 0 ? "[\n" : ",\n") + compact(JSON.stringify(layers[k], null, 2)).replace(/^/gm, "        ") + (k === layers.length - 1 ? "\n      ]" : "");
    at = end + m.length;
  }
  yield skeleton.slice(at);
}

/** The JSON document for analyses of one or more files, plus every diagnostic. */
export function toJson(results: readonly AnalysisResult[], extra: readonly Diagnostic[], sources: SourceLookup): string {
  let out = "";
  for (const chunk of jsonChunks(results, extra, sources)) out += chunk;
  return out;
}
