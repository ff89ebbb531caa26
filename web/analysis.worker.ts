/**
 * The analysis worker: answers only the newest request. Requests that arrive while one is
 * being analysed replace each other; the last is analysed once the current one is done.
 */
import { dict } from "../src/util/dict.js";
import { analyzeText } from "./analysis.js";
import type { AnalysisRequest, AnalysisResponse, DiagramDepth } from "./protocol.js";

let files: Readonly<Record<string, string>> = dict<string>();
let pending: { seq: number; text: string; depth: DiagramDepth } | undefined;
let scheduled = false;
// A task queued behind the messages already waiting (a MessageChannel is not clamped like setTimeout).
const tick = new MessageChannel();
tick.port1.onmessage = () => run();

function run(): void {
  scheduled = false;
  const job = pending;
  pending = undefined;
  if (!job) return;
  const t0 = performance.now();
  let answer: AnalysisResponse;
  try {
    const r = analyzeText(job.text, files, job.depth);
    answer = { seq: job.seq, ms: performance.now() - t0, ...r };
  } catch (e) {
    const message = `internal error: ${e instanceof Error ? e.message : String(e)} (this is a bug in convspec)`;
    answer = { seq: job.seq, ms: performance.now() - t0, models: [], diagnostics: [{ code: "internal", severity: "error", message, rendered: message }] };
  }
  postMessage(answer);
}

onmessage = (ev: MessageEvent<AnalysisRequest>) => {
  const msg = ev.data;
  if (msg.type === "files") {
    files = msg.files;
    return;
  }
  pending = { seq: msg.seq, text: msg.text, depth: msg.depth };
  // Let every queued message land first, so only the newest text is analysed.
  if (!scheduled) {
    scheduled = true;
    tick.port2.postMessage(null);
  }
};
