/**
 * Receptive-field rules of the layers that only move data (slice, crop, select, permute,
 * resize): keeping every step-th unit of an axis, losing the spatial meaning of the axes, and
 * resampling by an arbitrary scale. The other steps are in rf.ts (Araujo et al., Distill 2019).
 */
import type { FieldPhases, ReceptiveField } from "./field.js";
import { fieldAt, gcd, mapUnits, phaseSize, phasesOf, windowPhases } from "./phases.js";
import { carry, upsampleField, wholeUnits } from "./rf.js";

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
 * A field that is no longer spatial: after a select or a permute, the tensor's axes no longer
 * follow the input's, so no per-axis size, jump or start is carried on (the report prints "—";
 * verify does not measure it, nor the layers after it). A global path stays global. The region
 * read stays: a global layer after it sees at most that region (an upper bound).
 */
export function notSpatialField(rf: ReceptiveField, reason: string): ReceptiveField {
  if (rf.whole) return rf;
  return { size: [], jump: [], start: [], global: rf.global, ...carry(rf), notSpatial: reason, axesLost: reason };
}

/** s as P/Q in lowest terms with Q ≤ 64, or undefined (no exact per-position fields then). */
function rational(s: number): [number, number] | undefined {
  for (let q = 1; q <= 64; q++) {
    const p = Math.round(s * q);
    if (p >= 1 && Math.abs(p / q - s) < 1e-9 * Math.max(1, s)) return [p / gcd(p, q), q / gcd(p, q)];
  }
  return undefined;
}

/**
 * Exact per-position fields after resampling by P/Q: unit o reads around the source
 * x = (o + ½)·Q/P − ½ = ((2o + 1)·Q − P) / 2P (PyTorch, align_corners=false): ⌊o·Q/P⌋ for
 * nearest, and where x is fractional the 2 (linear) or 4 (cubic) inputs around it. The pattern
 * repeats every P·L units (L old periods of Q units).
 */
function resamplePhases(p: FieldPhases, P: number, Q: number, taps: 1 | 2 | 4): FieldPhases | undefined {
  const L = p.period / gcd(p.period, Q);
  const reads = (o: number) => {
    if (taps === 1) return [Math.floor((o * Q) / P)];
    const num = (2 * o + 1) * Q - P, den = 2 * P, i = Math.floor(num / den);
    if (num - i * den === 0) return [i];
    return taps === 2 ? [i, i + 1] : [i - 1, i, i + 1, i + 2];
  };
  return mapUnits(p, P * L, (p.shift * Q * L) / p.period, reads);
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
 * by nearest or linear is rf.ts's upsampling; a rational scale P/Q (Q ≤ 64) maps the fields
 * per position exactly (the size is the widest); otherwise the recurrence's estimate stands.
 */
export function resampleField(rf: ReceptiveField, scale: readonly number[], out: readonly number[], taps: 1 | 2 | 4): ReceptiveField {
  if (rf.whole) return rf;
  if (taps <= 2 && scale.every((s) => Number.isInteger(s) && s >= 1)) return upsampleField(rf, scale, taps === 2);
  const size = [...rf.size], jump = [...rf.jump], start = [...rf.start];
  const phases = rf.size.map((_, a) => {
    const r = a < scale.length ? rational(scale[a]!) : [1, 1] as const;
    return r && resamplePhases(phasesOf(rf, a), r[0], r[1], taps);
  });
  scale.forEach((s, a) => {
    if (a >= size.length) return;
    const j = jump[a]!;
    if (taps > 1 && blends(s, out[a]!)) size[a] = size[a]! + (taps - 1) * j;
    start[a] = start[a]! + (0.5 / s - 0.5) * j;
    jump[a] = j / s;
  });
  const base = { size, jump, start, global: rf.global, ...(rf.whole === undefined ? {} : { whole: rf.whole }), ...carry(rf) };
  if (phases.some((p) => p === undefined)) return { ...base, size: wholeUnits(size) };
  // Fields that vary with the position, mapped exactly: the size is the widest phase's.
  const exact = phases as FieldPhases[];
  return { ...base, size: exact.map(phaseSize), phases: exact };
}
