/**
 * `convspec export FILE --onnx OUT [--seed N] [--batch N] [--model NAME]`: writes one model,
 * with the weights the runtime draws for the seed, as an ONNX file (opset 17) that Netron
 * opens and any ONNX runtime runs. Exit 0 written, 1 the spec cannot be exported, 2 a bad call.
 */
import { groupDigits } from "../util/format.js";
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { ModelGraph } from "../graph/ir.js";
import { exportOnnx, ONNX_OPSET } from "../onnx/export.js";
import { seededParams } from "../onnx/weights.js";
import { compileFile, EXIT, exitFor, printDiagnostics, UsageError } from "./io.js";
import { wholeNumber } from "./options.js";
import { writeOutput } from "./write.js";
import { analyze } from "../analysis/analyze.js";
import { parseBudgetValue } from "../check/budgets.js";
import { bytes as formatBytes } from "../report/units.js";

export interface ExportCommandOptions {
  readonly onnx?: string;
  readonly seed?: string;
  readonly batch?: string;
  readonly model?: string;
  readonly force?: boolean;
  readonly maxMemory?: string;
}

function pickModel(models: readonly ModelGraph[], name: string | undefined, file: string): ModelGraph {
  const names = models.map((m) => m.name).join(", ");
  if (name !== undefined) {
    const m = models.find((x) => x.name === name);
    if (!m) throw new UsageError(`${file} has no model ${name} (it has ${names})`);
    return m;
  }
  if (models.length > 1) throw new UsageError(`${file} defines ${models.length} models (${names}); choose one with --model NAME`);
  return models[0]!;
}

/** A protobuf message (an ONNX file) holds at most 2 GiB. */
const ONNX_MAX_BYTES = 2n ** 31n - 1n;

/** `--max-memory SIZE` (default 1GiB): the most bytes of weights to draw and encode. */
function memoryLimit(text: string | undefined): bigint {
  const v = parseBudgetValue(text ?? "1GiB");
  if (v.value === undefined) throw new UsageError(`--max-memory ${text}: ${v.error ?? "not a size"} (e.g. 1GiB, 512MiB)`);
  return v.value;
}

/** Exit 1 with CS4903 when the weights would take more memory than allowed (or than an ONNX file holds). */
function weightGuard(model: ModelGraph, limit: bigint, sources: ReadonlyMap<string, string>): number | undefined {
  const a = analyze({ models: [model] }, { asserts: false });
  const t = a.models[0]?.totals;
  if (!t) return undefined;
  const bytes = t.paramBytes;
  const cap = limit < ONNX_MAX_BYTES ? limit : ONNX_MAX_BYTES;
  if (bytes <= cap) return undefined;
  const what = limit < ONNX_MAX_BYTES ? `the limit of ${formatBytes(limit)} (--max-memory)` : "the 2 GiB an ONNX file can hold";
  printDiagnostics([diag(messages.onnxTooLarge, model.span, { model: model.name, bytes: formatBytes(bytes), what }, { hint: "shrink the model, or raise --max-memory (at most 2 GiB)" })], sources);
  return EXIT.specError;
}

/** Runs the export command; returns the exit code. */
export function runExport(file: string, opts: ExportCommandOptions): number {
  if (!opts.onnx) throw new UsageError("say where to write the model: --onnx OUT.onnx");
  const seed = wholeNumber("--seed", opts.seed, 0) ?? 0;
  const batch = wholeNumber("--batch", opts.batch, 1) ?? 1;
  const limit = memoryLimit(opts.maxMemory);
  const compiled = compileFile(file);
  printDiagnostics(compiled.diagnostics, compiled.sources);
  if (exitFor(compiled.diagnostics) !== EXIT.ok) return EXIT.specError;
  if (compiled.graph.models.length === 0) {
    printDiagnostics([diag(messages.onnxNoModel, undefined, { file, detail: "" })], compiled.sources);
    return EXIT.specError;
  }
  const model = pickModel(compiled.graph.models, opts.model, file);
  const tooBig = weightGuard(model, limit, compiled.sources);
  if (tooBig) return tooBig;
  const weights = seededParams(model, seed, batch);
  printDiagnostics(weights.diagnostics, compiled.sources);
  if (!weights.params) return EXIT.specError;
  const r = exportOnnx(model, weights.params, { batch });
  printDiagnostics(r.diagnostics, compiled.sources);
  if (!r.bytes) return EXIT.specError;
  writeOutput(opts.onnx, r.bytes, { flag: "--onnx", force: opts.force === true, inputs: [...compiled.sources.keys()].filter((f) => f !== "<stdin>") });
  let params = 0;
  for (const p of weights.params.values()) for (const t of Object.values(p)) params += t.data.length;
  const mb = (r.bytes.length / 1e6).toFixed(1);
  process.stdout.write(`wrote ${opts.onnx}: model ${model.name}, ONNX opset ${ONNX_OPSET}, batch ${batch}, seed ${seed}, ` +
    `${groupDigits(params)} weights (${mb} MB); inputs ${r.inputNames.join(", ")} → outputs ${r.outputNames.join(", ")}\n`);
  return EXIT.ok;
}
