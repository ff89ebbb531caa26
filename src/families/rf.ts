/**
 * Receptive-field steps (Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional
 * Neural Networks", Distill 2019). Per spatial axis: `size` r, `jump` j (input units between
 * adjacent output units), `start` (centre of the first output unit's field, input units).
 */
import type { FieldPhases, ReceptiveField } from "./field.js";
import { axisName, type WindowGeometry } from "./geometry.js";
import { fieldAt, gcd, phaseSize, phasesOf, transposedPhases, unionPhases, upsamplePhases, windowPhases } from "./phases.js";
import { maxOf, minOf } from "../util/array.js";

/**
 * `rf` with exact per-position sizes from `phases` (one per axis; any missing: the
 * recurrence's estimate stands, in whole input units, and the phases are dropped).
 */
export function withPhases(rf: ReceptiveField, phases: readonly (FieldPhases | undefined)[]): ReceptiveField {
  if (phases.some((p) => p === undefined)) return { size: wholeUnits(rf.size), jump: rf.jump, start: rf.start, global: rf.global, whole: rf.whole, ...carry(rf) };
  const exact = phases as FieldPhases[];
  return { ...rf, size: rf.size.map((s, a) => (a < exact.length ? phaseSize(exact[a]!) : s)), phases: exact };
}

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
  const read = droppedRead(rf, geo);
  geo.forEach((g, a) => {
    if (a >= size.length) return;
    const j = jump[a]!;
    size[a] = size[a]! + (g.effKernel - 1) * j;
    start[a] = start[a]! + ((g.effKernel - 1) / 2 - g.padBefore) * j;
    jump[a] = j * g.stride;
  });
  const out = { size, jump, start, global: rf.global, whole: rf.whole, ...(read ? { read } : {}) };
  // After a transposed conv or upsample, fields vary with the position: map them exactly.
  if (!rf.phases) return { ...out, size: wholeUnits(size) };
  return withPhases(out, geo.slice(0, size.length).map((g, a) => windowPhases(phasesOf(rf, a), g.kernel, g.stride, g.dilation, g.padBefore)));
}

/**
 * The first and last input unit along an axis that some tap of some window reads, padding
 * excluded: window o's taps sit at o·S − Pb + t·D for t in [0, K). Undefined when every tap
 * lands in padding.
 */
export function readSpan(g: WindowGeometry): [number, number] | undefined {
  let first = Infinity, last = -Infinity;
  for (let t = 0; t < g.kernel; t++) {
    const at = t * g.dilation - g.padBefore;
    // The lowest window whose tap t is at or after unit 0, and the highest at or before N − 1.
    const lo = Math.max(0, Math.ceil(-at / g.stride)), hi = Math.min(g.out - 1, Math.floor((g.n - 1 - at) / g.stride));
    if (lo > hi) continue;
    first = Math.min(first, lo * g.stride + at);
    last = Math.max(last, hi * g.stride + at);
  }
  return first <= last ? [first, last] : undefined;
}

/**
 * The input region a window layer's output depends on, where its windows never read the
 * first or the last units of an axis (rows dropped after the last window, or the first and
 * last units falling in a stride or dilation gap next to the padding): from the first unit
 * read's field's near end to the last unit read's far end, within the region its input
 * already had. Undefined when every axis is read from end to end (the input's region stands;
 * undefined is the whole input).
 */
function droppedRead(rf: ReceptiveField, geo: readonly WindowGeometry[]): ReceptiveField["read"] {
  const spans = geo.map((g, a) => (a < rf.size.length ? readSpan(g) : undefined));
  const narrowed = (a: number) => {
    const s = spans[a], n = geo[a]!.n;
    return s !== undefined && (s[0] > 0 || s[1] < n - 1);
  };
  if (!geo.some((_, a) => narrowed(a))) return rf.read;
  return rf.size.map((_, a) => {
    const [lo, hi] = rf.read?.[a] ?? [-Infinity, Infinity];
    if (a >= geo.length || !narrowed(a)) return [lo, hi] as const;
    const [first, last] = spans[a]!;
    const ph = phasesOf(rf, a);
    return [Math.max(lo, Math.ceil(fieldAt(ph, first)[0] - 1e-9)), Math.min(hi, Math.floor(fieldAt(ph, last)[1] + 1e-9))] as const;
  });
}

/** The `read` region of `rf`, to keep on a field derived from it. */
export function carry(rf: ReceptiveField): { read?: ReceptiveField["read"] } {
  return rf.read ? { read: rf.read } : {};
}

