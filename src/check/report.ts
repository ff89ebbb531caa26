/**
 * The four faces of a check report: text for people, JSON for tools, JUnit XML for any CI's
 * test tab, and GitHub workflow commands that annotate the offending line of a pull request.
 * Each returns a string; only src/cli writes it.
 */
import { Chalk } from "chalk";
import { lineCol, type SourceLookup } from "../diagnostics/render.js";
import { summaryLine, type CheckReport, type CheckResult } from "./evaluate.js";
import { checkToJson } from "../report/json.js";
import { pushAll } from "../util/array.js";

export type CheckFormat = "text" | "json" | "junit" | "github";

/** `file:line:col`, or as much of it as is known. */
export function where(r: Pick<CheckResult, "file" | "line" | "col">): string {
  return r.line === undefined ? r.file : `${r.file}:${r.line}:${r.col}`;
}

function fromConfig(r: CheckResult): string {
  return r.source && r.source !== "command line" ? ` (budget from ${r.source})` : "";
}

/** One line per result, then the summary line. */
export function formatText(report: CheckReport, options: { color?: boolean } = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines = report.results.map((r) => {
    if (r.pass) return `${c.green("ok")}   ${r.model}: ${r.message}`;
    const tag = r.invalid ? c.red.bold("ERROR") : c.red.bold("FAIL");
    const model = r.model ? `${r.model}: ` : "";
    const code = r.invalid ? `${r.code} ` : "";
    return `${tag} ${c.bold(where(r))} ${model}${code}${r.message}${fromConfig(r)}`;
  });
  const summary = summaryLine(report);
  lines.push(report.exitCode === 0 ? c.green(summary) : c.red(summary));
  return lines.join("\n");
}

/** Everything, as JSON text: `JSON.stringify(checkToJson(report))` (counts, exit code, every result and diagnostic). */
export function formatJson(report: CheckReport, lookup: SourceLookup): string {
  return JSON.stringify(checkToJson(report, { sources: lookup }));
}

/** Escapes text for an XML attribute or element. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch]!)
    // Characters XML 1.0 cannot hold at all.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");
}

function testcase(r: CheckResult): string {
  const attrs = `name="${xmlEscape(r.name)}" classname="${xmlEscape(`${r.file}${r.model ? `.${r.model}` : ""}`)}" file="${xmlEscape(r.file)}"${r.line === undefined ? "" : ` line="${r.line}"`}`;
  if (r.pass) return `    <testcase ${attrs}/>`;
  const tag = r.invalid ? "error" : "failure";
  const body = `${where(r)} ${r.message}${fromConfig(r)}`;
  return `    <testcase ${attrs}>\n      <${tag} message="${xmlEscape(r.message)}" type="${xmlEscape(r.code ?? r.kind)}">${xmlEscape(body)}</${tag}>\n    </testcase>`;
}

/** JUnit XML: a testsuite per model (per file for file-level errors), a testcase per assertion or budget. */
export function formatJunit(report: CheckReport): string {
  const suites = new Map<string, CheckResult[]>();
  for (const r of report.results) {
    const key = `${r.file}\u0000${r.model}`;
    const list = suites.get(key) ?? [];
    list.push(r);
    suites.set(key, list);
  }
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="convspec check" tests="${report.results.length}" failures="${report.failed}" errors="${report.invalid}">`,
  ];
  for (const list of suites.values()) {
    const first = list[0]!;
    const failures = list.filter((r) => !r.pass && !r.invalid).length;
    const errors = list.filter((r) => r.invalid).length;
    out.push(`  <testsuite name="${xmlEscape(first.model || first.file)}" file="${xmlEscape(first.file)}" tests="${list.length}" failures="${failures}" errors="${errors}">`);
    pushAll(out, list.map(testcase));
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n");
}

/** GitHub's escaping for a workflow command's message. */
function ghData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** GitHub's escaping for a workflow command's property value. */
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function ghCommand(level: "error" | "warning", file: string | undefined, line: number | undefined, col: number | undefined, title: string, message: string): string {
  const props = [file && `file=${ghProp(file)}`, line !== undefined && `line=${line}`, col !== undefined && `col=${col}`, `title=${ghProp(title)}`].filter(Boolean);
  return `::${level} ${props.join(",")}::${ghData(message)}`;
}

/**
 * GitHub Actions workflow commands: `::error file=...,line=...,col=...::message` for every
 * failure, `::warning` for warnings that do not fail the run, plain lines for passes.
 */
export function formatGithub(report: CheckReport, lookup: SourceLookup): string {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.pass) lines.push(`ok   ${r.model}: ${r.message}`);
    else lines.push(ghCommand("error", r.file, r.line, r.col, `convspec check${r.model ? `: ${r.model}` : ""}`, `${r.message}${fromConfig(r)}`));
  }
  const failing = new Set(report.results.filter((r) => r.kind === "diagnostic").map((r) => `${r.file}:${r.line}:${r.col}:${r.code}`));
  for (const d of report.diagnostics) {
    if (d.severity !== "warning") continue;
    const text = d.span ? lookup(d.span.file) : undefined;
    const pos = d.span && text !== undefined ? lineCol(text, d.span.start) : undefined;
    if (failing.has(`${d.span?.file}:${pos?.line}:${pos?.col}:${d.code}`)) continue;
    lines.push(ghCommand("warning", d.span?.file, pos?.line, pos?.col, `convspec ${d.code}`, d.message));
  }
  lines.push(summaryLine(report));
  return lines.join("\n");
}
