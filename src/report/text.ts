/**
 * Text reports of an analysis: a torchinfo-style table (laid out as the `table` package does,
 * see grid.ts; coloured with chalk only when asked), Markdown and CSV. Every format has the same columns and a totals row.
 */
import { Chalk } from "chalk";
import type { ModelAnalysis } from "../analysis/types.js";
import { grid, type GridOptions } from "./grid.js";
import { reportRows, type ReportRow } from "./rows.js";
import * as u from "./units.js";

export interface TextOptions {
  /** Nesting levels to show, as torchinfo's depth: 1 = the model body, block calls as one row each (default: all). */
  readonly depth?: number;
  readonly color?: boolean;
}

/** The counting conventions in one line, printed under every table. */
export const CONVENTIONS =
  "params = weights + biases + batchnorm γ,β (running stats are buffers, counted as non-trainable); " +
  "MACs = multiply-accumulates of conv/dense/attention (transposed conv on input positions); FLOPs = 2·MACs + bias + element-wise work; " +
  "memory = batch · elements · dtype bytes, KiB/MiB = 1024; RF = size/jump in input pixels.";

export const HEADERS = ["layer", "kind", "output shape", "params", "MACs", "activations", "RF size/jump"] as const;

/** torchinfo-style depth (1 = model body only) → block-call levels to open. */
function levels(depth: number | undefined): number {
  return depth === undefined ? Infinity : Math.max(0, depth - 1);
}

function cells(r: ReportRow, indent: string): string[] {
  const label = indent.repeat(r.indent) + r.label + (r.layers > 1 ? ` (${r.layers} layers)` : "");
  return [
    label, r.kind, r.outputShape ? u.shape(r.outputShape) : "",
    r.params === undefined ? "" : u.count(r.params),
    r.macs === undefined ? "" : u.count(r.macs),
    r.activationBytes === undefined ? "" : u.bytes(r.activationBytes),
    r.rf ? u.field(r.rf) : "",
  ];
}

function totalCells(m: ModelAnalysis): string[] {
  const t = m.totals;
  return ["total", `${m.layers.length} layer${m.layers.length === 1 ? "" : "s"}`, "", u.count(t.params), u.count(t.macs), u.bytes(t.activationBytes), ""];
}

/** The model's outputs an error kept the analysis from reaching (their shapes are unknown). */
function unreached(m: ModelAnalysis): string[] {
  return m.graph.outputs.map((o) => o.name).filter((n) => m.outputs[n] === undefined);
}

/** The lines under the totals: parameter split, memory and the conventions; a partial analysis says so. */
export function summaryLines(m: ModelAnalysis): string[] {
  const t = m.totals;
  const missing = unreached(m);
  const partial = missing.length === 0 ? [] : [
    `incomplete: an error stopped the analysis short of output${missing.length === 1 ? "" : "s"} ${missing.map((n) => `"${n}"`).join(", ")}; ` +
      `the totals are of the ${m.layers.length} layer${m.layers.length === 1 ? "" : "s"} analysed`,
  ];
  return [
    ...partial,
    `params ${u.count(t.params)} (trainable ${u.count(t.trainableParams)}), non-trainable buffers ${u.count(t.nonTrainableParams)}; ` +
      `FLOPs ${u.count(t.flops)}; batch ${m.batch}, ${m.dtype}`,
    `memory: parameters ${u.bytes(t.paramBytes)}, activations ${u.bytes(t.activationBytes)}, peak live ${u.bytes(t.peakActivationBytes)}, ` +
      `training (${m.optimizer}) ${u.bytes(t.trainingBytes)}`,
  ];
}

function heading(m: ModelAnalysis): string {
  const ins = Object.entries(m.inputs).map(([k, v]) => `${k} ${u.shape(v)}`).join(", ");
  const outs = [...Object.entries(m.outputs).map(([k, v]) => `${k} ${u.shape(v)}`), ...unreached(m).map((k) => `${k} ?`)].join(", ");
  return `model ${m.name} (${m.file}): ${ins} → ${outs}`;
}

/** The boxed report: header, rows, totals, each separated by a rule. */
export const REPORT_GRID: GridOptions = {
  border: "norc", paddingLeft: 1, paddingRight: 1,
  align: { 3: "right", 4: "right", 5: "right", 6: "right" },
  hline: (i, size) => i === 0 || i === 1 || i === size - 1 || i === size,
};

/** The report table's cells: header, one row per report row, totals. */
export function reportCells(m: ModelAnalysis, opts: TextOptions = {}): string[][] {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const rows = reportRows(m, levels(opts.depth));
  return [HEADERS.map((h) => c.bold(h)), ...rows.map((r) => cells(r, "  ")), totalCells(m).map((x) => c.bold(x))];
}

/** The terminal table of one model. */
export function renderTable(m: ModelAnalysis, opts: TextOptions = {}): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const body = grid(reportCells(m, opts), REPORT_GRID);
  const asserts = m.asserts.length > 0 ? [`asserts: ${m.asserts.filter((a) => a.pass).length} of ${m.asserts.length} pass`] : [];
  return [c.bold(heading(m)), body.trimEnd(), ...summaryLines(m), ...asserts, c.dim(CONVENTIONS)].join("\n");
}

/** A GitHub-flavoured Markdown table of one model. */
export function renderMarkdown(m: ModelAnalysis, opts: TextOptions = {}): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const line = (xs: readonly string[]) => `| ${xs.map(esc).join(" | ")} |`;
  const rows = reportRows(m, levels(opts.depth)).map((r) => line(cells(r, "\u00a0\u00a0")));
  return [
    `### ${heading(m)}`, "", line(HEADERS), `| --- | --- | --- | ---: | ---: | ---: | ---: |`, ...rows, line(totalCells(m).map((x) => `**${x}**`)).replace(/\*\*\*\*/g, ""),
    "", ...summaryLines(m).map((s) => `${s}  `), "", `_${CONVENTIONS}_`,
  ].join("\n");
}

/** CSV with exact integers (bytes in bytes), one row per report row and a final totals row. */
export function renderCsv(models: readonly ModelAnalysis[], opts: TextOptions = {}): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const out = ["model,layer,kind,block,output_shape,params,non_trainable_params,macs,flops,activation_bytes,rf_size,rf_jump"];
  for (const m of models) {
    for (const r of reportRows(m, levels(opts.depth))) {
      out.push([
        m.name, r.label, r.kind, r.block, r.outputShape ? r.outputShape.join("x") : "",
        r.params ?? "", r.nonTrainableParams ?? "", r.macs ?? "", r.flops ?? "", r.activationBytes ?? "",
        r.rf ? r.rf.size.map(u.real).join("x") : "", r.rf ? r.rf.jump.map(u.real).join("x") : "",
      ].map((x) => q(String(x))).join(","));
    }
    const t = m.totals;
    out.push([m.name, "total", "", "", "", t.params, t.nonTrainableParams, t.macs, t.flops, t.activationBytes, "", ""].map((x) => q(String(x))).join(","));
  }
  return out.join("\n");
}