/**
 * Input positions one output unit of a transposed conv reads, at most: output o gathers input
 * i where i·S + t·D = o + Pb for a tap t in [0, K). With g = gcd(D, S), the taps that land on
 * an input for a given o are every (S/g)-th, t ≡ t0 (mod S/g), and every residue t0 occurs for
 * some o; so the most taps one unit gets is ceil(K·g/S), and consecutive ones are D/g inputs
 * apart. The unit centres sit at (o + Pb − (Keff − 1)/2)/S inputs.
 */
export function transposedSpan(k: number, s: number, d: number): number {
  const g = gcd(d, s);
  const taps = Math.ceil((k * g) / s);
  return (taps - 1) * (d / g) + 1;
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
    size[a] = size[a]! + (transposedSpan(x.k, x.s, x.d) - 1) * j;
    start[a] = start[a]! + ((x.padBefore - (effective(x.k, x.d) - 1) / 2) / x.s) * j;
    jump[a] = j / x.s;
  });
  const out = { size, jump, start, global: rf.global, whole: rf.whole, ...carry(rf) };
  return withPhases(out, axes.slice(0, size.length).map((x, a) => transposedPhases(phasesOf(rf, a), x.k, x.s, x.d, x.padBefore)));
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
  const out = { size, jump, start, global: rf.global, whole: rf.whole, ...carry(rf) };
  return withPhases(out, scale.slice(0, size.length).map((s, a) => (Number.isInteger(s) ? upsamplePhases(phasesOf(rf, a), s, linear) : undefined)));
}

/**
 * The input region, [lo, hi] per spatial axis, that a tensor depends on: the whole input,
 * less the last rows that strided windows on the way never read (`read`, kept by every layer
 * since the first one that dropped some).
 */
function readRegion(rf: ReceptiveField, extent: readonly number[]): [number, number][] {
  return extent.map((n, a) => {
    const [lo, hi] = rf.read?.[a] ?? [0, n - 1];
    return [Math.max(0, lo), Math.min(n - 1, hi)];
  });
}

/**
 * A path that sees everything its input tensor depends on (global or adaptive-to-1 pooling,
 * dense, layer norm): that region of the input — the whole input unless strided layers before
 * it never read its last rows. It stays so through later windows, transposed convs and
 * upsampling (a 3x3 conv or a bilinear upsample of a pooled [C, 1, 1] map sees no more).
 */
export function globalField(extent: readonly number[], read: readonly (readonly [number, number])[] = extent.map((n) => [0, n - 1])): ReceptiveField {
  return {
    size: read.map(([lo, hi]) => Math.max(0, hi - lo + 1)),
    jump: [...extent],
    start: read.map(([lo, hi]) => (lo + hi) / 2),
    global: true,
    whole: true,
    read: read.map(([lo, hi]) => [lo, hi] as const),
  };
}

/**
 * A layer each of whose output units reads its whole input along some spatial axes (a layer
 * norm or a softmax over them: every output depends on the statistics of the whole axis).
 * Along each such axis every unit sees the same region, the rows the input tensor depends on
 * ([lo, hi], the whole input unless strided layers dropped rows): size hi − lo + 1, centre
 * (lo + hi)/2 and jump 0, as adjacent units' fields coincide. Later steps then keep it: a window
 * adds (K − 1)·0 and shifts the centre by 0 (Araujo et al.'s recurrence with j = 0), and an
 * upsample or transposed conv divides a jump of 0. `axes` are spatial indices (0 = first spatial axis).
 */
export function wholeAlongAxes(x: { readonly rf: ReceptiveField }, extent: readonly number[], axes: readonly number[]): ReceptiveField {
  const rf = x.rf;
  if (rf.whole || axes.length === 0) return rf;
  const region = readRegion(rf, extent);
  const along = (a: number) => axes.includes(a) && a < rf.size.length;
  const size = rf.size.map((v, a) => (along(a) ? Math.max(0, region[a]![1] - region[a]![0] + 1) : v));
  const start = rf.start.map((v, a) => (along(a) ? (region[a]![0] + region[a]![1]) / 2 : v));
  const jump = rf.jump.map((v, a) => (along(a) ? 0 : v));
  const out: ReceptiveField = { size, jump, start, global: rf.global, ...(rf.whole === undefined ? {} : { whole: rf.whole }), ...carry(rf) };
  if (!rf.phases) return out;
  return { ...out, phases: rf.phases.map((p, a) => (along(a) ? { period: 1, shift: 0, lo: [region[a]![0]], hi: [region[a]![1]] } : p)) };
}

/** The field of a layer that pools or mixes its whole input tensor `x`. */
export function wholeTensorField(x: { readonly rf: ReceptiveField }, extent: readonly number[]): ReceptiveField {
  return globalField(extent, readRegion(x.rf, extent));
}

