/**
 * The playground's entry: analyses the first text (the link's, else the default example) on
 * the page's own thread as soon as its script has loaded, and shows the answers: the table,
 * totals and diagnostics (table.ts) and the drawing. A worker takes ~100 ms to start on this
 * machine before its script even runs, and the page's script is compiled while it downloads,
 * so the first table comes soonest from here. Then, after the frame that shows it: the
 * analysis worker (every later text, as you type; it warms up on the first), the layout
 * worker (joined to the analysis worker by a port, so diagrams go from one to the other
 * without the page's thread; ELK is 1.5 MB of JavaScript; the first drawing is sent from
 * here) and the editor with the rest of the page (main.ts, CodeMirror). Answers older than
 * the newest shown are dropped.
 */
// First: its timestamp is taken before the library's modules are evaluated.
import { scriptStart } from "./clock.js";
import { specFromHash } from "./share.js";
import { $, showDiagnosticList, showTable } from "./table.js";
import { answerText, diagramAt } from "./analysis.js";
import { files } from "./examples.js";
import { DEFAULT_EXAMPLE, ELK_MAX_BOXES, type AnalysisRequest, type AnalysisResponse, type DiagramDepth, type DiagramPatch, type LayoutRequest, type LayoutResponse, type WarmedUp, type WebModel } from "./protocol.js";
import { escapeXml } from "../src/diagram/svg.js";
import { unpack, type PackedResponse } from "./delta.js";
import { MAILBOX_BYTES, openMailbox, take, type Mailbox } from "./mailbox.js";
import "./style.css";

export { DEFAULT_EXAMPLE };
export { $ };

/** Timings the benchmark and the browser tests read. */
export interface Probe {
  /** seq → when the editor changed (performance.now()). */
  readonly changedAt: Map<number, number>;
  /** Keystroke → table shown, in ms, one per shown answer. */
  readonly latencies: number[];
  /** Worker compute time of each shown answer, and the page's time to show it. */
  readonly workerMs: number[];
  readonly renderMs: number[];
  /** Layout worker time of each shown diagram, and keystroke → diagram shown. */
  readonly layoutMs: number[];
  readonly layoutLatencies: number[];
  /** How each shown diagram was placed: "elk", "column" or "reused"; and whether the page patched the drawing in place. */
  readonly layoutEngines: string[];
  readonly patched: boolean[];
  /** When the first table was put in the page, and when the frame showing it had been drawn (ms from navigation start). */
  firstTable?: number;
  firstTablePainted?: number;
  /**
   * The first table's path, in ms from navigation start: the page's script began to run (it
   * had been fetched and compiled), its modules had been evaluated (the first analysis
   * began), the first analysis ended (on the page's thread).
   */
  firstSteps?: { script: number; evaluated: number; end: number };
  firstDrawing?: number;
  /** With shared memory: how each answer of the worker reached the page (read from the mailbox in the frame after the change, or by message). */
  readonly via: ("frame" | "message")[];
  /** The analysis worker has warmed up (on the first text, after the first drawing, while nothing else was asked). */
  warm: boolean;
  shownSeq: number;
  diagramSeq: number;
}
export const probe: Probe = {
  changedAt: new Map(), latencies: [], workerMs: [], renderMs: [], layoutMs: [], layoutLatencies: [], layoutEngines: [], patched: [], via: [],
  warm: false, shownSeq: -1, diagramSeq: -1,
};
(window as unknown as { __convspec: unknown }).__convspec = probe;

/** The text the page opened with: the link's spec, else the default example. */
export const initialText = specFromHash(location.hash) ?? files[DEFAULT_EXAMPLE] ?? "";
const evaluated = performance.now();

/** The worker's last answer (delta.ts). */
let received: AnalysisResponse | undefined;
/** The worker's newest answer in shared memory, when the page may have it (cross-origin isolated); made with the worker. */
let mailbox: Mailbox | undefined;

/**
 * Rebuilds and shows an answer of the worker. Every message is rebuilt, even one too old to
 * show, as the next answer comes as changes to it; one already taken from the mailbox is
 * skipped, and one in the mailbox whose previous answer has not arrived yet waits for its
 * message.
 */
function receive(p: PackedResponse, via: "frame" | "message"): void {
  if ((received !== undefined && p.seq <= received.seq) || p.base !== received?.seq) return;
  received = unpack(received, p);
  if (mailbox) probe.via.push(via);
  show(received);
}

/**
 * The analysis worker and its port to the layout worker, started with the rest of the page
 * after the first table: a worker takes ~100 ms to start here before its script even runs, so
 * the page analyses its first text itself (its script is compiled while it downloads).
 */
