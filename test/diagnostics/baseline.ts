/**
 * Shared by the diagnostics baselines: compiles one spec of test/invalid/ (imports read from
 * that folder) and formats its diagnostics as `line:col code` lines, prefixed with the file
 * name when a diagnostic sits in an imported file.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileOptions, type CompileResult } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { lineCol } from "../../src/diagnostics/render.js";

export const INVALID_DIR = fileURLToPath(new URL("../invalid/", import.meta.url));

/** Every top-level case; support files for `use` live in test/invalid/lib/. */
export function invalidCases(): string[] {
  return readdirSync(INVALID_DIR)
    .filter((f) => f.endsWith(".cnn") && statSync(join(INVALID_DIR, f)).isFile())
    .sort();
}

/** A resolver confined to test/invalid/: paths are relative to it, as compile() joins them. */
export function folderResolver(path: string): string | undefined {
  if (path.startsWith("/") || path.split("/").includes("..")) return undefined;
  const full = join(INVALID_DIR, path);
  return existsSync(full) ? readFileSync(full, "utf8") : undefined;
}

type CaseOptions = Pick<CompileOptions, "maxLayers" | "maxDepth" | "maxFileSize" | "maxImportDepth" | "maxTokens" | "maxImportFiles" | "maxImportBytes"> & { aborted?: boolean };

/** A case may set compile limits on its first line: `# options: {"maxLayers": 10}`. */
export function caseOptions(text: string): CompileOptions {
  const m = /^# options: (\{.*\})\s*$/m.exec(text.split("\n")[0] ?? "");
  if (!m) return {};
  const o = JSON.parse(m[1]!) as CaseOptions;
  const { aborted, ...limits } = o;
  return aborted ? { ...limits, signal: AbortSignal.abort() } : limits;
}

/**
 * Compiles a case and analyzes the models it compiled (a model with errors is left out of the
 * graph, one with only a bad assert line stays), so shape mistakes (CS3xxx) and the asserts
 * that still ran have baselines beside the front end's.
 */
export function compileCase(name: string): { result: CompileResult; text: string } {
  const text = readFileSync(join(INVALID_DIR, name), "utf8");
  const compiled = compile({ file: name, text }, { ...caseOptions(text), resolve: folderResolver });
  if (compiled.graph.models.length === 0) return { result: compiled, text };
  const analysed = analyze(compiled.graph, { sources: (f) => compiled.sources.get(f) });
  const diagnostics: Diagnostic[] = [...compiled.diagnostics, ...analysed.diagnostics];
  return { result: { ...compiled, diagnostics }, text };
}

/** The baseline lines of one compile: sorted by file, then position, then code. */
export function baselineLines(name: string, result: CompileResult): string[] {
  const rows = result.diagnostics.map((d) => {
    if (!d.span) return { key: ["", 0, d.code] as const, line: `-:- ${d.code}` };
    const text = result.sources.get(d.span.file) ?? "";
    const { line, col } = lineCol(text, d.span.start);
    const where = d.span.file === name ? `${line}:${col}` : `${d.span.file}:${line}:${col}`;
    return { key: [d.span.file === name ? "" : d.span.file, d.span.start, d.code] as const, line: `${where} ${d.code}` };
  });
  rows.sort((a, b) => {
    for (let i = 0; i < 3; i++) {
      const x = a.key[i]!;
      const y = b.key[i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  return rows.map((r) => r.line);
}
