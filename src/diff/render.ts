/** A model diff as text (a terminal table), Markdown (a pull-request comment) or JSON. */
import { grid, PLAIN_GRID } from "../report/grid.js";
import type { LayerFacts } from "../analysis/types.js";
import { binaryBytes, groupDigits, percent, signed } from "../util/format.js";
import { plain } from "../report/json.js";
import type { LayerChange, ModelDiff, TotalChange } from "./diff.js";

export type DiffFormat = "text" | "json" | "markdown";

export interface RenderDiffOptions {
  /** List unchanged layers too (default: only what changed). */
  readonly all?: boolean;
}

const MARK: Record<LayerChange["status"], string> = { same: " ", changed: "~", added: "+", removed: "-" };

const shape = (s: readonly number[] | undefined) => (s ? `[${s.join(", ")}]` : "");
const named = (l: LayerFacts) => (l.block ? `${l.block}/${l.name}` : l.name);

function layerName(c: LayerChange): string {
  if (c.a && c.b) return named(c.a) === named(c.b) ? named(c.b) : `${named(c.a)} → ${named(c.b)}`;
  return named((c.a ?? c.b)!);
}

function layerShape(c: LayerChange): string {
  if (c.a && c.b && c.fields.includes("outputShape")) return `${shape(c.a.outputShape)} → ${shape(c.b.outputShape)}`;
  return shape((c.b ?? c.a)!.outputShape);
}

function layerKind(c: LayerChange): string {
  return c.a && c.b && c.a.kind !== c.b.kind ? `${c.a.kind} → ${c.b.kind}` : (c.b ?? c.a)!.kind;
}

const LAYER_HEAD = ["", "layer", "kind", "output shape", "Δ params", "Δ MACs", "Δ memory (bytes)", "rf"];

/** The receptive field's size (per axis when the axes differ), `A → B` when it changed. */
function layerRf(c: LayerChange): string {
  const show = (l: LayerFacts) => (l.rf.global ? "global" : new Set(l.rf.size).size === 1 ? String(l.rf.size[0] ?? "") : `[${l.rf.size.join(", ")}]`);
  if (c.a && c.b && c.fields.includes("rf")) return `${show(c.a)} → ${show(c.b)}`;
  return show((c.b ?? c.a)!);
}

function layerRows(d: ModelDiff, o: RenderDiffOptions): string[][] {
  return d.layers
    .filter((c) => o.all || c.status !== "same")
    .map((c) => [MARK[c.status], layerName(c), layerKind(c), layerShape(c), signed(c.delta.params), signed(c.delta.macs), signed(c.delta.activationBytes), layerRf(c)]);
}

function totalCell(t: TotalChange, v: bigint | undefined): string {
  if (v === undefined) return "—";
  return t.unit === "bytes" ? `${groupDigits(v)} (${binaryBytes(v)})` : groupDigits(v);
}

function totalRows(d: ModelDiff): string[][] {
  const rows = d.totals.map((t) => {
    const delta = t.delta === undefined ? "—" : t.a ? `${signed(t.delta)} (${percent(t.delta, t.a)})` : signed(t.delta);
    return [t.name, totalCell(t, t.a), totalCell(t, t.b), delta];
  });
  for (const o of d.outputs) rows.push([`shape(${o.name})`, shape(o.a) || "—", shape(o.b) || "—", shape(o.a) === shape(o.b) ? "same" : "changed"]);
  return rows;
}

function summary(d: ModelDiff): string {
  const c = d.counts;
  return `layers: ${c.same} unchanged, ${c.changed} changed, ${c.added} added, ${c.removed} removed`;
}

function title(d: ModelDiff): string {
  return `${d.a.name} (${d.a.file}) → ${d.b.name} (${d.b.file})`;
}

/** The diff as aligned plain-text tables: changed layers, then totals. */
export function diffText(d: ModelDiff, o: RenderDiffOptions = {}): string {
  const rows = layerRows(d, o);
  const layers = rows.length === 0 ? "(no layer changed)\n" : grid([LAYER_HEAD, ...rows], { ...PLAIN_GRID, align: { 4: "right", 5: "right", 6: "right" } });
  const totals = grid([["total", d.a.name, d.b.name, "Δ"], ...totalRows(d)], { ...PLAIN_GRID, align: { 1: "right", 2: "right", 3: "right" } });
  const text = `${title(d)}\n${summary(d)}\n\n${layers}\n${totals}`;
  return text.replace(/[ \t]+$/gm, "").trimEnd();
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
}

/** The diff as Markdown tables, ready for a pull-request comment. */
export function diffMarkdown(d: ModelDiff, o: RenderDiffOptions = {}): string {
  const out = [`### \`${d.a.name}\` → \`${d.b.name}\``, "", `${d.a.file} → ${d.b.file}; ${summary(d)}`, ""];
  const rows = layerRows(d, o);
  if (rows.length > 0) {
    out.push(mdRow(LAYER_HEAD), "|---|---|---|---|--:|--:|--:|--:|");
    for (const r of rows) out.push(mdRow([r[0] === " " ? "" : `\`${r[0]}\``, `\`${r[1]}\``, ...r.slice(2)]));
    out.push("");
  }
  out.push(mdRow(["total", `\`${d.a.name}\``, `\`${d.b.name}\``, "Δ"]), "|---|--:|--:|--:|");
  for (const r of totalRows(d)) out.push(mdRow(r));
  return out.join("\n");
}

function layerJson(l: LayerFacts | undefined): unknown {
  if (!l) return undefined;
  return { name: l.name, block: l.block, kind: l.kind, outputShape: l.outputShape, params: l.params, macs: l.macs, activationBytes: l.activationBytes, rf: l.rf };
}

/** The diff as JSON text on one line, like every `--format json` (integers beyond 2^53 as decimal strings). */
export function diffJson(d: ModelDiff): string {
  return JSON.stringify(plain({
    schemaVersion: 1,
    a: d.a,
    b: d.b,
    counts: d.counts,
    layers: d.layers.map((c) => ({ status: c.status, fields: c.fields, delta: c.delta, a: layerJson(c.a), b: layerJson(c.b) })),
    totals: d.totals,
    outputs: d.outputs,
  }));
}
