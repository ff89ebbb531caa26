/**
 * `convspec diff A B` (or `convspec diff FILE` for a file of two models): layer-by-layer and
 * total differences, as text, JSON or Markdown. `FILE#MODEL` picks one model of a file.
 */
import { analyze } from "../analysis/analyze.js";
import type { DType, ModelAnalysis } from "../analysis/types.js";
import { diffModels } from "../diff/diff.js";
import { diffJson, diffMarkdown, diffText, type DiffFormat } from "../diff/render.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { parseBatch } from "./options.js";
import { compileFile, EXIT, printDiagnostics, UsageError } from "./io.js";

export interface DiffCommandOptions {
  readonly format?: DiffFormat;
  readonly all?: boolean;
  readonly batch?: string;
  readonly dtype?: DType;
}

interface Loaded {
  readonly models: readonly ModelAnalysis[];
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

function load(file: string, batch: number, dtype: DType | undefined): Loaded {
  const c = compileFile(file);
  const a = analyze(c.graph, { batch, dtype });
  // Failed asserts do not stop a diff: reviewing a change that breaks one is the point.
  const diagnostics = [...c.diagnostics, ...a.diagnostics.filter((d) => d.code !== messages.assertFailed.code)];
  return { models: a.models, diagnostics, sources: c.sources };
}

/** Splits `path#model` (a path may itself hold no `#`). */
function selector(arg: string): { file: string; model?: string } {
  const at = arg.lastIndexOf("#");
  return at > 0 ? { file: arg.slice(0, at), model: arg.slice(at + 1) } : { file: arg };
}

function pick(l: Loaded, file: string, model: string | undefined): ModelAnalysis {
  if (model !== undefined) {
    const m = l.models.find((x) => x.name === model);
    if (!m) throw new UsageError(`${file} has no model ${model} (it has ${l.models.map((x) => x.name).join(", ") || "none"})`);
    return m;
  }
  if (l.models.length !== 1) throw new UsageError(`${file} has ${l.models.length} models; name one as ${file}#MODEL (${l.models.map((x) => x.name).join(", ")})`);
  return l.models[0]!;
}

/** Runs `convspec diff`; returns the exit code. */
export function runDiff(first: string, second: string | undefined, opts: DiffCommandOptions): number {
  const batch = parseBatch(opts.batch);
  const sa = selector(first);
  const sb = second === undefined ? undefined : selector(second);
  const la = load(sa.file, batch, opts.dtype);
  const lb = sb && sb.file !== sa.file ? load(sb.file, batch, opts.dtype) : la;
  const diagnostics = la === lb ? la.diagnostics : [...la.diagnostics, ...lb.diagnostics];
  printDiagnostics(diagnostics, new Map([...la.sources, ...lb.sources]));
  if (diagnostics.some((d) => d.severity === "error")) return EXIT.specError;
  let a: ModelAnalysis;
  let b: ModelAnalysis;
  if (!sb) {
    if (sa.model !== undefined || la.models.length !== 2) {
      throw new UsageError(`diff needs two models: name two files, or one file that holds exactly two (${sa.file} has ${la.models.length})`);
    }
    [a, b] = [la.models[0]!, la.models[1]!];
  } else {
    a = pick(la, sa.file, sa.model);
    b = pick(lb, sb.file, sb.model);
  }
  const d = diffModels(a, b);
  const out = opts.format === "json" ? diffJson(d) : opts.format === "markdown" ? diffMarkdown(d, opts) : diffText(d, opts);
  process.stdout.write(out + "\n");
  return EXIT.ok;
}
