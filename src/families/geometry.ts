/**
 * One window geometry for everything that slides a window: conv, pooling, their costs and
 * receptive fields. Rules follow Dumoulin & Visin, "A guide to convolution arithmetic for
 * deep learning" (2016), with TensorFlow's `same` and PyTorch's ceil mode.
 */
import type { ArgValue } from "./schema.js";

/** Padding of one axis as written: a size, a [before, after] pair, or a word. */
export type PadSpec = number | readonly [number, number] | "same" | "valid" | "full";

export interface WindowGeometry {
  /** Input size along the axis. */
  readonly n: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  /** D·(K − 1) + 1: the span of a dilated kernel. */
  readonly effKernel: number;
  readonly padBefore: number;
  readonly padAfter: number;
  /** Output size (≤ 0 when the kernel does not fit; callers report it). */
  readonly out: number;
  /** (N + Pb + Pa − Keff)/S + 1 as a real: the value floor (or ceil) rounds. */
  readonly exact: number;
  /** Input rows after the last window that no window reads (beyond a stride's regular gaps). */
  readonly dropped: number;
  readonly ceil: boolean;
}

/** D·(K − 1) + 1 (Dumoulin & Visin, §5.1). */
export function effectiveKernel(k: number, d: number): number {
  return d * (k - 1) + 1;
}

/**
 * Pads before and after. `same` is TensorFlow's: out = ceil(N/S), total padding
 * max(0, (out − 1)·S + Keff − N), the odd unit after; `full` is Keff − 1 on both sides.
 */
export function resolvePads(pad: PadSpec, n: number, keff: number, s: number): [number, number] {
  if (pad === "valid") return [0, 0];
  if (pad === "full") return [keff - 1, keff - 1];
  if (pad === "same") {
    const out = Math.ceil(n / s);
    const total = Math.max(0, (out - 1) * s + keff - n);
    const before = Math.floor(total / 2);
    return [before, total - before];
  }
  if (typeof pad === "number") return [pad, pad];
  return [pad[0], pad[1]];
}

/**
 * Geometry of a window sliding over one axis. Output size is
 * floor((N + Pb + Pa − Keff)/S) + 1; with `ceil` it rounds up, but as in PyTorch a last
 * window that would start inside the right padding is dropped.
 */
export function windowGeometry(n: number, k: number, s: number, pad: PadSpec, d = 1, ceil = false): WindowGeometry {
  const effKernel = effectiveKernel(k, d);
  const [padBefore, padAfter] = resolvePads(pad, n, effKernel, s);
  const span = n + padBefore + padAfter - effKernel;
  const exact = span / s + 1;
  let out = span < 0 ? 0 : Math.floor(span / s) + 1;
  if (ceil) {
    // PyTorch's ceil mode, also for a window wider than the padded input (span < 0): one
    // output when ceil(span/S) = 0, its window clipped to the input; none below.
    out = Math.max(0, Math.ceil(span / s) + 1);
    if (out > 0 && (out - 1) * s >= n + padBefore) out -= 1;
  }
  // The last window ends at input index (out − 1)·S − Pb + Keff − 1. When Keff < S every
  // window is followed by S − Keff unread rows by design; only rows beyond that are "dropped".
  const lastRead = (out - 1) * s - padBefore + effKernel - 1;
  const dropped = out > 0 ? Math.max(0, n - 1 - lastRead - Math.max(0, s - effKernel)) : 0;
  return { n, kernel: k, stride: s, dilation: d, effKernel, padBefore, padAfter, out, exact, dropped, ceil };
}

/**
 * Transposed convolution along one axis (Dumoulin & Visin, §4):
 * out = (N − 1)·S − Pb − Pa + D·(K − 1) + output_padding + 1.
 */
export function transposedSize(n: number, k: number, s: number, pads: readonly [number, number], d: number, outputPadding: number): number {
  return (n - 1) * s - pads[0] - pads[1] + effectiveKernel(k, d) + outputPadding;
}

/** A padding argument resolved per axis: a size, a pair or a word for all axes, or a list with one per axis. */
export function padPerAxis(v: ArgValue | undefined, dims: number): PadSpec[] | string {
  if (v === undefined || v === null) return Array(dims).fill(0) as PadSpec[];
  if (typeof v === "number") return Array(dims).fill(v) as PadSpec[];
  if (v === "same" || v === "valid" || v === "full") return Array(dims).fill(v) as PadSpec[];
  if (!Array.isArray(v)) return "not a padding";
  if (v.length !== dims) return `${v.length}`;
  return v.map((x) => (Array.isArray(x) ? ([x[0], x[1]] as [number, number]) : (x as number)));
}

/** "row" for height, "column" for width, "frame" for depth, "position" for a 1-D axis. */
export function axisNoun(axis: number, dims: number): string {
  if (dims === 1) return "position";
  const names = dims === 2 ? ["row", "column"] : ["frame", "row", "column"];
  return names[axis] ?? "position";
}

/** Axis names for messages: L; H, W; D, H, W. */
export function axisName(axis: number, dims: number): string {
  const names = dims === 1 ? ["L"] : dims === 2 ? ["H", "W"] : ["D", "H", "W"];
  return names[axis] ?? `axis ${axis}`;
}

/** 14.5, 14.33, 14.0: the exact quotient with up to two decimals and at least one. */
export function showExact(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}