/**
 * A merge: the largest field over its operands that have a local part (their union when the
 * operands share a jump but not a centre, exact per position after transposed convs). Operands
 * that see the whole input only through a global path just set `global` (a squeeze-and-
 * excitation gate); a local field already marked global (after such a gate) keeps competing on
 * size, so a residual add around an SE block reports the gated path's field. Returns the
 * disagreement, if any, for a warning. `union: false` (a concat along a spatial axis, where each
 * position comes from one operand) takes the widest field and never the union.
 */
export function mergeFields(all: readonly ReceptiveField[], union = true): { rf: ReceptiveField; misaligned?: string } {
  // A param or buffer operand depends on no input position: the other operands decide.
  const fields = all.some((f) => !f.constant) ? all.filter((f) => !f.constant) : all.slice(0, 1);
  const local = fields.filter((f) => !(f.global && f.whole === true));
  const anyGlobal = fields.some((f) => f.global);
  if (local.length === 0) {
    // Only global paths: the union of the regions they read.
    const read = unionRead(fields);
    return { rf: read ? globalField(fields[0]!.jump, read) : fields[0]! };
  }
  const axes = minOf(local.map((f) => f.size.length));
  const size: number[] = [];
  const jump: number[] = [];
  const start: number[] = [];
  const problems: string[] = [];
  const phases: FieldPhases[] = [];
  for (let a = 0; a < axes; a++) {
    // An operand that sees the whole axis at every unit (jump 0, after a layer norm or softmax
    // over it) makes every merged unit see it whole: their hull, jump 0, nothing to disagree on.
    const flat = local.filter((f) => f.jump[a] === 0);
    if (flat.length > 0) {
      const lo = minOf(flat.map((f) => f.start[a]! - (f.size[a]! - 1) / 2));
      const hi = maxOf(flat.map((f) => f.start[a]! + (f.size[a]! - 1) / 2));
      size.push(round(hi - lo + 1));
      start.push(round((lo + hi) / 2));
      jump.push(0);
      phases.push({ period: 1, shift: 0, lo: [lo], hi: [hi] });
      continue;
    }
    // Rounded so that fractions reached along different paths (1/3 + 1/3 vs 2/3) compare equal.
    const jumps = new Set(local.map((f) => round(f.jump[a]!)));
    const starts = new Set(local.map((f) => round(f.start[a]!)));
    const widest = local.reduce((b, f) => (f.size[a]! > b.size[a]! ? f : b));
    jump.push(widest.jump[a]!);
    const phased = local.some((f) => f.phases !== undefined);
    const exact = union && phased && jumps.size === 1 ? unionPhases(local.map((f) => phasesOf(f, a))) : undefined;
    if (exact) phases.push(exact);
    if (union && jumps.size === 1 && starts.size > 1) {
      // One grid, shifted centres (e.g. a causal and an anti-causal path): a unit depends on the
      // union of the fields, [min lo, max hi]; when one field holds the others it is the widest.
      const lo = minOf(local.map((f) => f.start[a]! - (f.size[a]! - 1) / 2));
      const hi = maxOf(local.map((f) => f.start[a]! + (f.size[a]! - 1) / 2));
      size.push(round(hi - lo + 1));
      start.push(round((lo + hi) / 2));
    } else {
      size.push(widest.size[a]!);
      start.push(widest.start[a]!);
    }
    // Named as the other shape diagnostics do ("along H"): in the language axis 0 is the channels.
    const along = axisName(a, axes);
    if (jumps.size > 1) problems.push(`${along}: jumps ${[...jumps].join(" vs ")}`);
    if (starts.size > 1) problems.push(`${along}: centres ${[...starts].join(" vs ")}`);
  }
  const read = unionRead(fields);
  const merged = { size, jump, start, global: anyGlobal, ...(read ? { read } : {}) };
  // Fields that vary with the position merge exactly, phase by phase.
  const rf = phases.length === axes && axes > 0 ? withPhases(merged, phases) : merged;
  return problems.length > 0 ? { rf, misaligned: problems.join("; ") } : { rf };
}

/** The union of the regions merged fields read; undefined (the whole input) if any reads it all. */
function unionRead(fields: readonly ReceptiveField[]): ReceptiveField["read"] {
  const reads = fields.map((f) => f.read);
  if (reads.length === 0 || reads.some((r) => r === undefined)) return undefined;
  return reads[0]!.map((_, a) => [minOf(reads.map((r) => r![a]![0])), maxOf(reads.map((r) => r![a]![1]))] as const);
}

/**
 * Sizes in whole input units. The recurrence adds (K − 1)·j, fractional when the jump is (after
 * a transposed conv, a resample or an adaptive pooling whose phases were too long to map); a
 * field holds whole pixels, so an estimate is rounded up. Whole sizes pass unchanged.
 */
export function wholeUnits(size: readonly number[]): number[] {
  return size.map((s) => Math.ceil(round(s)));
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
