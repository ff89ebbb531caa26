/**
 * Units of the analysis tables: counts and bytes (through util/format.ts, the one number
 * formatter), shapes and receptive fields.
 */
import type { ReceptiveField } from "../analysis/types.js";
import { binaryBytes, groupDigits } from "../util/format.js";

/** 61706n → "61,706". */
export function count(n: bigint): string {
  return groupDigits(n);
}

/** 93,782,016n → "89.44 MiB" (two decimals); below 1 KiB, whole bytes. */
export function bytes(n: bigint): string {
  return binaryBytes(n, 2);
}

/** [96, 55, 55] → "96×55×55". */
export function shape(s: readonly number[]): string {
  return s.join("×");
}

/** 32 → "32", 0.5 → "0.5", 1/3 → "0.333". */
export function real(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
}

/** One value if all axes agree, else one per axis: "435", "7×3". */
function joinAxes(xs: readonly number[]): string {
  if (xs.length === 0) return "—";
  return xs.every((x) => x === xs[0]) ? real(xs[0]!) : xs.map(real).join("×");
}

/**
 * RF as "size/jump" ("195/32"); "global" after a layer that sees the whole input (dense,
 * global pooling), "global, 113 of 114" when strided layers before it never read the last
 * rows, "size/jump+global" for a local field that a global path was merged into; "not spatial"
 * after a layer that moved units between positions or reordered the axes (a scrambling
 * reshape, a select, a permute).
 */
export function field(rf: ReceptiveField): string {
  if (rf.notSpatial !== undefined) return "not spatial";
  const whole = rf.size.every((s, a) => s === rf.jump[a]);
  // No spatial axes: the whole input after a global layer, otherwise a field that is not spatial.
  if (rf.size.length === 0) return rf.global && rf.whole ? "global" : "—";
  if (rf.global && whole) return "global";
  if (rf.global && rf.whole) return `global, ${joinAxes(rf.size)} of ${joinAxes(rf.jump)}`;
  return `${joinAxes(rf.size)}/${joinAxes(rf.jump)}${rf.global ? "+global" : ""}`;
}
