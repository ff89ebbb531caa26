/**
 * `convspec analyze FILE...`: per-layer shapes, params, MACs, memory and receptive fields,
 * totals, and the spec's assertions (a failure exits 1). Imports no execution code.
 */
import { analyze } from "../analysis/analyze.js";
import { DTYPE_BYTES, OPTIMIZER_STATES, type AnalysisResult, type DType, type Optimizer } from "../analysis/types.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { analysisToJson, jsonChunks } from "../report/json.js";
import { renderCsv, renderMarkdown, renderTable } from "../report/text.js";
import { compileFile, EXIT, exitFor, printDiagnostics, UsageError, useColor, writeStdoutChunks } from "./io.js";
import { oneOf, wholeNumber } from "./options.js";
import { pushAll } from "../util/array.js";
import { dict } from "../util/dict.js";

export interface AnalyzeCommandOptions {
  readonly batch?: string;
  readonly dtype?: string;
  readonly input?: readonly string[];
  readonly optimizer?: string;
  readonly format?: string;
  readonly depth?: string;
  readonly strict?: boolean;
}

const FORMATS = ["table", "json", "markdown", "csv"] as const;

/** `--input image=3,128,128` (repeatable) → { image: [3, 128, 128] }. */
export function parseInputs(specs: readonly string[]): Record<string, number[]> {
  const out = dict<number[]>();
  for (const s of specs) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\d+(?:,\d+)*)$/.exec(s.replace(/\s+/g, ""));
    const dims = m?.[2]!.split(",").map(Number);
    if (!m || !dims || dims.length > 4 || dims.some((d) => d < 1 || !Number.isSafeInteger(d))) {
      throw new UsageError(`--input takes NAME=C,H,W with 1 to 4 sizes ≥ 1, got "${s}"`);
    }
    out[m[1]!] = dims;
  }
  return out;
}

/** Runs the command; returns the exit code. */
export function runAnalyze(files: readonly string[], opts: AnalyzeCommandOptions): number {
  const batch = wholeNumber("--batch", opts.batch, 1) ?? 1;
  const depth = wholeNumber("--depth", opts.depth, 1);
  const dtype = oneOf<DType>("--dtype", opts.dtype, Object.keys(DTYPE_BYTES) as DType[]) ?? "float32";
  const optimizer = oneOf<Optimizer>("--optimizer", opts.optimizer, Object.keys(OPTIMIZER_STATES) as Optimizer[]) ?? "sgd";
  const format = oneOf("--format", opts.format, FORMATS) ?? "table";
  const inputShapes = parseInputs(opts.input ?? []);

  let code: number = EXIT.ok;
  const results: AnalysisResult[] = [];
  const compileDiags: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const seenInputs = new Set<string>();
  const out: string[] = [];
  for (const f of files) {
    const c = compileFile(f, { inputShapes });
    for (const [k, v] of c.sources) sources.set(k, v);
    for (const m of c.graph.models) for (const i of m.inputs) seenInputs.add(m.nodes[i]!.label);
    printDiagnostics(c.diagnostics, c.sources);
    pushAll(compileDiags, c.diagnostics);
    code = Math.max(code, exitFor(c.diagnostics, opts.strict));
    const r = analyze(c.graph, { batch, dtype, optimizer, strict: opts.strict, sources: (x) => c.sources.get(x) });
    printDiagnostics(r.diagnostics, c.sources);
    code = Math.max(code, exitFor(r.diagnostics, opts.strict));
    results.push(r);
    const color = useColor(process.stdout);
    for (const m of r.models) {
      if (format === "table") out.push(renderTable(m, { depth, color }) + "\n");
      if (format === "markdown") out.push(renderMarkdown(m, { depth }) + "\n");
    }
  }
  // A model with errors is left out of the graph, with its inputs: then its errors are the news.
  const unknown = compileDiags.some((d) => d.severity === "error") ? [] : Object.keys(inputShapes).filter((k) => !seenInputs.has(k));
  if (unknown.length > 0) throw new UsageError(`--input ${unknown[0]}: no model declares an input named "${unknown[0]}" (inputs: ${[...seenInputs].join(", ") || "none"})`);
  if (format === "json") {
    // In pieces: a document of a million layers is longer than V8's longest string.
    writeStdoutChunks(jsonChunks(analysisToJson(results, { diagnostics: compileDiags, sources })));
    writeStdoutChunks(["\n"]);
    return code;
  }
  if (format === "csv") out.push(renderCsv(results.flatMap((r) => r.models), { depth }) + "\n");
  process.stdout.write(out.join("\n"));
  return code;
}
