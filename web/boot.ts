/**
 * The playground's entry: starts the analysis and layout workers and sends the first text at
 * once, then loads the page (editor, table, drawing: main.ts) while the worker analyses, so
 * the two loads overlap. Answers that arrive before the page is ready are kept for it.
 */
import { specFromHash } from "./share.js";
import type { AnalysisRequest, AnalysisResponse, DiagramDepth } from "./protocol.js";
import "./style.css";

const raw = import.meta.glob("../specs/**/*.cnn", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
/** Every bundled spec by its path (`specs/lenet5.cnn`, `specs/lib/resnet.cnn`). */
export const files: Record<string, string> = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^(\.\.\/)+/, ""), v]));
export const DEFAULT_EXAMPLE = "specs/lenet5.cnn";

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Timings the benchmark and the browser tests read. */
export interface Probe {
  /** seq → when the editor changed (performance.now()). */
  readonly changedAt: Map<number, number>;
  /** Keystroke → table shown, in ms, one per shown answer. */
  readonly latencies: number[];
  /** Worker compute time of each shown answer, and the page's time to show it. */
  readonly workerMs: number[];
  readonly renderMs: number[];
  /** Layout worker time of each shown diagram, and request → diagram shown. */
  readonly layoutMs: number[];
  readonly layoutLatencies: number[];
  firstTable?: number;
  shownSeq: number;
  diagramSeq: number;
}
export const probe: Probe = { changedAt: new Map(), latencies: [], workerMs: [], renderMs: [], layoutMs: [], layoutLatencies: [], shownSeq: -1, diagramSeq: -1 };
(window as unknown as { __convspec: unknown }).__convspec = probe;

export const analysis = new Worker(new URL("./analysis.worker.ts", import.meta.url), { type: "module" });
export const layout = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
/** Answers that came before the page set its handler. */
export const early: AnalysisResponse[] = [];
analysis.onmessage = (ev: MessageEvent<AnalysisResponse>) => early.push(ev.data);
analysis.postMessage({ type: "files", files } satisfies AnalysisRequest);
export const initialText = specFromHash(location.hash) ?? files[DEFAULT_EXAMPLE] ?? "";

let seq = 0;
export const depthSelect = $<HTMLSelectElement>("depth");
const depth = (): DiagramDepth => (depthSelect.value === "auto" || depthSelect.value === "all" ? depthSelect.value : Number(depthSelect.value));

/** Sends a text to the analysis worker under the next sequence number. */
export function request(text: string): void {
  seq++;
  probe.changedAt.set(seq, performance.now());
  analysis.postMessage({ type: "analyze", seq, text, depth: depth() } satisfies AnalysisRequest);
}

request(initialText);
void import("./main.js");
