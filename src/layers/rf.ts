/**
 * Receptive-field steps (Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional
 * Neural Networks", Distill 2019). Per spatial axis: `size` r, `jump` j (input units between
 * adjacent output units), `start` (centre of the first output unit's field, input units).
 */
import type { ReceptiveField } from "../analysis/types.js";
import type { WindowGeometry } from "./geometry.js";

/** The field of a model input: each unit sees itself. */
export function inputField(axes: number): ReceptiveField {
  return { size: Array(axes).fill(1), jump: Array(axes).fill(1), start: Array(axes).fill(0), global: false };
}

/**
 * A sliding window (conv or pooling): r' = r + (Keff − 1)·j, j' = j·S,
 * start' = start + ((Keff − 1)/2 − Pb)·j (Araujo et al., eqs. for r, S and u).
 */
export function windowField(rf: ReceptiveField, geo: readonly WindowGeometry[]): ReceptiveField {
  if (rf.whole) return rf;
  const size = [...rf.size];
  const jump = [...rf.jump];
  const start = [...rf.start];
  geo.forEach((g, a) => {
    if (a >= size.length) return;
    const j = jump[a]!;
    size[a] = size[a]! + (g.effKernel - 1) * j;
    start[a] = start[a]! + ((g.effKernel - 1) / 2 - g.padBefore) * j;
    jump[a] = j * g.stride;
  });
  return { size, jump, start, global: rf.global, whole: rf.whole };
}

/**
 * Input positions one output unit of a transposed conv reads, at most: output o gathers input
 * i where i·S + t·D = o + Pb for a tap t in [0, K). The largest count over o (it repeats with
 * period S·D) sets the size; the unit centres sit at (o + Pb − (Keff − 1)/2)/S inputs.
 */
export function transposedSpan(k: number, s: number, d: number, padBefore: number): number {
  let best = 1;
  for (let o = 0; o < s * d; o++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < k; t++) {
      const x = o + padBefore - t * d;
      if (x % s !== 0) continue;
      lo = Math.min(lo, x / s);
      hi = Math.max(hi, x / s);
    }
    if (hi >= lo) best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** A transposed conv: the jump becomes j/S and the size the largest over output positions. */
export function transposedField(rf: ReceptiveField, axes: readonly { k: number; s: number; d: number; padBefore: number }[]): ReceptiveField {
  if (rf.whole) return rf;
  const size = [...rf.size];
  const jump = [...rf.jump];
  const start = [...rf.start];
  axes.forEach((x, a) => {
    if (a >= size.length) return;
    const j = jump[a]!;
    size[a] = size[a]! + (transposedSpan(x.k, x.s, x.d, x.padBefore) - 1) * j;
    start[a] = start[a]! + ((x.padBefore - (effective(x.k, x.d) - 1) / 2) / x.s) * j;
    jump[a] = j / x.s;
  });
  return { size, jump, start, global: rf.global, whole: rf.whole };
}

function effective(k: number, d: number): number {
  return d * (k - 1) + 1;
}

/**
 * Upsampling by S: output o reads source (o + ½)/S − ½ (PyTorch, align_corners=false), one
 * input for `nearest`, two neighbours for the linear modes.
 */
export function upsampleField(rf: ReceptiveField, scale: readonly number[], linear: boolean): ReceptiveField {
  if (rf.whole) return rf;
  const size = [...rf.size];
  const jump = [...rf.jump];
  const start = [...rf.start];
  scale.forEach((s, a) => {
    if (a >= size.length) return;
    const j = jump[a]!;
    if (linear && s > 1) size[a] = size[a]! + j;
    start[a] = start[a]! + (0.5 / s - 0.5) * j;
    jump[a] = j / s;
  });
  return { size, jump, start, global: rf.global, whole: rf.whole };
}

/**
 * A path that sees the whole input (global or adaptive-to-1 pooling, dense): the input's extent.
 * It stays the extent through later windows, transposed convs and upsampling (a 3x3 conv or a
 * bilinear upsample of a pooled [C, 1, 1] map sees no more than the whole input).
 */
export function globalField(extent: readonly number[]): ReceptiveField {
  return {
    size: [...extent],
    jump: [...extent],
    start: extent.map((n) => (n - 1) / 2),
    global: true,
    whole: true,
  };
}

/**
 * A merge: the largest field over its operands that have a local part; operands that see the
 * whole input only through a global path just set `global` (a squeeze-and-excitation gate). A
 * local field already marked global (after such a gate) keeps competing on size, so a residual
 * add around an SE block reports the gated path's field. Returns the disagreement, if any.
 */
export function mergeFields(fields: readonly ReceptiveField[]): { rf: ReceptiveField; misaligned?: string } {
  const local = fields.filter((f) => !(f.global && f.whole === true));
  const anyGlobal = fields.some((f) => f.global);
  if (local.length === 0) return { rf: fields[0]! };
  const axes = Math.min(...local.map((f) => f.size.length));
  const size: number[] = [];
  const jump: number[] = [];
  const start: number[] = [];
  const problems: string[] = [];
  for (let a = 0; a < axes; a++) {
    const widest = local.reduce((b, f) => (f.size[a]! > b.size[a]! ? f : b));
    size.push(widest.size[a]!);
    jump.push(widest.jump[a]!);
    start.push(widest.start[a]!);
    // Rounded so that fractions reached along different paths (1/3 + 1/3 vs 2/3) compare equal.
    const jumps = new Set(local.map((f) => round(f.jump[a]!)));
    const starts = new Set(local.map((f) => round(f.start[a]!)));
    if (jumps.size > 1) problems.push(`axis ${a}: jumps ${[...jumps].join(" vs ")}`);
    if (starts.size > 1) problems.push(`axis ${a}: centres ${[...starts].join(" vs ")}`);
  }
  const rf = { size, jump, start, global: anyGlobal };
  return problems.length > 0 ? { rf, misaligned: problems.join("; ") } : { rf };
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
