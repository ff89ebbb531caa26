/** The layout worker: lays out and draws the newest diagram only (ELK runs here, off the page's thread). */
import { layoutDiagram } from "../src/diagram/layout.js";
import { renderSvg } from "../src/diagram/svg.js";
import type { LayoutRequest, LayoutResponse } from "./protocol.js";

let pending: LayoutRequest | undefined;
let busy = false;

async function drain(): Promise<void> {
  busy = true;
  while (pending) {
    const job = pending;
    pending = undefined;
    const t0 = performance.now();
    let answer: LayoutResponse;
    try {
      const svg = renderSvg(job.graph, await layoutDiagram(job.graph));
      answer = { seq: job.seq, svg, ms: performance.now() - t0 };
    } catch (e) {
      answer = { seq: job.seq, svg: "", ms: performance.now() - t0, error: e instanceof Error ? e.message : String(e) };
    }
    postMessage(answer);
  }
  busy = false;
}

onmessage = (ev: MessageEvent<LayoutRequest>) => {
  pending = ev.data;
  if (!busy) void drain();
};
