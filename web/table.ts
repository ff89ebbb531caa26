/**
 * The page's numbers: the per-layer table, the totals and memory lines, and the list of
 * diagnostics as the CLI renders them. Plain DOM, no editor: boot.ts shows the first answer
 * with this before the editor's code has loaded.
 */
import { escapeXml } from "../src/diagram/svg.js";
import type { AnalysisResponse, WebModel } from "./protocol.js";

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * The rows' HTML as last drawn, the frame (head and foot) around them, and where each layer's
 * row is. An update rewrites only the rows that changed. Tables of more than VIRTUAL_ABOVE
 * rows are virtual: only the rows in and near the scrolled view are in the page (spacer rows
 * stand for the rest), so an edit that changes every row lays out a screenful, not hundreds.
 */
let drawnRows: string[] = [];
let drawnFrame = "";
let rowOf = new Map<number, number>();
/** The rows in the page: [first, last) of drawnRows; the whole table when it is small. */
let shownFrom = 0;
let shownTo = 0;
let rowHeight = 0;
let selectedNode: number | undefined;
const VIRTUAL_ABOVE = 120;
/** Rows kept in the page above and below the view. */
const MARGIN_ROWS = 30;

const num = (i: number) => (i >= 3 && i <= 6 ? ` class="num"` : "");
const spacer = (rows: number) => (rows > 0 ? `<tr class="spacer" style="height:${rows * rowHeight}px"><td colspan="7"></td></tr>` : "");

/** Which rows to put in the page for the current scroll position. */
function windowOf(total: number): [number, number] {
  if (total <= VIRTUAL_ABOVE || rowHeight === 0) return [0, total];
  const wrap = $("table-wrap");
  const first = Math.max(0, Math.floor(wrap.scrollTop / rowHeight) - MARGIN_ROWS);
  return [first, Math.min(total, first + Math.ceil(wrap.clientHeight / rowHeight) + 2 * MARGIN_ROWS)];
}

function fillBody(body: HTMLTableSectionElement, from: number, to: number): void {
  body.innerHTML = spacer(from) + drawnRows.slice(from, to).join("") + spacer(drawnRows.length - to);
  shownFrom = from;
  shownTo = to;
  markSelected(selectedNode);
}

export function showTable(r: AnalysisResponse, m: WebModel | undefined): void {
  const table = $("table");
  const summary = $("summary");
  if (!m) {
    summary.textContent = r.diagnostics.some((d) => d.severity === "error") ? "fix the errors to see the numbers" : "no model in this text";
    table.innerHTML = "";
    drawnRows = [];
    drawnFrame = "";
    rowOf = new Map();
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
  const before = drawnRows;
  drawnRows = rows;
  rowOf = new Map(m.rows.flatMap((row, i) => (row.node === undefined ? [] : [[row.node, i] as const])));
  if (head + foot !== drawnFrame || !body || rows.length !== before.length) {
    drawnFrame = head + foot;
    table.innerHTML = head + `<tbody></tbody>` + foot;
    const fresh = (table as HTMLTableElement).tBodies[0]!;
    if (rows.length > VIRTUAL_ABOVE && rowHeight === 0) {
      // One row, to learn the rows' height (every row is one line of the same font).
      fresh.innerHTML = rows[0]!;
      rowHeight = fresh.rows[0]!.getBoundingClientRect().height || 17;
    }
    const [from, to] = windowOf(rows.length);
    fillBody(fresh, from, to);
    return;
  }
  // Same columns and row count (an edit to a number): rewrite only the rows in the page that
  // changed, or all of them when most did (one parse instead of hundreds).
  const changed: number[] = [];
  for (let i = shownFrom; i < shownTo; i++) if (rows[i] !== before[i]) changed.push(i);
  if (changed.length > 32 && changed.length > (shownTo - shownFrom) / 4) fillBody(body, shownFrom, shownTo);
  else {
    const offset = shownFrom > 0 ? 1 : 0; // the spacer row above
    for (const i of changed) body.rows[i - shownFrom + offset]!.outerHTML = rows[i]!;
    markSelected(selectedNode);
  }
}

/** Highlights a layer's row (undefined: none), now and whenever its row is drawn again. */
export function markSelected(node: number | undefined): void {
  selectedNode = node;
  const table = $("table");
  for (const tr of table.querySelectorAll("tr.selected")) tr.classList.remove("selected");
  if (node !== undefined) table.querySelector(`tr[data-node="${node}"]`)?.classList.add("selected");
}

/** Scrolls the table to a layer's row (putting it in the page first if the table is virtual). */
export function revealRow(node: number): void {
  const i = rowOf.get(node);
  if (i === undefined) return;
  const wrap = $("table-wrap");
  if (i < shownFrom || i >= shownTo) {
    wrap.scrollTop = Math.max(0, i * rowHeight - wrap.clientHeight / 2);
    const [from, to] = windowOf(drawnRows.length);
    fillBody((($("table") as HTMLTableElement).tBodies[0])!, from, to);
  }
  $("table").querySelector(`tr[data-node="${node}"]`)?.scrollIntoView({ block: "nearest" });
}

// Scrolling a virtual table brings the rows in view into the page (once per frame).
let scrollQueued = false;
$("table-wrap").addEventListener("scroll", () => {
  if (scrollQueued || drawnRows.length <= VIRTUAL_ABOVE) return;
  scrollQueued = true;
  requestAnimationFrame(() => {
    scrollQueued = false;
    const body = ($("table") as HTMLTableElement).tBodies[0];
    const [from, to] = windowOf(drawnRows.length);
    // Redraw only when the view nears the edge of the rows in the page.
    const wrap = $("table-wrap");
    const top = Math.floor(wrap.scrollTop / rowHeight);
    const bottom = Math.ceil((wrap.scrollTop + wrap.clientHeight) / rowHeight);
    if (body && (top < shownFrom + 5 && shownFrom > 0 || bottom > shownTo - 5 && shownTo < drawnRows.length)) fillBody(body, from, to);
  });
});

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
