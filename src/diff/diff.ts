/**
 * The difference between two analysed models: every layer paired, added or removed (see
 * align.ts), what changed in each pair, and the change in every total. Plain data.
 */
import type { LayerFacts, ModelAnalysis, Totals } from "../analysis/types.js";
import { modelReceptiveField } from "../check/budgets.js";
import { align } from "./align.js";

export type LayerStatus = "same" | "changed" | "added" | "removed";

/** One row of a layer diff. */
export interface LayerChange {
  readonly status: LayerStatus;
  readonly a?: LayerFacts;
  readonly b?: LayerFacts;
  /**
   * What differs in a pair: `kind`, `outputShape`, `params`, `macs`, `activationBytes`, `rf`.
   * A pair is `changed` when anything but `rf` differs (a field widens downstream of any edit).
   */
  readonly fields: readonly string[];
  /** B − A (a removed layer counts as 0 in B, an added one as 0 in A). */
  readonly delta: { readonly params: bigint; readonly macs: bigint; readonly activationBytes: bigint };
}

/** One total in both models and its change. */
export interface TotalChange {
  /** `params`, `macs`, ..., or `rf` (the largest bounded receptive field). */
  readonly name: string;
  readonly unit: "count" | "bytes";
  readonly a?: bigint;
  readonly b?: bigint;
  readonly delta?: bigint;
}

export interface ModelDiff {
  readonly a: { readonly name: string; readonly file: string };
  readonly b: { readonly name: string; readonly file: string };
  readonly layers: readonly LayerChange[];
  readonly totals: readonly TotalChange[];
  /** Output shapes by output name, where either model has one. */
  readonly outputs: readonly { readonly name: string; readonly a?: readonly number[]; readonly b?: readonly number[] }[];
  readonly counts: Readonly<Record<LayerStatus, number>>;
}

/** Totals compared, in report order, with their units. */
export const TOTAL_FIELDS: readonly { readonly key: keyof Totals; readonly unit: "count" | "bytes" }[] = [
  { key: "params", unit: "count" },
  { key: "trainableParams", unit: "count" },
  { key: "nonTrainableParams", unit: "count" },
  { key: "macs", unit: "count" },
  { key: "flops", unit: "count" },
  { key: "paramBytes", unit: "bytes" },
  { key: "activationBytes", unit: "bytes" },
  { key: "peakActivationBytes", unit: "bytes" },
  { key: "trainingBytes", unit: "bytes" },
];

/** A layer's keys for align(), strictest first. */
function keys(m: ModelAnalysis, l: LayerFacts): string[] {
  const node = m.graph.nodes[l.node];
  const defs = node ? node.blocks.map((f) => f.block).join("/") : l.block;
  const identity = node?.explicitLabel ? `L:${defs}/${l.name}` : `K:${defs}|${l.kind}`;
  return [`${identity}|${l.outputShape.join("x")}|${l.params}`, identity, l.kind];
}

const same = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);

function changedFields(a: LayerFacts, b: LayerFacts): string[] {
  const out: string[] = [];
  if (a.kind !== b.kind) out.push("kind");
  if (!same(a.outputShape, b.outputShape)) out.push("outputShape");
  if (a.params !== b.params) out.push("params");
  if (a.macs !== b.macs) out.push("macs");
  if (a.activationBytes !== b.activationBytes) out.push("activationBytes");
  if (!same(a.rf.size, b.rf.size) || a.rf.global !== b.rf.global) out.push("rf");
  return out;
}

function layerChange(a: LayerFacts | undefined, b: LayerFacts | undefined): LayerChange {
  const d = (f: (l: LayerFacts) => bigint) => (b ? f(b) : 0n) - (a ? f(a) : 0n);
  const delta = { params: d((l) => l.params), macs: d((l) => l.macs), activationBytes: d((l) => l.activationBytes) };
  if (a && b) {
    const fields = changedFields(a, b);
    // A field that grew because a layer upstream changed is no change of this layer's own.
    const own = fields.filter((f) => f !== "rf");
    return { status: own.length === 0 ? "same" : "changed", a, b, fields, delta };
  }
  return { status: a ? "removed" : "added", ...(a ? { a } : { b: b! }), fields: [], delta };
}

/** Compares model A with model B, layer by layer and in total. */
export function diffModels(a: ModelAnalysis, b: ModelAnalysis): ModelDiff {
  const pairs = align(a.layers.map((l) => keys(a, l)), b.layers.map((l) => keys(b, l)));
  const layers = pairs.map((p) => layerChange(p.a === undefined ? undefined : a.layers[p.a], p.b === undefined ? undefined : b.layers[p.b]));
  const counts = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const l of layers) counts[l.status]++;
  const totals: TotalChange[] = TOTAL_FIELDS.map(({ key, unit }) => ({ name: key, unit, a: a.totals[key], b: b.totals[key], delta: b.totals[key] - a.totals[key] }));
  const rfA = modelReceptiveField(a);
  const rfB = modelReceptiveField(b);
  const ra = typeof rfA === "bigint" ? rfA : undefined;
  const rb = typeof rfB === "bigint" ? rfB : undefined;
  totals.push({ name: "rf", unit: "count", a: ra, b: rb, delta: ra !== undefined && rb !== undefined ? rb - ra : undefined });
  const names = [...new Set([...Object.keys(a.outputs), ...Object.keys(b.outputs)])];
  const outputs = names.map((name) => ({ name, a: a.outputs[name], b: b.outputs[name] }));
  return { a: { name: a.name, file: a.file }, b: { name: b.name, file: b.file }, layers, totals, outputs, counts };
}
