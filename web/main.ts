/**
 * The playground page: a CodeMirror editor whose text is analysed in a worker as you type;
 * the per-layer table, totals and memory; the diagram (laid out in a second worker); the
 * arithmetic of the selected conv or pooling layer; examples from specs/; and a share link
 * kept in the URL hash. Answers older than the newest shown are dropped. Loaded by boot.ts.
 */
import { basicSetup } from "codemirror";
import { EditorView } from "@codemirror/view";
import { setDiagnostics, lintGutter, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { convspecLanguage } from "./language.js";
import { arithSvg, formulaLines, layerWindows } from "./arith.js";
import { hashFor, specFromHash } from "./share.js";
import { escapeXml } from "../src/diagram/svg.js";
import { $, analysis, DEFAULT_EXAMPLE, depthSelect, early, files, initialText, layout, probe, request } from "./boot.js";
import type { AnalysisResponse, LayoutResponse, WebModel } from "./protocol.js";

let layoutSeq = 0;
const layoutSentAt = new Map<number, number>();
let current: AnalysisResponse | undefined;
let modelIndex = 0;
let selectedName: string | undefined;

// ---- editor ---------------------------------------------------------------------------------

let hashTimer: ReturnType<typeof setTimeout> | undefined;
const view = new EditorView({
  parent: $("editor"),
  doc: initialText,
  extensions: [
    basicSetup, convspecLanguage, lintGutter(),
    EditorView.updateListener.of((u) => {
      if (!u.docChanged) return;
      const text = u.state.doc.toString();
      request(text);
      clearTimeout(hashTimer);
      hashTimer = setTimeout(() => history.replaceState(null, "", hashFor(text)), 100);
    }),
  ],
});

function setText(text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

window.addEventListener("hashchange", () => {
  const t = specFromHash(location.hash);
  if (t !== undefined && t !== view.state.doc.toString()) setText(t);
});

// ---- examples and share link ------------------------------------------------------------------

const examples = $<HTMLSelectElement>("examples");
for (const name of Object.keys(files).filter((f) => !f.includes("/lib/")).sort()) {
  const o = document.createElement("option");
  o.value = name;
  o.textContent = name.replace(/^specs\//, "");
  examples.append(o);
}
examples.value = specFromHash(location.hash) === undefined ? DEFAULT_EXAMPLE : "";
examples.addEventListener("change", () => {
  const t = files[examples.value];
  if (t !== undefined) setText(t);
});
$("share").addEventListener("click", () => {
  const url = location.href.replace(/#.*$/, "") + hashFor(view.state.doc.toString());
  history.replaceState(null, "", url);
  void navigator.clipboard?.writeText(url).catch(() => undefined);
  $("share-status").textContent = "link copied (it holds the whole spec)";
});

// ---- analysis results ---------------------------------------------------------------------------

analysis.onmessage = (ev: MessageEvent<AnalysisResponse>) => show(ev.data);

function show(r: AnalysisResponse): void {
  const received = performance.now();
  if (r.seq < probe.shownSeq) return; // an older text's answer: drop it
  probe.shownSeq = r.seq;
  current = r;
  showDiagnostics(r);
  const m = r.models[Math.min(modelIndex, r.models.length - 1)];
  showModels(r);
  showTable(m);
  const at = probe.changedAt.get(r.seq);
  if (at !== undefined) {
    probe.latencies.push(performance.now() - at);
    probe.changedAt.delete(r.seq);
  }
  probe.workerMs.push(r.ms);
  probe.renderMs.push(performance.now() - received);
  probe.firstTable ??= performance.now();
  if (m) requestLayout(m);
  else if (laidOut !== "") {
    // No model to draw: say so rather than leave the last drawing up as if it were current.
    laidOut = "";
    layoutSeq++;
    probe.diagramSeq = layoutSeq;
    $("diagram").innerHTML = `<p class="muted">nothing to draw</p>`;
    $("depth-note").textContent = "";
  }
  select(selectedName);
}

/** Lays the diagram out again, unless it is the one already drawn (an edit in a comment, say). */
let laidOut = "";
function requestLayout(m: WebModel): void {
  const key = JSON.stringify(m.diagram, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  if (key === laidOut) return;
  laidOut = key;
  layoutSeq++;
  layoutSentAt.set(layoutSeq, performance.now());
  layout.postMessage({ seq: layoutSeq, graph: m.diagram });
  const shown = m.diagramDepth === Infinity ? "every layer" : `depth ${m.diagramDepth}: deeper block calls as one box`;
  $("depth-note").textContent = `${m.diagram.boxes.length} boxes, ${shown}`;
}
depthSelect.addEventListener("change", () => request(view.state.doc.toString()));
$("download").addEventListener("click", () => {
  const svg = $("diagram").querySelector("svg");
  if (!svg) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([svg.outerHTML], { type: "image/svg+xml" }));
  a.download = `${current?.models[Math.min(modelIndex, current.models.length - 1)]?.name ?? "model"}.svg`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
/** For the benchmark: forget the drawn diagram, so the next answer is laid out again. */
(window as unknown as { __convspecForgetLayout: () => void }).__convspecForgetLayout = () => {
  laidOut = "";
};

layout.onmessage = (ev: MessageEvent<LayoutResponse>) => {
  const r = ev.data;
  if (r.seq < probe.diagramSeq) return;
  probe.diagramSeq = r.seq;
  const d = $("diagram");
  d.innerHTML = r.error ? `<p class="error">layout failed: ${escapeXml(r.error)}</p>` : r.svg;
  probe.layoutMs.push(r.ms);
  const at = layoutSentAt.get(r.seq);
  if (at !== undefined) probe.layoutLatencies.push(performance.now() - at);
  for (const k of [...layoutSentAt.keys()]) if (k <= r.seq) layoutSentAt.delete(k);
  select(selectedName);
};

function showDiagnostics(r: AnalysisResponse): void {
  const text = view.state.doc.length;
  const cm: CmDiagnostic[] = r.diagnostics
    .filter((d) => d.from !== undefined)
    .map((d) => ({
      from: Math.min(d.from!, text), to: Math.min(Math.max(d.to!, d.from! + 1), text),
      severity: d.severity === "info" ? "info" : d.severity, source: d.code,
      message: `${d.code}: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`,
    }));
  view.dispatch(setDiagnostics(view.state, cm));
  const list = $("diagnostics");
  list.innerHTML = r.diagnostics.map((d) => `<pre class="diag ${d.severity}" data-code="${escapeXml(d.code)}">${escapeXml(d.rendered)}</pre>`).join("");
  list.hidden = r.diagnostics.length === 0;
}

function showModels(r: AnalysisResponse): void {
  const sel = $<HTMLSelectElement>("model");
  const names = r.models.map((m) => m.name);
  if (sel.dataset.names !== names.join(",")) {
    sel.dataset.names = names.join(",");
    sel.innerHTML = names.map((n, i) => `<option value="${i}">${escapeXml(n)}</option>`).join("");
    sel.value = String(Math.min(modelIndex, Math.max(0, names.length - 1)));
  }
  sel.hidden = names.length < 2;
}
$<HTMLSelectElement>("model").addEventListener("change", (e) => {
  modelIndex = Number((e.target as HTMLSelectElement).value);
  if (current) show({ ...current, seq: probe.shownSeq });
});

/** The rows' HTML as last drawn: an update rewrites only the rows that changed. */
let drawnRows: string[] = [];
let drawnFrame = "";

function showTable(m: WebModel | undefined): void {
  const table = $("table");
  const summary = $("summary");
  if (!m) {
    summary.textContent = current && current.diagnostics.some((d) => d.severity === "error") ? "fix the errors to see the numbers" : "no model in this text";
    table.innerHTML = "";
    drawnRows = [];
    drawnFrame = "";
    return;
  }
  summary.innerHTML = [`<b>model ${escapeXml(m.name)}</b>`, ...m.summary.map(escapeXml)].join("<br>");
  const num = (i: number) => (i >= 3 && i <= 6 ? ` class="num"` : "");
  const head = `<thead><tr>${m.columns.map((c, i) => `<th${num(i)}>${escapeXml(c)}</th>`).join("")}</tr></thead>`;
  const rows = m.rows.map((r) => {
    const attrs = r.node === undefined ? ` class="block"` : ` data-node="${r.node}" data-name="${escapeXml(r.cells[0]!)}"`;
    return `<tr${attrs}>${r.cells.map((c, i) => `<td${num(i)}${i === 0 ? ` style="padding-left:${0.4 + r.indent}em"` : ""}>${escapeXml(c)}</td>`).join("")}</tr>`;
  });
  const foot = `<tfoot><tr>${m.total.map((c, i) => `<td${num(i)}>${escapeXml(c)}</td>`).join("")}</tr></tfoot>`;
  const body = (table as HTMLTableElement).tBodies[0];
  if (head + foot !== drawnFrame || !body || rows.length !== drawnRows.length) {
    table.innerHTML = head + `<tbody>${rows.join("")}</tbody>` + foot;
  } else {
    for (let i = 0; i < rows.length; i++) if (rows[i] !== drawnRows[i]) body.rows[i]!.outerHTML = rows[i]!;
  }
  drawnRows = rows;
  drawnFrame = head + foot;
}

// ---- selection and the arithmetic panel --------------------------------------------------------

function select(name: string | undefined): void {
  selectedName = name;
  const m = current?.models[Math.min(modelIndex, (current?.models.length ?? 1) - 1)];
  const layer = m?.layers.find((l) => l.name === name);
  for (const tr of document.querySelectorAll("#table tr.selected")) tr.classList.remove("selected");
  for (const g of document.querySelectorAll("#diagram g.selected")) g.classList.remove("selected");
  const panel = $("arith");
  if (!layer || !m) {
    panel.innerHTML = `<p class="muted">Click a conv or pooling layer in the table or the drawing to see its arithmetic.</p>`;
    return;
  }
  document.querySelector(`#table tr[data-node="${layer.node}"]`)?.classList.add("selected");
  for (const g of document.querySelectorAll<SVGGElement>("#diagram g.box")) {
    if ((g.dataset.nodes ?? "").split(" ").includes(String(layer.node))) g.classList.add("selected");
  }
  const geo = layerWindows(layer);
  if (!geo) {
    panel.innerHTML = `<h3>${escapeXml(layer.name)} · ${escapeXml(layer.kind)}</h3><p class="muted">No sliding window here: the arithmetic panel is for conv and pooling layers.</p>`;
    return;
  }
  panel.innerHTML =
    `<h3>${escapeXml(layer.name)} · ${escapeXml(layer.kind)}: ${layer.inputShape.join("×")} → ${layer.outputShape.join("×")}</h3>` +
    `<pre class="formula">${formulaLines(geo).map(escapeXml).join("\n")}</pre>` +
    arithSvg(layer, geo, m.inputSpatial) +
    `<p class="muted">Coloured: the windows of output units (0,0), (0,1) and (1,0); the kernel moves by the stride, its taps are the dilation apart.</p>`;
}

$("table").addEventListener("click", (e) => {
  const tr = (e.target as HTMLElement).closest("tr[data-name]") as HTMLElement | null;
  if (tr) select(tr.dataset.name);
});
$("diagram").addEventListener("click", (e) => {
  const g = (e.target as Element).closest("g.box") as SVGGElement | null;
  const id = Number((g?.dataset.nodes ?? "").split(" ")[0]);
  const m = current?.models[Math.min(modelIndex, current.models.length - 1)];
  const layer = m?.layers.find((l) => l.node === id);
  if (layer) {
    select(layer.name);
    document.querySelector(`#table tr[data-node="${layer.node}"]`)?.scrollIntoView({ block: "nearest" });
  }
});

select(undefined);
for (const r of early.splice(0)) show(r);
