/**
 * Renders diagnostics like a compiler: `file:line:col: severity CODE: message`, the source
 * line, a caret under the span, then the hint and related locations. Colour is opt-in: the
 * CLI turns it on for terminals and off for pipes and NO_COLOR.
 */
import { Chalk } from "chalk";
import type { Diagnostic, Span } from "./diagnostic.js";
import { pushAll } from "../util/array.js";

export interface LineCol {
  readonly line: number; // 1-based
  readonly col: number; // 1-based
}

/** Offsets where each line starts, for the last few texts seen (a render looks up one file many times). */
const lineIndexes = new Map<string, Uint32Array>();
const INDEXES_KEPT = 8;

function lineStarts(text: string): Uint32Array {
  let starts = lineIndexes.get(text);
  if (starts) return starts;
  const found = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) found.push(i + 1);
  starts = Uint32Array.from(found);
  if (lineIndexes.size >= INDEXES_KEPT) lineIndexes.delete(lineIndexes.keys().next().value!);
  lineIndexes.set(text, starts);
  return starts;
}

/**
 * Line and column (both 1-based) of an offset; offsets past the end clamp to the end. The
 * file's line index is built once and searched, so 5,000 diagnostics after a million lines
 * cost milliseconds, not minutes.
 */
export function lineCol(text: string, offset: number): LineCol {
  const at = Math.max(0, Math.min(offset, text.length));
  const starts = lineStarts(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: at - starts[lo]! + 1 };
}

export type SourceLookup = (file: string) => string | undefined;

export interface RenderOptions {
  readonly color?: boolean;
  /** Most diagnostics shown per file (default 100); the rest are counted in one line. */
  readonly maxPerFile?: number;
}

/** Columns of source shown around the caret: a long line is cut to a window, marked with "…". */
const WINDOW = 100;
const BEFORE = 40;

/** `file:line:col` of a span, or just `file` when its text is unknown. */
export function location(span: Span, sources: SourceLookup): string {
  const text = sources(span.file);
  if (text === undefined) return span.file;
  const { line, col } = lineCol(text, span.start);
  return `${span.file}:${line}:${col}`;
}

function excerpt(span: Span, text: string, paint: (s: string) => string): string[] {
  const start = Math.max(0, Math.min(span.start, text.length));
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  let lineEnd = text.indexOf("\n", start);
  if (lineEnd === -1) lineEnd = text.length;
  if (text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  // A window of the line around the caret, never the whole of a huge line.
  let from = Math.max(lineStart, start - BEFORE);
  if (isLowSurrogate(text.charCodeAt(from)) && from < start) from++;
  let to = Math.min(lineEnd, from + WINDOW);
  if (isLowSurrogate(text.charCodeAt(to))) to++;
  const head = from > lineStart ? "…" : "";
  const source = head + text.slice(from, to) + (to < lineEnd ? "…" : "");
  const { line } = lineCol(text, start);
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Keep tabs in the caret line so the caret sits under the right character.
  const lead = (head ? " " : "") + text.slice(from, start).replace(/[^\t]/g, " ");
  const width = Math.max(1, Math.min(span.end, to) - start);
  return [`${pad} |`, `${gutter} | ${source}`, `${pad} | ${lead}${paint("^".repeat(width))}`];
}

/** Renders one diagnostic as lines of text (no trailing newline). */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, options: RenderOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const sevPaint = d.severity === "error" ? c.red.bold : d.severity === "warning" ? c.yellow.bold : c.cyan.bold;
  const where = d.span ? `${location(d.span, sources)}: ` : "";
  const out = [`${c.bold(where)}${sevPaint(`${d.severity} ${d.code}`)}: ${c.bold(d.message)}`];
  const text = d.span ? sources(d.span.file) : undefined;
  if (d.span && text !== undefined) pushAll(out, excerpt(d.span, text, sevPaint));
  if (d.hint) out.push(`${c.cyan("hint")}: ${d.hint}`);
  for (const r of d.related ?? []) out.push(`${c.dim("note")}: ${location(r.span, sources)}: ${r.message}`);
  return out.join("\n");
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Renders many diagnostics, sorted by file and position, errors and warnings alike; past
 * `maxPerFile` in one file, one line counts the rest ("and 99,900 more in x.cnn").
 */
export function renderDiagnostics(ds: readonly Diagnostic[], sources: SourceLookup, options: RenderOptions = {}): string {
  const max = options.maxPerFile ?? 100;
  const out: string[] = [];
  const sorted = sortDiagnostics(ds);
  for (let i = 0; i < sorted.length; ) {
    const file = sorted[i]!.span?.file;
    let j = i;
    while (j < sorted.length && sorted[j]!.span?.file === file) j++;
    for (let k = i; k < Math.min(j, i + max); k++) out.push(renderDiagnostic(sorted[k]!, sources, options));
    if (j - i > max) out.push(moreLine(sorted.slice(i + max, j), file));
    i = j;
  }
  return out.join("\n\n");
}

/** `and 99,900 more in x.cnn (99,900 errors)`: what the cap left out of one file. */
function moreLine(rest: readonly Diagnostic[], file: string | undefined): string {
  const errors = rest.filter((d) => d.severity === "error").length;
  const n = (x: number) => x.toLocaleString("en-US");
  const kinds = errors === rest.length ? `${n(errors)} error${errors === 1 ? "" : "s"}` : `${n(errors)} error${errors === 1 ? "" : "s"}, ${n(rest.length - errors)} other`;
  return `and ${n(rest.length)} more in ${file ?? "no file"} (${kinds}); fix the first ones, then run again`;
}

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.span?.file ?? "";
    const fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.span?.start ?? 0) - (b.span?.start ?? 0);
  });
}
