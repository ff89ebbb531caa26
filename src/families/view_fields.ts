/**
 * Receptive-field rules of the layers that only move data (slice, crop, select, permute,
 * resize): keeping every step-th unit of an axis, losing the spatial meaning of the axes, and
 * resampling by an arbitrary scale. The other steps are in rf.ts (Araujo et al., Distill 2019).
 */
import type { FieldPhases, ReceptiveField } from "./field.js";
import { fieldAt, phaseSize, phasesOf, windowPhases } from "./phases.js";
import { carry, upsampleField } from "./rf.js";

/** Along one spatial axis, the units first, first + step, ... (count of them) are kept. */
export interface Kept {
  readonly axis: number;
  readonly first: number;
  readonly step: number;
  readonly count: number;
}

/**
 * A slice or crop of spatial axes: unit u of the result is unit first + u·step of the input, so
 * start' = start + first·j and j' = j·step; the field's size is unchanged (exact per phase after
 * an upsample). The tensor now depends only on the kept units' fields: `read` narrows to them
 * (a global pooling after a crop sees only the crop).
 */
export function keptField(rf: ReceptiveField, kept: readonly Kept[]): ReceptiveField {
  if (rf.whole) return rf;
  const size = [...rf.size], jump = [...rf.jump], start = [...rf.start];
  const read = rf.size.map((_, a) => rf.read?.[a] ?? ([-Infinity, Infinity] as const));
  const phases: (FieldPhases | undefined)[] = rf.size.map((_, a) => rf.phases?.[a]);
  for (const k of kept) {
    const a = k.axis;
    if (a >= size.length) continue;
    const p = phasesOf(rf, a);
    const lo = fieldAt(p, k.first)[0], hi = fieldAt(p, k.first + (k.count - 1) * k.step)[1];
    read[a] = [Math.max(read[a]![0], Math.ceil(lo - 1e-9)), Math.min(read[a]![1], Math.floor(hi + 1e-9))];
    start[a] = start[a]! + k.first * jump[a]!;
    jump[a] = jump[a]! * k.step;
    if (rf.phases) {
      phases[a] = windowPhases(p, 1, k.step, 1, -k.first);
      if (phases[a]) size[a] = phaseSize(phases[a]!);
    }
  }
  const exact = rf.phases && phases.every((p) => p !== undefined) ? { phases: phases as FieldPhases[] } : {};
  return { size, jump, start, global: rf.global, ...(rf.whole === undefined ? {} : { whole: rf.whole }), read, ...exact };
}

/**
 * A field that is no longer spatial: after a select of a spatial position or a permute that
 * moves channels into the spatial axes, the tensor's axes no longer follow the input's, so no
 * per-axis size, jump or start is carried on (the report prints "—"; verify does not measure
 * it). A global path stays global. The region read stays, for a global layer after it.
 */
export function notSpatialField(rf: ReceptiveField): ReceptiveField {
  if (rf.whole) return rf;
  return { size: [], jump: [], start: [], global: rf.global, ...carry(rf) };
}

/** Is some output unit's source coordinate (i + ½)/s − ½ (PyTorch, align_corners=false) fractional? */
function blends(scale: number, out: number): boolean {
  for (let i = 0; i < Math.min(out, 4096); i++) {
    const x = Math.max(0, (i + 0.5) / scale - 0.5);
    if (Math.abs(x - Math.round(x)) > 1e-9) return true;
  }
  return false;
}

/**
 * Resampling by `scale` per axis (the scale PyTorch's interpolate maps coordinates with: the
 * given scale factor, or out/in for a given size). Output o reads around source (o + ½)/s − ½:
 * one input for `nearest`, `taps` = 2 (linear) or 4 (cubic) neighbours where that source is
 * fractional, so r' = r + (taps − 1)·j where some unit blends; j' = j/s. Integer upsampling
 * by nearest or linear keeps the exact per-position fields of rf.ts; otherwise the size is the
 * largest over units (fields vary with the position).
 */
export function resampleField(rf: ReceptiveField, scale: readonly number[], out: readonly number[], taps: 1 | 2 | 4): ReceptiveField {
  if (rf.whole) return rf;
  if (taps <= 2 && scale.every((s) => Number.isInteger(s) && s >= 1)) return upsampleField(rf, scale, taps === 2);
  const size = [...rf.size], jump = [...rf.jump], start = [...rf.start];
  scale.forEach((s, a) => {
    if (a >= size.length) return;
    const j = jump[a]!;
    if (taps > 1 && blends(s, out[a]!)) size[a] = size[a]! + (taps - 1) * j;
    start[a] = start[a]! + (0.5 / s - 0.5) * j;
    jump[a] = j / s;
  });
  return { size, jump, start, global: rf.global, ...(rf.whole === undefined ? {} : { whole: rf.whole }), ...carry(rf) };
}