let analysis: Worker | undefined;
const channel = new MessageChannel();
function analysisWorker(): Worker {
  if (analysis) return analysis;
  const w = new Worker(new URL("./analysis.worker.ts", import.meta.url), { type: "module" });
  w.postMessage({ type: "port", port: channel.port1 } satisfies AnalysisRequest, [channel.port1]);
  if (globalThis.crossOriginIsolated) {
    const buffer = new SharedArrayBuffer(MAILBOX_BYTES);
    mailbox = openMailbox(buffer);
    w.postMessage({ type: "mailbox", buffer } satisfies AnalysisRequest);
  }
  w.onmessage = (ev: MessageEvent<PackedResponse | WarmedUp>) => {
    const msg = ev.data;
    if ("type" in msg) probe.warm = true;
    else receive(msg, "message");
  };
  analysis = w;
  return w;
}

let seq = 0;
/** Which model of the text the table and drawing show (a text may hold several). */
export const view = { model: 0 };
export const depthSelect = $<HTMLSelectElement>("depth");
const depth = (): DiagramDepth => (depthSelect.value === "auto" || depthSelect.value === "all" ? depthSelect.value : Number(depthSelect.value));

/** Sends a text to the analysis worker under the next sequence number. */
export function request(text: string): void {
  seq++;
  probe.changedAt.set(seq, performance.now());
  analysisWorker().postMessage({ type: "analyze", seq, text, depth: depth(), model: view.model } satisfies AnalysisRequest);
  // After a keystroke the page's tasks, the worker's messages among them, wait for the next
  // frame to be drawn (see mailbox.ts); that frame's callbacks read the mailbox: an answer in
  // by then is painted with the typed character.
  const box = mailbox;
  if (box) requestAnimationFrame(() => {
    const p = take(box, received?.seq ?? 0);
    if (p) receive(p, "frame");
  });
}

/** What main.ts does with each shown answer (before the table: the editor's underlines; after: the rest) and drawing, once it has loaded. */
export const hooks: { underline?: (r: AnalysisResponse) => void; answer?: (r: AnalysisResponse) => void; drawn?: () => void } = {};
/** The newest answer shown. */
export const shown: { answer?: AnalysisResponse } = {};

export function modelOf(r: AnalysisResponse | undefined): WebModel | undefined {
  return r?.models[Math.min(view.model, r.models.length - 1)];
}

function forget(n: number): void {
  for (const k of probe.changedAt.keys()) if (k < n) probe.changedAt.delete(k);
}

/** Shows an answer: table, totals, diagnostics; main.ts adds the editor's underlines. */
export function show(r: AnalysisResponse): void {
  const received = performance.now();
  if (r.seq < probe.shownSeq) return; // an older text's answer: drop it
  probe.shownSeq = r.seq;
  shown.answer = r;
  const m = modelOf(r);
  // The editor's underlines first: CodeMirror measures the page as it updates, which is
  // cheap before the table changes and a whole-page layout after.
  hooks.underline?.(r);
  showDiagnosticList(r);
  showTable(r, m);
  hooks.answer?.(r);
  const at = probe.changedAt.get(r.seq);
  if (at !== undefined) probe.latencies.push(performance.now() - at);
  probe.workerMs.push(r.ms);
  probe.renderMs.push(performance.now() - received);
  if (probe.firstTable === undefined) {
    probe.firstTable = performance.now();
    // The frame after this task lays out and paints the table; a task queued from its
    // animation-frame callback runs once that frame is done.
    requestAnimationFrame(() => {
      const after = new MessageChannel();
      after.port1.onmessage = () => (probe.firstTablePainted = performance.now());
      after.port2.postMessage(null);
    });
  }
  if (!m && probe.diagramSeq < r.seq) {
    // No model to draw: say so rather than leave the last drawing up as if it were current.
    probe.diagramSeq = r.seq;
    drawnLayout = -1;
    $("diagram").innerHTML = `<p class="muted">nothing to draw</p>`;
    $("depth-note").textContent = "";
  }
  if (!mainLoading) {
    // After the frame that shows the table: the editor's code is most of the page's JavaScript.
    mainLoading = true;
    requestAnimationFrame(() => setTimeout(loadMain));
  }
}

// ---- the drawing ------------------------------------------------------------------------------

/** The layout the drawing on the page uses (-1: none), and its elements by id. */
let drawnLayout = -1;
let boxEls = new Map<string, { rect: SVGRectElement; texts: SVGTextElement[] }>();
let edgeEls = new Map<string, SVGTextElement>();

/** Updates the drawing in place: the boxes' text and fills, the edges' shapes, the title. */
function applyPatch(p: DiagramPatch): void {
  const svg = $("diagram").querySelector("svg")!;
  svg.querySelector("title")!.textContent = p.title;
  svg.querySelector("text.title")!.textContent = p.title;
  for (const b of p.boxes) {
    const el = boxEls.get(b.id);
    if (!el) continue;
    if (el.rect.getAttribute("fill") !== b.fill) el.rect.setAttribute("fill", b.fill);
    el.texts.forEach((t, i) => {
      if (t.getAttribute("fill") !== b.ink) t.setAttribute("fill", b.ink);
      if (t.textContent !== b.lines[i]) t.textContent = b.lines[i] ?? "";
    });
  }
  for (const e of p.edges) {
    const t = edgeEls.get(e.id);
    if (t) t.textContent = e.label;
  }
}

