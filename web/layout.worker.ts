/**
 * The layout worker: lays out and draws the newest diagram only (off the page's thread).
 * Diagrams come from the analysis worker over a port; drawings go to the page.
 *
 * Most edits change numbers, not the graph: when the new diagram has the same structure and
 * box sizes as the last one laid out (`layoutKey`), the last layout is reused and only the
 * text and fills are drawn again — the same drawing a fresh layout would give, since the
 * layout engines see nothing else. Graphs of more than ELK_MAX_BOXES boxes are placed by the
 * column layout (milliseconds) rather than ELK's layered layout (seconds at that size).
 */
import { layoutDiagram, layoutKey, preloadLayoutEngine, type Layout } from "../src/diagram/layout.js";
import { columnLayout } from "../src/diagram/column.js";
import { boxColours, renderSvg } from "../src/diagram/svg.js";
import type { DiagramGraph } from "../src/diagram/graph.js";
import { ELK_MAX_BOXES, type DiagramPatch, type LayoutEngine, type LayoutRequest, type LayoutResponse } from "./protocol.js";


type Draw = Extract<LayoutRequest, { type: "draw" }>;
let pending: Draw | undefined;
let busy = false;
/** The last layout, and the diagram last sent with it (a fresh layout not sent yet holds the diagram it was made for). */
let last: { key: string; layout: Layout; id: number; graph: DiagramGraph; seq: number; depth: number; engine: LayoutEngine } | undefined;
let layouts = 0;
/** The page asked for the whole drawing: the next answer carries it even with a reused layout. */
let wantWhole = false;

/** What differs between two diagrams of the same layout key (same boxes and edges, in the same order). */
function patchOf(before: DiagramGraph, after: DiagramGraph): DiagramPatch {
  const boxes: DiagramPatch["boxes"][number][] = [];
  after.boxes.forEach((b, i) => {
    const was = before.boxes[i]!;
    const colours = boxColours(b, after.maxMacs);
    const old = boxColours(was, before.maxMacs);
    if (colours.fill !== old.fill || colours.ink !== old.ink || b.lines.some((l, k) => l !== was.lines[k])) boxes.push({ id: b.id, lines: b.lines, ...colours });
  });
  const edges = after.edges.filter((e, i) => e.label !== before.edges[i]!.label).map((e) => ({ id: e.id, label: e.label }));
  return { title: after.title, boxes, edges };
}

async function drain(): Promise<void> {
  busy = true;
  while (pending) {
    const job = pending;
    pending = undefined;
    const t0 = performance.now();
    const base = { seq: job.seq, boxes: job.graph.boxes.length, depth: job.depth };
    let answer: LayoutResponse;
    try {
      const engine: LayoutEngine = job.graph.boxes.length > ELK_MAX_BOXES ? "column" : "elk";
      const key = `${engine}\n${layoutKey(job.graph)}`;
      let patch: DiagramPatch | undefined;
      if (last?.key === key) {
        patch = patchOf(last.graph, job.graph);
      } else {
        const layout = engine === "column" ? columnLayout(job.graph) : await layoutDiagram(job.graph);
        last = { key, layout, id: ++layouts, graph: job.graph, seq: job.seq, depth: job.depth, engine };
      }
      // The whole SVG only for a new layout (or when asked): a patch is all a page showing the last drawing needs.
      const svg = patch === undefined || wantWhole ? renderSvg(job.graph, last.layout) : undefined;
      answer = { ...base, ...(svg !== undefined ? { svg } : {}), ms: performance.now() - t0, engine, reused: patch !== undefined, layoutId: last.id, ...(patch ? { patch } : {}) };
    } catch (e) {
      last = undefined;
      answer = { ...base, svg: "", ms: performance.now() - t0, engine: "elk", reused: false, layoutId: ++layouts, error: e instanceof Error ? e.message : String(e) };
    }
    // A newer diagram arrived while ELK ran: this one is stale, do not send it (and keep
    // diffing against the drawing last sent, which is what the page shows).
    if (!pending) {
      postMessage(answer);
      if (answer.svg !== undefined) wantWhole = false;
      if (last) last = { ...last, graph: job.graph, seq: job.seq, depth: job.depth };
    }
  }
  busy = false;
}

/** The last drawing whole, under its own sequence number. */
function sendWhole(): void {
  if (!last) return;
  const t0 = performance.now();
  const svg = renderSvg(last.graph, last.layout);
  postMessage({ seq: last.seq, svg, ms: performance.now() - t0, boxes: last.graph.boxes.length, depth: last.depth, engine: last.engine, reused: true, layoutId: last.id } satisfies LayoutResponse);
  wantWhole = false;
}

function receive(msg: LayoutRequest): void {
  if (msg.type === "forget") {
    last = undefined;
    return;
  }
  if (msg.type === "redraw") {
    wantWhole = true;
    if (!busy && !pending) sendWhole();
    return;
  }
  pending = msg;
  if (!busy) void drain();
}

onmessage = (ev: MessageEvent<{ type: "port"; port: MessagePort } | LayoutRequest>) => {
  const msg = ev.data;
  if (msg.type === "port") msg.port.onmessage = (e: MessageEvent<LayoutRequest>) => receive(e.data);
  else receive(msg);
};

// ELK (1.5 MB of JavaScript) compiles while the first text is analysed, not after. Only once
// the handler above is set: loading ELK puts back the handler it finds at this call.
void preloadLayoutEngine();
