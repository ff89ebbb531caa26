/**
 * Budgets: upper (or, for the receptive field, lower) bounds on a model's totals, given on
 * the command line or in convspec.json with the same option names (`max-params`, ...).
 */
import type { ModelAnalysis } from "../analysis/types.js";
import type { Span } from "../diagnostics/diagnostic.js";
import { parseNumber } from "../graph/values.js";
import { minOf } from "../util/array.js";

/** One budget option: its name, the quantity it bounds, which way, and how to read it. */
export interface BudgetKind {
  /** The option as written, without dashes: `max-params`. */
  readonly option: string;
  /** The quantity's name in messages, as in `assert` lines: `params`, `peak_memory`. */
  readonly quantity: string;
  readonly bound: "max" | "min";
  readonly unit: "count" | "bytes";
  /** What the option's help says it bounds. */
  readonly doc: string;
  /** The measured value, or a reason it cannot be measured. */
  readonly read: (m: ModelAnalysis) => bigint | { readonly reason: string };
}

/**
 * The model's receptive field for `--min-rf`: the largest field, taken on its narrowest axis,
 * of any layer that still sees a bounded window. Layers that see the whole input only through
 * a global path (after a global pooling or a dense layer) and layers whose units are no longer
 * tied to positions do not count; a local field that a global gate was merged into (a
 * squeeze-and-excitation `mul`, shown "21/1+global") counts with its local part.
 */
export function modelReceptiveField(m: ModelAnalysis): bigint | { readonly reason: string } {
  let best: number | undefined;
  for (const l of m.layers) {
    if ((l.rf.global && l.rf.whole === true) || l.rf.notSpatial !== undefined || l.rf.size.length === 0) continue;
    const narrowest = minOf(l.rf.size);
    if (best === undefined || narrowest > best) best = narrowest;
  }
  return best === undefined ? { reason: "no layer has a spatial receptive field" } : BigInt(Math.floor(best));
}

export const BUDGET_KINDS: readonly BudgetKind[] = [
  { option: "max-params", quantity: "params", bound: "max", unit: "count", doc: "parameters, trainable and not", read: (m) => m.totals.params },
  { option: "max-macs", quantity: "macs", bound: "max", unit: "count", doc: "multiply-accumulates at the batch size", read: (m) => m.totals.macs },
  { option: "max-flops", quantity: "flops", bound: "max", unit: "count", doc: "floating-point operations at the batch size", read: (m) => m.totals.flops },
  { option: "max-memory", quantity: "memory", bound: "max", unit: "bytes", doc: "bytes of all forward activations", read: (m) => m.totals.activationBytes },
  { option: "max-peak-memory", quantity: "peak_memory", bound: "max", unit: "bytes", doc: "peak bytes of live activations", read: (m) => m.totals.peakActivationBytes },
  { option: "max-training-memory", quantity: "training_memory", bound: "max", unit: "bytes", doc: "training estimate: params, grads, optimizer state, saved activations", read: (m) => m.totals.trainingBytes },
  { option: "min-rf", quantity: "rf", bound: "min", unit: "count", doc: "largest bounded receptive field (narrowest axis)", read: modelReceptiveField },
];

/** The budget kind an option names (`max-params` or `maxParams`), if any. */
export function budgetKind(option: string): BudgetKind | undefined {
  const dashed = option.replace(/^--/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return BUDGET_KINDS.find((k) => k.option === dashed);
}

/** A bound on one quantity of a model, and where it was set. */
export interface Budget {
  readonly kind: BudgetKind;
  readonly limit: bigint;
  /** The value as the user wrote it (`25M`, `512MiB`). */
  readonly text: string;
  /** `command line`, or the config file and the pattern that set it. */
  readonly source: string;
  /** Where in a config file it was set, when known. */
  readonly span?: Span;
}

/** Parses a budget value (`25M`, `4G`, `512MiB`, `200`, or a JSON number) into an exact count. */
export function parseBudgetValue(value: string | number): { value?: bigint; error?: string } {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return { error: "must be a whole number ≥ 0 (write large values as strings, e.g. \"25M\")" };
    return { value: BigInt(value) };
  }
  const r = parseNumber(value.trim());
  if (!r.value) return { error: r.error ?? "not a number" };
  if (r.value.kind !== "int") return { error: "must come out as a whole number" };
  return { value: r.value.value };
}
