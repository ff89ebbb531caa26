/**
 * Messages between the page and its workers. Plain data only (structured clone carries
 * bigints); every request has a sequence number and the page drops answers older than the
 * newest it has shown, so a slow analysis never overwrites a newer one.
 */
import type { DiagramGraph } from "../src/diagram/graph.js";

/** page → analysis worker: the spec files the examples import, once, then texts to analyse. */
export type AnalysisRequest =
  | { readonly type: "files"; readonly files: Readonly<Record<string, string>> }
  | { readonly type: "analyze"; readonly seq: number; readonly text: string; readonly depth: DiagramDepth };

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
  readonly diagram: DiagramGraph;
  /** The depth the diagram was drawn at, as `analyze --depth` (1 = model body; Infinity: every level). */
  readonly diagramDepth: number;
}

/** analysis worker → page. */
export interface AnalysisResponse {
  readonly seq: number;
  /** compile + analyze + report rows, in the worker, in milliseconds. */
  readonly ms: number;
  readonly diagnostics: readonly WebDiagnostic[];
  readonly models: readonly WebModel[];
}

/** page → layout worker. */
export interface LayoutRequest {
  readonly seq: number;
  readonly graph: DiagramGraph;
}

/** layout worker → page. */
export interface LayoutResponse {
  readonly seq: number;
  readonly svg: string;
  readonly ms: number;
  readonly error?: string;
}
