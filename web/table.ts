/**
 * The page's numbers: the per-layer table, the totals and memory lines, and the list of
 * diagnostics as the CLI renders them. Plain DOM, no editor: boot.ts shows the first answer
 * with this before the editor's code has loaded.
 */
import { escapeXml } from "../src/diagram/svg.js";
import type { AnalysisResponse, WebModel } from "./protocol.js";

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The rows' HTML as last drawn: an update rewrites only the rows that changed. */
let drawnRows: string[] = [];
let drawnFrame = "";

const num = (i: number) => (i >= 3 && i <= 6 ? ` class="num"` : "");

export function showTable(r: AnalysisResponse, m: WebModel | undefined): void {
  const table = $("table");
  const summary = $("summary");
  if (!m) {
    summary.textContent = r.diagnostics.some((d) => d.severity === "error") ? "fix the errors to see the numbers" : "no model in this text";
    table.innerHTML = "";
    drawnRows = [];
    drawnFrame = "";
    return;
  }
  summary.innerHTML = [`<b>model ${escapeXml(m.name)}</b>`, ...m.summary.map(escapeXml)].join("<br>");
  const head = `<thead><tr>${m.columns.map((c, i) => `<th${num(i)}>${escapeXml(c)}</th>`).join("")}</tr></thead>`;
  const rows = m.rows.map((row) => {
    const attrs = row.node === undefined ? ` class="block"` : ` data-node="${row.node}" data-name="${escapeXml(row.cells[0]!)}"`;
    return `<tr${attrs}>${row.cells.map((c, i) => `<td${num(i)}${i === 0 ? ` style="padding-left:${0.4 + row.indent}em"` : ""}>${escapeXml(c)}</td>`).join("")}</tr>`;
  });
  const foot = `<tfoot><tr>${m.total.map((c, i) => `<td${num(i)}>${escapeXml(c)}</td>`).join("")}</tr></tfoot>`;
  const body = (table as HTMLTableElement).tBodies[0];
  if (head + foot !== drawnFrame || !body || rows.length !== drawnRows.length) {
    table.innerHTML = head + `<tbody>${rows.join("")}</tbody>` + foot;
  } else {
    // Same columns and row count (an edit to a number): rewrite only the rows that changed.
    for (let i = 0; i < rows.length; i++) if (rows[i] !== drawnRows[i]) body.rows[i]!.outerHTML = rows[i]!;
  }
  drawnRows = rows;
  drawnFrame = head + foot;
}

/** The diagnostics as the CLI prints them, under the editor. */
let drawnDiagnostics = "";
export function showDiagnosticList(r: AnalysisResponse): void {
  const html = r.diagnostics.map((d) => `<pre class="diag ${d.severity}" data-code="${escapeXml(d.code)}">${escapeXml(d.rendered)}</pre>`).join("");
  if (html === drawnDiagnostics) return;
  drawnDiagnostics = html;
  const list = $("diagnostics");
  list.innerHTML = html;
  list.hidden = r.diagnostics.length === 0;
}