/** The drawing as the CLI writes it: what the page shows, without the page's highlighting. */
export function drawingSvg(): string {
  const svg = $("diagram").querySelector("svg");
  if (!svg) return "";
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const g of copy.querySelectorAll(".selected")) g.classList.remove("selected");
  return new XMLSerializer().serializeToString(copy) + "\n";
}

function drawn(r: LayoutResponse): void {
  if (r.seq < probe.diagramSeq) return; // a drawing of an older text
  probe.diagramSeq = r.seq;
  const d = $("diagram");
  const patch = r.svg === undefined && r.patch !== undefined && r.layoutId === drawnLayout;
  if (r.error) {
    d.innerHTML = `<p class="error">layout failed: ${escapeXml(r.error)}</p>`;
    drawnLayout = -1;
  } else if (patch) {
    applyPatch(r.patch!);
  } else if (r.svg === undefined) {
    // A patch to a drawing no longer shown (the page showed "nothing to draw" meanwhile): ask for the whole drawing.
    layout?.postMessage({ type: "redraw" } satisfies LayoutRequest);
    return;
  } else {
    d.innerHTML = r.svg;
    drawnLayout = r.layoutId;
    boxEls = new Map([...d.querySelectorAll<SVGGElement>("g.box")].map((g) => [g.dataset.box!, { rect: g.querySelector("rect")!, texts: [...g.querySelectorAll("text")] }]));
    edgeEls = new Map([...d.querySelectorAll<SVGGElement>("g.edge")].flatMap((g) => {
      const t = g.querySelector<SVGTextElement>("text.shape");
      return t ? [[g.dataset.edge!, t] as const] : [];
    }));
  }
  const note = r.depth === Infinity ? "every layer" : `depth ${r.depth}: deeper block calls as one box`;
  $("depth-note").textContent = `${r.boxes} boxes, ${note}${r.engine === "column" ? ` (column layout above ${ELK_MAX_BOXES} boxes)` : ""}`;
  probe.layoutMs.push(r.ms);
  probe.layoutEngines.push(r.reused ? "reused" : r.engine);
  probe.patched.push(patch);
  const at = probe.changedAt.get(r.seq);
  if (at !== undefined) probe.layoutLatencies.push(performance.now() - at);
  forget(Math.min(probe.shownSeq, probe.diagramSeq));
  if (!patch) hooks.drawn?.();
  probe.firstDrawing ??= performance.now();
  warmUp();
}

/** The layout worker, started with the rest of the page after the first table. */
let layout: Worker | undefined;
function startLayout(): void {
  layout = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
  // Diagrams the analysis worker sent before this wait in the port's queue.
  layout.postMessage({ type: "port", port: channel.port2 }, [channel.port2]);
  layout.onmessage = (ev: MessageEvent<LayoutResponse>) => drawn(ev.data);
}

/** For the benchmark: the next diagram is laid out from scratch (not reused). */
(window as unknown as { __convspecForgetLayout: () => void }).__convspecForgetLayout = () => {
  layout?.postMessage({ type: "forget" } satisfies LayoutRequest);
};

// ---- the rest of the page ------------------------------------------------------------------------

let mainLoading = false;
let warming = false;
/**
 * The analysis worker's warm-up (up to 2.5 s of analyses of the first text) begins once the
 * first drawing is up: on two cores it would otherwise delay ELK's first layout.
 */
function warmUp(): void {
  if (warming) return;
  warming = true;
  analysisWorker().postMessage({ type: "warm", text: initialText } satisfies AnalysisRequest);
}

/** After the frame that shows the first table: the workers, the first drawing, the editor. */
function loadMain(): void {
  mainLoading = true;
  startLayout();
  firstDiagram?.();
  analysisWorker();
  // Without a first drawing (nothing to draw, a failed layout), warm up anyway.
  setTimeout(warmUp, 3000);
  void import("./main.js");
}

// The first text, analysed here; its drawing goes to the layout worker once that has started.
seq = 1;
probe.changedAt.set(1, evaluated);
const first = answerText(1, initialText, files, view.model);
probe.firstSteps = { script: scriptStart, evaluated, end: performance.now() };
const firstModel = first.analysis;
const firstDiagram = firstModel && (() => {
  const { diagram, diagramDepth } = diagramAt(firstModel, depth());
  layout!.postMessage({ type: "draw", seq: 1, graph: diagram, depth: diagramDepth } satisfies LayoutRequest);
});
show(first.response);
