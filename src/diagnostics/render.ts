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

/** Line and column (both 1-based) of an offset; offsets past the end clamp to the end. */
export function lineCol(text: string, offset: number): LineCol {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: at - lineStart + 1 };
}

export type SourceLookup = (file: string) => string | undefined;

export interface RenderOptions {
  readonly color?: boolean;
}

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
  const source = text.slice(lineStart, lineEnd).replace(/\r$/, "");
  const { line } = lineCol(text, start);
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Keep tabs in the caret line so the caret sits under the right character.
  const lead = source.slice(0, start - lineStart).replace(/[^\t]/g, " ");
  const width = Math.max(1, Math.min(span.end, lineEnd) - start);
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

/** Renders many diagnostics, sorted by file and position, errors and warnings alike. */
export function renderDiagnostics(ds: readonly Diagnostic[], sources: SourceLookup, options: RenderOptions = {}): string {
  return sortDiagnostics(ds)
    .map((d) => renderDiagnostic(d, sources, options))
    .join("\n\n");
}

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.span?.file ?? "";
    const fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.span?.start ?? 0) - (b.span?.start ?? 0);
  });
}
