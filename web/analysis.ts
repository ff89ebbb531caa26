/**
 * The page's analysis, as the worker runs it: compile and analyse the editor's text with the
 * library (the imports of the bundled examples resolved from memory), then turn the result
 * into plain rows, lines and diagram data for the page. Same codes, messages and hints as
 * the CLI, since both render through src/diagnostics.
 */
import { maxOf } from "../src/util/array.js";
import { analyze } from "../src/analysis/analyze.js";
import type { ModelAnalysis } from "../src/analysis/types.js";
import { renderDiagnostic } from "../src/diagnostics/render.js";
import { diagramGraph, type DiagramGraph } from "../src/diagram/graph.js";
import { compile } from "../src/graph/compile.js";
import { reportRows } from "../src/report/rows.js";
import { summaryLines } from "../src/report/text.js";
import * as u from "../src/report/units.js";
import type { AnalysisResponse, DiagramDepth, WebDiagnostic, WebLayer, WebModel } from "./protocol.js";

/** "auto" opens block calls only as deep as keeps the drawing to this many boxes (and its layout fast). */
export const AUTO_BOXES = 120;

/**
 * The diagram at the asked depth; "auto": every level if that is small enough, else the
 * deepest that is. Built in the analysis worker after the table's answer has been sent.
 */
export function diagramAt(m: ModelAnalysis, depth: DiagramDepth): { diagram: DiagramGraph; diagramDepth: number } {
  if (typeof depth === "number") return { diagram: diagramGraph(m, { depth }), diagramDepth: depth };
  // Every layer is a box, and so is each input and output: skip drawing what cannot fit.
  if (depth === "all" || m.layers.length + m.graph.inputs.length + m.graph.outputs.length <= AUTO_BOXES) {
    return { diagram: diagramGraph(m), diagramDepth: Infinity };
  }
  let best = { diagram: diagramGraph(m, { depth: 1 }), diagramDepth: 1 };
  const deepest = Math.max(0, maxOf(m.graph.nodes.map((n) => n.blocks.length)));
  for (let d = 2; d <= deepest; d++) {
    const g = diagramGraph(m, { depth: d });
    if (g.boxes.length > AUTO_BOXES) break;
    best = { diagram: g, diagramDepth: d };
  }
  return best;
}

/** The editor's text is compiled as this file, so `use "lib/x.cnn"` finds specs/lib/x.cnn. */
export const EDITOR_FILE = "specs/playground.cnn";

export const COLUMNS = ["layer", "kind", "output shape", "params", "MACs", "activations", "RF size/jump"] as const;

function webModel(m: ModelAnalysis): WebModel {
  const rows = reportRows(m).map((r) => ({
    ...(r.node !== undefined ? { node: r.node } : {}),
    indent: r.indent,
    cells: [
      r.label, r.kind, r.outputShape ? u.shape(r.outputShape) : "",
      r.params === undefined ? "" : u.count(r.params), r.macs === undefined ? "" : u.count(r.macs),
      r.activationBytes === undefined ? "" : u.bytes(r.activationBytes), r.rf ? u.field(r.rf) : "",
    ],
  }));
  const t = m.totals;
  const total = ["total", `${m.layers.length} layer${m.layers.length === 1 ? "" : "s"}`, "", u.count(t.params), u.count(t.macs), u.bytes(t.activationBytes), ""];
  const layers: WebLayer[] = m.layers.map((l) => {
    const node = m.graph.nodes[l.node]!;
    return {
      node: l.node, name: l.name, kind: l.kind, family: node.family, args: node.args,
      inputShape: l.inputShapes[0] ?? [], outputShape: l.outputShape,
      rf: { size: l.rf.size, jump: l.rf.jump, start: l.rf.start, global: l.rf.global },
    };
  });
  const firstInput = Object.values(m.inputs)[0] ?? [];
  const asserts = m.asserts.length > 0 ? [`asserts: ${m.asserts.filter((a) => a.pass).length} of ${m.asserts.length} pass`] : [];
  return { name: m.name, columns: COLUMNS, rows, total, summary: [...summaryLines(m), ...asserts], layers, inputSpatial: firstInput.slice(1) };
}

/** Everything the page's table shows for one version of the text, and the analyses (for `diagramAt`; not sent to the page). */
export function analyzeText(text: string, files: Readonly<Record<string, string>>): { diagnostics: WebDiagnostic[]; models: WebModel[]; analyses: readonly ModelAnalysis[] } {
  const c = compile({ file: EDITOR_FILE, text }, { file: EDITOR_FILE, resolve: (p) => files[p] });
  const r = analyze(c.graph, { sources: (f) => c.sources.get(f) });
  const sources = (f: string) => c.sources.get(f);
  const diagnostics = [...c.diagnostics, ...r.diagnostics].map((d): WebDiagnostic => ({
    code: d.code, severity: d.severity, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
    ...(d.span && d.span.file === EDITOR_FILE ? { from: d.span.start, to: Math.max(d.span.end, d.span.start) } : {}),
    rendered: renderDiagnostic(d, sources),
  }));
  return { diagnostics, models: r.models.map(webModel), analyses: r.models };
}

/**
 * The answer to one request (the page's first text, analysed on the page's thread, and every
 * later one, in the worker), and the analysis of the model asked for (to draw). A failure of
 * the library is a diagnostic, not an exception.
 */
export function answerText(seq: number, text: string, files: Readonly<Record<string, string>>, model: number): { response: AnalysisResponse; analysis: ModelAnalysis | undefined } {
  const t0 = performance.now();
  try {
    const r = analyzeText(text, files);
    return {
      response: { seq, ms: performance.now() - t0, diagnostics: r.diagnostics, models: r.models },
      analysis: r.analyses[Math.min(model, r.analyses.length - 1)],
    };
  } catch (e) {
    const message = `internal error: ${e instanceof Error ? e.message : String(e)} (this is a bug in convspec)`;
    return { response: { seq, ms: performance.now() - t0, models: [], diagnostics: [{ code: "internal", severity: "error", message, rendered: message }] }, analysis: undefined };
  }
}
