/**
 * Messages between the page and its workers. Plain data only (structured clone carries
 * bigints); every request has a sequence number and the page drops answers older than the
 * newest it has shown, so a slow analysis never overwrites a newer one.
 */
import type { DiagramGraph } from "../src/diagram/graph.js";

/**
 * page → analysis worker: the port to the layout worker, once; then texts to analyse
 * (`model`: which model of the text to draw). The worker has the bundled specs a text may
 * `use` (examples.ts).
 */
export type AnalysisRequest =
  | { readonly type: "port"; readonly port: MessagePort }
  | { readonly type: "analyze"; readonly seq: number; readonly text: string; readonly depth: DiagramDepth; readonly model: number }
  /** The page analysed its first text on its own thread (the worker was not started yet): warm up on it. */
  | { readonly type: "warm"; readonly text: string }
  /** Shared memory for the newest answer (mailbox.ts), when the page is cross-origin isolated. */
  | { readonly type: "mailbox"; readonly buffer: SharedArrayBuffer };

/** The example shown when the link holds no spec. */
export const DEFAULT_EXAMPLE = "specs/lenet5.cnn";

/** How deep the diagram opens block calls: a number, every level, or "auto" (at most AUTO_BOXES boxes). */
export type DiagramDepth = number | "all" | "auto";

/** A diagnostic as the CLI would print it, plus where to underline it in the editor. */
export interface WebDiagnostic {
  readonly code: string;
  readonly severity: "error" | "warning" | "info";
  readonly message: string;
  readonly hint?: string;
  /** Offsets in the editor's text, when the diagnostic is about it (not an imported file). */
  readonly from?: number;
  readonly to?: number;
  /** The CLI's rendering: `file:line:col: error CODE: message`, the source line, caret, hint. */
  readonly rendered: string;
}

/** A row of the per-layer table: a layer, a collapsed block header, or the totals. */
export interface WebRow {
  /** Graph-IR node id of a layer row; absent on a block header. */
  readonly node?: number;
  readonly indent: number;
  readonly cells: readonly string[];
}

/** What the arithmetic panel needs of one layer. */
export interface WebLayer {
  readonly node: number;
  readonly name: string;
  readonly kind: string;
  readonly family: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly rf: { readonly size: readonly number[]; readonly jump: readonly number[]; readonly start: readonly number[]; readonly global: boolean };
}

export interface WebModel {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly WebRow[];
  readonly total: readonly string[];
  /** `params 61,706 (trainable 61,706) ...` and the memory line, as the CLI prints them. */
  readonly summary: readonly string[];
  readonly layers: readonly WebLayer[];
  /** Spatial size of the model's first input (for the receptive-field picture). */
  readonly inputSpatial: readonly number[];
}

/**
 * analysis worker → page: what the table, totals and diagnostics need, and nothing of the
 * diagram (that goes from the analysis worker straight to the layout worker, so the page's
 * thread neither copies nor compares it).
 */
export interface AnalysisResponse {
  readonly seq: number;
  /** compile + analyze + report rows, in the worker, in milliseconds. */
  readonly ms: number;
  readonly diagnostics: readonly WebDiagnostic[];
  readonly models: readonly WebModel[];
}

/** analysis worker → page, once: the warm-up after the first answer is over. */
export interface WarmedUp {
  readonly type: "warmed";
  readonly runs: number;
  readonly ms: number;
}

/**
 * analysis worker → layout worker (over a MessageChannel): the diagram of the newest text,
 * under the text's sequence number. page → layout worker: `forget` (the benchmark: lay the
 * next diagram out from scratch); `redraw` (send the last drawing whole: the page could not
 * apply a patch to what it shows).
 */
export type LayoutRequest =
  | { readonly type: "draw"; readonly seq: number; readonly graph: DiagramGraph; readonly depth: number }
  | { readonly type: "forget" }
  | { readonly type: "redraw" };

/** layout worker → page. */
export interface LayoutResponse {
  /** The sequence number of the text the drawing is of. */
  readonly seq: number;
  /** The whole drawing; absent when `patch` says what changed since the drawing last sent. */
  readonly svg?: string;
  /** Layout and drawing time in the worker, in milliseconds. */
  readonly ms: number;
  readonly boxes: number;
  /** The depth drawn, as `analyze --depth` (Infinity: every level). */
  readonly depth: number;
  /** How the boxes were placed: ELK's layered layout or the column layout (above ELK_MAX_BOXES boxes). */
  readonly engine: LayoutEngine;
  /** The last layout was reused (same structure and sizes: only text and fills changed). */
  readonly reused: boolean;
  /** Which layout the drawing uses: a new number each time the boxes are placed afresh. */
  readonly layoutId: number;
  /**
   * With a reused layout: what changed since the drawing last sent (text, fills, title), so a
   * page showing that drawing updates a few elements instead of parsing a new SVG.
   */
  readonly patch?: DiagramPatch;
  readonly error?: string;
}

export interface DiagramPatch {
  readonly title: string;
  readonly boxes: readonly { readonly id: string; readonly lines: readonly string[]; readonly fill: string; readonly ink: string }[];
  readonly edges: readonly { readonly id: string; readonly label: string }[];
}

export type LayoutEngine = "elk" | "column";

/** Diagrams of more boxes than this are placed by the column layout (ELK takes 0.5–2 s for 175–430 boxes). */
export const ELK_MAX_BOXES = 120;
