/**
 * The analysis worker: answers only the newest request. Requests that arrive while one is
 * being analysed replace each other; the last is analysed once the current one is done.
 *
 * Each answer goes in two steps, each its own task: first the table's data to the page (as
 * changes to the answer sent before, delta.ts), then (unless a newer text has arrived
 * meanwhile) the diagram, straight to the layout worker over the port the page handed over. The page analyses its first text itself, starts this worker
 * after showing it and, once the first drawing is up, sends that text to warm up on: the
 * worker analyses it again and again while nothing else is asked of it (WARM_RUNS; a text
 * answered before that warms it up likewise), so the JIT has compiled the analysis before
 * the first keystroke.
 */
import type { ModelAnalysis } from "../src/analysis/types.js";
import { analyzeText, answerText, diagramAt } from "./analysis.js";
import { files } from "./examples.js";
import { pack } from "./delta.js";
import { openMailbox, post, type Mailbox } from "./mailbox.js";
import type { AnalysisRequest, AnalysisResponse, DiagramDepth, LayoutRequest, WarmedUp } from "./protocol.js";

/**
 * Warm-up analyses of the first text, and the most time they may take together (ms). V8
 * optimizes a function only after many calls, and much of an analysis runs once per text:
 * the built worker in Node answered ResNet-50 keystrokes in 14.9 ms (median) after 12 warm-up
 * runs, 7.9 after 42, 5.8 after 112 (3.6 in a quiet minute). Each run is one task, so a
 * request waits for one at most.
 */
const WARM_RUNS = 150;
const WARM_BUDGET_MS = 2500;

interface Job {
  readonly seq: number;
  readonly text: string;
  readonly depth: DiagramDepth;
  readonly model: number;
}

let layoutPort: MessagePort | undefined;
/** The last answer sent: the next is sent as changes to it (delta.ts). */
let sent: AnalysisResponse | undefined;
let mailbox: Mailbox | undefined;
let pending: Job | undefined;
/** The diagram still to send for the last answered job. */
let drawing: { job: Job; model: ModelAnalysis | undefined } | undefined;
let warmLeft = WARM_RUNS;
let warmSpent = 0;
let warmText: string | undefined;
let scheduled = false;

// A task queued behind the messages already waiting (a MessageChannel is not clamped like setTimeout).
const tick = new MessageChannel();
tick.port1.onmessage = () => step();
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  tick.port2.postMessage(null);
}

/** One unit of work per task: the newest request, else its diagram, else a warm-up run. */
function step(): void {
  scheduled = false;
  if (pending) {
    const job = pending;
    pending = undefined;
    answer(job);
  } else if (drawing && layoutPort) {
    const { job, model } = drawing;
    drawing = undefined;
    if (model) {
      const { diagram, diagramDepth } = diagramAt(model, job.depth);
      layoutPort.postMessage({ type: "draw", seq: job.seq, graph: diagram, depth: diagramDepth } satisfies LayoutRequest);
    }
  } else if (warmText !== undefined && warmLeft > 0 && warmSpent < WARM_BUDGET_MS) {
    const t0 = performance.now();
    const r = analyzeText(warmText, files);
    for (const m of r.analyses) diagramAt(m, "auto");
    warmLeft--;
    warmSpent += performance.now() - t0;
    if (warmLeft === 0 || warmSpent >= WARM_BUDGET_MS) postMessage({ type: "warmed", runs: WARM_RUNS - warmLeft, ms: warmSpent } satisfies WarmedUp);
  } else {
    return;
  }
  if (pending || (drawing && layoutPort) || (warmText !== undefined && warmLeft > 0 && warmSpent < WARM_BUDGET_MS)) schedule();
}

function answer(job: Job): void {
  const { response, analysis } = answerText(job.seq, job.text, files, job.model);
  const packed = pack(sent, response);
  if (mailbox) post(mailbox, packed);
  postMessage(packed);
  sent = response;
  drawing = { job, model: analysis };
  warmText ??= job.text;
}

onmessage = (ev: MessageEvent<AnalysisRequest>) => {
  const msg = ev.data;
  if (msg.type === "port") {
    layoutPort = msg.port;
    if (drawing) schedule(); // a diagram answered before the port came
  } else if (msg.type === "mailbox") {
    mailbox = openMailbox(msg.buffer);
  } else if (msg.type === "warm") {
    // The page analysed its first text itself: warm up on it.
    warmText = msg.text;
    schedule();
  } else {
    pending = { seq: msg.seq, text: msg.text, depth: msg.depth, model: msg.model };
    // Let every queued message land first, so only the newest text is analysed.
    schedule();
  }
};
