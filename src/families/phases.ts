/**
 * Exact receptive fields where they vary with the position. After a transposed conv or an
 * upsample, neighbouring units read different numbers of inputs (a 2×2/2 transposed conv gives
 * unit pairs with the same field), so Araujo et al.'s fractional-jump recurrence is only an
 * estimate for the layers that follow; here every unit's field is an interval that repeats with
 * a period, and each layer maps the intervals of the units it reads. Units before the start of
 * an axis are extrapolated from the pattern, as the recurrence does for padding.
 */
import type { FieldPhases, ReceptiveField } from "./field.js";
import { maxOf, minOf } from "../util/array.js";

/** Periods beyond this are dropped (the recurrence's estimate is kept). */
const MAX_PERIOD = 4096;
/** Nor are maps that would read more than this many units in all (huge kernels). */
const MAX_READS = 1 << 22;

/** The phases of one axis: stored, or the regular grid of size, jump and start. */
export function phasesOf(rf: ReceptiveField, a: number): FieldPhases {
  const stored = rf.phases?.[a];
  if (stored) return stored;
  const half = (rf.size[a]! - 1) / 2;
  return { period: 1, shift: rf.jump[a]!, lo: [rf.start[a]! - half], hi: [rf.start[a]! + half] };
}

/** Unit u's field [lo, hi] (empty when lo > hi: a unit that reads no input). */
export function fieldAt(p: FieldPhases, u: number): [number, number] {
  const q = Math.floor(u / p.period);
  const r = u - q * p.period;
  return [p.lo[r]! + q * p.shift, p.hi[r]! + q * p.shift];
}

/**
 * The widest field over the phases: 0 when no unit reads any input (a stride-2 window that
 * reads only the zeros a transposed conv inserted: the output is the bias alone).
 */
export function phaseSize(p: FieldPhases): number {
  let best = 0;
  for (let r = 0; r < p.period; r++) if (p.hi[r]! >= p.lo[r]!) best = Math.max(best, p.hi[r]! - p.lo[r]! + 1);
  return round(best);
}

/** Each new unit v reads the old units `reads(v)`; its field is their union. */
export function mapUnits(p: FieldPhases, period: number, shift: number, reads: (v: number) => number[]): FieldPhases | undefined {
  if (period > MAX_PERIOD) return undefined;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let v = 0; v < period; v++) {
    let l = Infinity;
    let h = -Infinity;
    for (const u of reads(v)) {
      const [a, b] = fieldAt(p, u);
      if (b < a) continue;
      l = Math.min(l, a);
      h = Math.max(h, b);
    }
    lo.push(l);
    hi.push(h);
  }
  return reduce({ period, shift, lo, hi });
}

/** A sliding window: unit v reads v·S − Pb + t·D for taps t < K. */
export function windowPhases(p: FieldPhases, k: number, s: number, d: number, padBefore: number): FieldPhases | undefined {
  const g = gcd(p.period, s);
  if ((p.period / g) * k > MAX_READS) return undefined;
  const taps = (v: number) => Array.from({ length: k }, (_, t) => v * s - padBefore + t * d);
  return mapUnits(p, p.period / g, (p.shift * s) / g, taps);
}

/** A transposed conv: output o reads input i where i·S + t·D = o + Pb for a tap t < K. */
export function transposedPhases(p: FieldPhases, k: number, s: number, d: number, padBefore: number): FieldPhases | undefined {
  if (p.period * s > MAX_PERIOD || p.period * s * k > MAX_READS) return undefined;
  const reads = (o: number) => {
    const out: number[] = [];
    for (let t = 0; t < k; t++) {
      const x = o + padBefore - t * d;
      if (((x % s) + s) % s === 0) out.push(x / s);
    }
    return out;
  };
  return mapUnits(p, p.period * s, p.shift, reads);
}

/**
 * Adaptive pooling from N to O units (PyTorch): unit v reads [floor(v·N/O), ceil((v+1)·N/O)).
 * Windows repeat every O/g units shifted by N/g inputs (g = gcd(N, O)); k such blocks also
 * repeat the input's pattern when k·N/g is a multiple of its period.
 */
export function adaptivePhases(p: FieldPhases, n: number, o: number): FieldPhases | undefined {
  const g = gcd(n, o);
  const k = p.period / gcd(p.period, n / g);
  const period = (k * o) / g;
  if (period > MAX_PERIOD || period * (Math.ceil(n / o) + 1) > MAX_READS) return undefined;
  const reads = (v: number) => {
    const lo = Math.floor((v * n) / o), hi = Math.ceil(((v + 1) * n) / o);
    return Array.from({ length: hi - lo }, (_, t) => lo + t);
  };
  return mapUnits(p, period, (p.shift * k * n) / g / p.period, reads);
}

/**
 * Upsampling by an integer S (PyTorch, align_corners=false): nearest reads floor(o/S); the
 * linear modes read floor(x) and, when its weight is not zero, floor(x) + 1, x = (o + ½)/S − ½.
 */
export function upsamplePhases(p: FieldPhases, s: number, linear: boolean): FieldPhases | undefined {
  const reads = (o: number) => {
    if (!linear) return [Math.floor(o / s)];
    const x = (o + 0.5) / s - 0.5;
    const i = Math.floor(x);
    return x > i ? [i, i + 1] : [i];
  };
  return mapUnits(p, p.period * s, p.shift, reads);
}

/** The union of fields on one grid, phase by phase over the least common period. */
export function unionPhases(ps: readonly FieldPhases[]): FieldPhases | undefined {
  const period = ps.reduce((l, p) => (l * p.period) / gcd(l, p.period), 1);
  const shift = (ps[0]!.shift / ps[0]!.period) * period;
  if (period > MAX_PERIOD) return undefined;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let v = 0; v < period; v++) {
    const f = ps.map((p) => fieldAt(p, v)).filter(([a, b]) => b >= a);
    lo.push(minOf(f.map(([a]) => a)));
    hi.push(maxOf(f.map(([, b]) => b)));
  }
  return reduce({ period, shift, lo, hi });
}

/** The same pattern with the shortest period that repeats it. */
function reduce(p: FieldPhases): FieldPhases {
  for (let q = 1; q < p.period; q++) {
    if (p.period % q !== 0) continue;
    const step = (p.shift * q) / p.period;
    let ok = true;
    for (let r = q; r < p.period && ok; r++) {
      ok = same(p.lo[r]!, p.lo[r - q]! + step) && same(p.hi[r]!, p.hi[r - q]! + step);
    }
    if (ok) return { period: q, shift: step, lo: p.lo.slice(0, q), hi: p.hi.slice(0, q) };
  }
  return p;
}

function same(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) < 1e-9;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
