/**
 * The playground's editor and controls: a CodeMirror editor whose text is analysed in a
 * worker as you type (boot.ts shows the table, totals and drawing); the editor's underlines;
 * the selected layer, highlighted in table and drawing, and its arithmetic; examples from
 * specs/; the model and depth choices; the download; and a share link kept in the URL hash.
 * Loaded by boot.ts once the first table is up.
 */
import { basicSetup } from "codemirror";
import { EditorView } from "@codemirror/view";
import { setDiagnostics, lintGutter, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { convspecLanguage } from "./language.js";
import { markSelected, revealRow } from "./table.js";
import { arithSvg, formulaLines, layerWindows } from "./arith.js";
import { hashFor, specFromHash } from "./share.js";
import { escapeXml } from "../src/diagram/svg.js";
import { files } from "./examples.js";
import { $, DEFAULT_EXAMPLE, depthSelect, drawingSvg, hooks, initialText, modelOf, request, show, shown, view as page } from "./boot.js";
import type { AnalysisResponse } from "./protocol.js";

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

/** For the benchmark: the editor, to make edits in the middle of the text. */
(window as unknown as { __convspecEditor: EditorView }).__convspecEditor = view;

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

// ---- analysis results (boot.ts shows the table and the drawing; here: the editor's underlines, the selection) ----

/** The diagnostics last given to the editor: an unchanged list is not dispatched again. */
let underlined = "";
hooks.underline = showDiagnostics;
hooks.answer = (r: AnalysisResponse) => {
  showModels(r);
  select(selectedName);
};
hooks.drawn = () => select(selectedName);

depthSelect.addEventListener("change", () => request(view.state.doc.toString()));
$("download").addEventListener("click", () => {
  const svg = drawingSvg();
  if (!svg) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  a.download = `${modelOf(shown.answer)?.name ?? "model"}.svg`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

function showDiagnostics(r: AnalysisResponse): void {
  const text = view.state.doc.length;
  const cm: CmDiagnostic[] = r.diagnostics
    .filter((d) => d.from !== undefined)
    .map((d) => ({
      from: Math.min(d.from!, text), to: Math.min(Math.max(d.to!, d.from! + 1), text),
      severity: d.severity === "info" ? "info" : d.severity, source: d.code,
      message: `${d.code}: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`,
    }));
  // Typing in a clean spec gives an empty list each time: tell the editor only of changes.
  const key = JSON.stringify(cm);
  if (key === underlined) return;
  underlined = key;
  view.dispatch(setDiagnostics(view.state, cm));
}

function showModels(r: AnalysisResponse): void {
  const sel = $<HTMLSelectElement>("model");
  const names = r.models.map((m) => m.name);
  if (sel.dataset.names !== names.join(",")) {
    sel.dataset.names = names.join(",");
    sel.innerHTML = names.map((n, i) => `<option value="${i}">${escapeXml(n)}</option>`).join("");
    sel.value = String(Math.min(page.model, Math.max(0, names.length - 1)));
  }
  sel.hidden = names.length < 2;
}
$<HTMLSelectElement>("model").addEventListener("change", (e) => {
  page.model = Number((e.target as HTMLSelectElement).value);
  if (shown.answer) show(shown.answer);
  request(view.state.doc.toString()); // for the drawing of that model
});

// ---- selection and the arithmetic panel --------------------------------------------------------

/** What the arithmetic panel shows now: an answer that leaves it the same does not redraw it. */
let panelKey = "";

function select(name: string | undefined): void {
  selectedName = name;
  const m = modelOf(shown.answer);
  const layer = m?.layers.find((l) => l.name === name);
  for (const g of document.querySelectorAll("#diagram g.selected")) g.classList.remove("selected");
  const panel = $("arith");
  const key = layer && m ? JSON.stringify([layer, m.inputSpatial], (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)) : "";
  const same = key === panelKey && panel.hasChildNodes();
  panelKey = key;
  if (!layer || !m) {
    markSelected(undefined);
    if (!same) panel.innerHTML = `<p class="muted">Click a conv or pooling layer in the table or the drawing to see its arithmetic.</p>`;
    return;
  }
  markSelected(layer.node);
  document.querySelector(`#diagram g.box[data-nodes~="${layer.node}"]`)?.classList.add("selected");
  if (same) return;
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
  const layer = modelOf(shown.answer)?.layers.find((l) => l.node === id);
  if (layer) {
    select(layer.name);
    revealRow(layer.node);
  }
});

select(undefined);
if (shown.answer) {
  showDiagnostics(shown.answer);
  hooks.answer(shown.answer);
}
