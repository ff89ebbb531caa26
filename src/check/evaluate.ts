/**
 * Turns analysis results into check results: one per `assert` line, one per budget, and,
 * under --strict, one per warning. Plain data; the formatters in report.ts print it.
 */
import type { AssertValue, ModelAnalysis } from "../analysis/types.js";
import { formatMessage, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { lineCol, type SourceLookup } from "../diagnostics/render.js";
import type { Budget } from "./budgets.js";
import { groupDigits, percent, quantity } from "../util/format.js";

/** One checked statement: an assertion, a budget, or a diagnostic that decides the outcome. */
export interface CheckResult {
  /** Model name ("" for a diagnostic outside any model). */
  readonly model: string;
  readonly file: string;
  readonly kind: "assert" | "budget" | "diagnostic";
  /** What was checked, short: `params == 61_706`, `max-params 25M`, `CS3009`. */
  readonly name: string;
  readonly pass: boolean;
  /** An error diagnostic: the spec itself is invalid (exit 2), not a failed check. */
  readonly invalid: boolean;
  /** What was measured and what it was checked against, as text for reports (`516,096`, `25M`). */
  readonly actual: string;
  readonly expected: string;
  /** The same as values (counts are exact bigints): an assert's two sides, a budget's measure and limit. */
  readonly actualValue?: AssertValue;
  readonly expectedValue?: AssertValue;
  /** Failure message (what, actual, gap), or the one-line pass text. */
  readonly message: string;
  readonly code?: string;
  readonly line?: number;
  readonly col?: number;
  /** Where a budget came from: `command line` or `convspec.json (pattern)`. */
  readonly source?: string;
}

function position(span: Span | undefined, lookup: SourceLookup): { file?: string; line?: number; col?: number } {
  if (!span) return {};
  const text = lookup(span.file);
  if (text === undefined) return { file: span.file };
  return { file: span.file, ...lineCol(text, span.start) };
}

/** An assert's source text on one line, without the keyword: `params == 61_706`. */
function assertName(text: string): string {
  return text.replace(/\s*#[^\n]*/g, "").replace(/\s+/g, " ").replace(/^assert /, "").trim();
}

/** The analyzer's failure message without the location it may start with (we print our own). */
function withoutLocation(message: string, file: string): string {
  return message.startsWith(`${file}:`) ? message.slice(file.length + 1).replace(/^\d+:\d+:/, "").trimStart() : message;
}

/** One result per `assert` line of the model, pass or fail. */
export function assertResults(m: ModelAnalysis, lookup: SourceLookup): CheckResult[] {
  return m.asserts.map((a) => {
    const name = assertName(a.assert.text) || `${a.actual} ${a.assert.op} ${a.expected}`;
    const pos = position(a.assert.span, lookup);
    const message = a.pass ? name : withoutLocation(a.message, a.assert.span.file) || `assert ${name} failed: ${a.actual} vs ${a.expected}`;
    return {
      model: m.name, file: pos.file ?? m.file, kind: "assert", name, pass: a.pass, invalid: false,
      actual: a.actual, expected: a.expected, message, line: pos.line, col: pos.col,
      ...(a.actualValue === undefined ? {} : { actualValue: a.actualValue }),
      ...(a.expectedValue === undefined ? {} : { expectedValue: a.expectedValue }),
      ...(a.pass ? {} : { code: messages.assertFailed.code }),
    };
  });
}

/** One result per budget that applies to the model; budgets point at the model's declaration. */
export function budgetResults(m: ModelAnalysis, budgets: readonly Budget[], lookup: SourceLookup): CheckResult[] {
  const pos = position(m.graph.span, lookup);
  return budgets.map((b) => {
    const k = b.kind;
    const base = { model: m.name, file: pos.file ?? m.file, kind: "budget" as const, name: `${k.option} ${b.text}`, invalid: false, expected: b.text, line: pos.line, col: pos.col, source: b.source };
    const measured = k.read(m);
    if (typeof measured !== "bigint") {
      const message = formatMessage(messages.budgetUnmeasurable.template, { quantity: k.quantity, model: m.name, reason: measured.reason });
      return { ...base, pass: false, actual: "", message, code: messages.budgetUnmeasurable.code };
    }
    const actual = quantity(measured, k.unit);
    const values = { actualValue: measured, expectedValue: b.limit };
    const over = k.bound === "max" ? measured - b.limit : b.limit - measured;
    if (over <= 0n) {
      const rel = k.bound === "max" ? "≤" : "≥";
      return { ...base, pass: true, actual, ...values, message: `${k.quantity} ${actual} ${rel} ${b.text}` };
    }
    const def = k.bound === "max" ? messages.budgetExceeded : messages.budgetBelow;
    const gap = k.unit === "bytes" ? quantity(over, "bytes") : groupDigits(over);
    const pct = percent(measured - b.limit, b.limit);
    const message = formatMessage(def.template, { quantity: k.quantity, actual, limit: b.text, gap, percent: pct });
    return { ...base, pass: false, actual, ...values, message, code: def.code };
  });
}

/** Diagnostics as results: errors make the spec invalid; warnings fail only under --strict. */
export function diagnosticResults(ds: readonly Diagnostic[], file: string, strict: boolean, lookup: SourceLookup, model = ""): CheckResult[] {
  const out: CheckResult[] = [];
  for (const d of ds) {
    const isError = d.severity === "error";
    if (!isError && !(strict && d.severity === "warning")) continue;
    const pos = position(d.span, lookup);
    const message = isError ? d.message : formatMessage(messages.strictWarning.template, { message: d.message });
    out.push({
      model, file: pos.file ?? file, kind: "diagnostic", name: d.code, pass: false, invalid: isError,
      actual: "", expected: "", message, code: d.code, line: pos.line, col: pos.col,
    });
  }
  return out;
}

/** Everything one `convspec check` run found. */
export interface CheckReport {
  readonly results: readonly CheckResult[];
  /** Every diagnostic from compiling and analyzing, errors and warnings alike. */
  readonly diagnostics: readonly Diagnostic[];
  readonly passed: number;
  /** Failed assertions, budgets and (with --strict) warnings. */
  readonly failed: number;
  /** Errors that make a spec invalid. */
  readonly invalid: number;
  /** 0 all hold; 1 a check fails; 2 a spec is invalid. */
  readonly exitCode: 0 | 1 | 2;
}

/** Counts the results and picks the exit code. */
export function summarize(results: readonly CheckResult[], diagnostics: readonly Diagnostic[]): CheckReport {
  const passed = results.filter((r) => r.pass).length;
  const invalid = results.filter((r) => r.invalid).length;
  const failed = results.length - passed - invalid;
  const exitCode = invalid > 0 ? 2 : failed > 0 ? 1 : 0;
  return { results, diagnostics, passed, failed, invalid, exitCode };
}

/** The closing line of every format: `12 passed, 1 failed` (and invalid specs, if any). */
export function summaryLine(r: CheckReport): string {
  const parts = [`${r.passed} passed`, `${r.failed} failed`];
  if (r.invalid > 0) parts.push(`${r.invalid} error${r.invalid === 1 ? "" : "s"} in specs`);
  return parts.join(", ");
}
