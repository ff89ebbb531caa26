/**
 * Gradients that are zero almost everywhere. The receptive-field probe back-propagates one
 * unit's gradient, which is non-zero only on that unit's field in every tensor upstream; the
 * backward kernels visit only the non-zero part of dy and record where they wrote, and the
 * probe recycles its buffers (BufferPool), so a backward pass costs the size of the field
 * rather than the size of the tensors.
 *
 * What is skipped are products with exact zeros: with finite factors w·0 = 0, so every
 * element of a gradient gets the same sum of the same products, in the same order, as in a
 * pass over the whole tensor. Which elements are non-zero is read from the values
 * (`nonZero`); a kernel's record of where it wrote (`setRegion`) only spares the reading of
 * what it never touched. setSparseMode("check") (tests) verifies every such record, and
 * setSparseMode("full") visits every element, the reference both are tested against.
 */
import type { Float, Tensor } from "../tensor.js";
import { setRecycler, to3 } from "./util.js";

/**
 * Where a spatial tensor [N, C, ...S] is non-zero: for every row (each index but the last
 * axis, in memory order) the first and last non-zero index along the last axis (first > last
 * for an all-zero row), and for every (n, c) plane the bounding box of its non-zero elements
 * on the three axes of `to3`, as [d0, d1, h0, h1, w0, w1] (d0 > d1 for an all-zero plane).
 * NaN counts as non-zero.
 */
export interface NonZero {
  /** Spatial sizes as three axes (see `to3`). */
  readonly dims: readonly [number, number, number];
  readonly first: Int32Array;
  readonly last: Int32Array;
  readonly box: Int32Array;
}

/** Boxes, per plane, known to hold every non-zero element of a buffer (recorded by the kernel that wrote it). */
const regions = new WeakMap<Float, Int32Array>();

/**
 * "skip" (the default) visits the non-zero part only; "check" does too and verifies every
 * recorded region against the values; "full" visits every element, as if every element were
 * non-zero (the reference the other two are tested against).
 */
export type SparseMode = "skip" | "check" | "full";
let mode: SparseMode = "skip";

/** Sets the mode for every kernel (tests); returns the previous one. */
export function setSparseMode(m: SparseMode): SparseMode {
  const prev = mode;
  mode = m;
  return prev;
}

/**
 * Records that every non-zero element of t lies inside the per-plane boxes (as NonZero.box;
 * an empty plane has d0 > d1). Only for a zero-filled buffer the caller wrote, from the
 * bounds of its own loops.
 */
export function setRegion(t: Tensor, boxes: Int32Array): void {
  if (t.shape.length >= 3) regions.set(t.data, boxes);
}

/** Drops t's recorded region (its buffer was handed out and may have been written since). */
export function forgetRegion(t: Tensor): void {
  regions.delete(t.data);
}

/** Per-plane boxes, all empty, for `grow`. */
export function emptyBoxes(planes: number): Int32Array {
  const b = new Int32Array(planes * 6);
  for (let o = 0; o < b.length; o += 6) {
    b[o] = b[o + 2] = b[o + 4] = 0x7fffffff;
    b[o + 1] = b[o + 3] = b[o + 5] = -1;
  }
  return b;
}

/** Extends plane p's box to cover [d0, d1] × [h0, h1] × [w0, w1]. */
export function grow(b: Int32Array, p: number, d0: number, d1: number, h0: number, h1: number, w0: number, w1: number): void {
  const o = p * 6;
  if (d0 < b[o]!) b[o] = d0;
  if (d1 > b[o + 1]!) b[o + 1] = d1;
  if (h0 < b[o + 2]!) b[o + 2] = h0;
  if (h1 > b[o + 3]!) b[o + 3] = h1;
  if (w0 < b[o + 4]!) b[o + 4] = w0;
  if (w1 > b[o + 5]!) b[o + 5] = w1;
}

/**
 * The part of dy a backward kernel visits: its non-zero rows and plane boxes; every element
 * when `all` (the kernel's other factor is not finite, so a zero of dy does not give a zero
 * product) or in "full" mode.
 */
export function toVisit(dy: Tensor, all = false): NonZero {
  return nonZero(dy, all || mode === "full");
}

/**
 * The non-zero rows and plane boxes of t, read from its values (inside its recorded region,
 * when it has one); with `all`, every element counted as non-zero.
 */
export function nonZero(t: Tensor, all = false): NonZero {
  const dims = to3(t.shape.slice(2), 1);
  const [D, H, W] = dims;
  const planes = t.shape[0]! * t.shape[1]!;
  const first = new Int32Array(planes * D * H).fill(W), last = new Int32Array(planes * D * H).fill(-1);
  const box = emptyBoxes(planes);
  const region = all ? undefined : regions.get(t.data);
  if (region && mode === "check") checkRegion(t, region);
  const g = t.data;
  for (let p = 0; p < planes; p++) {
    const o = p * 6;
    const [rd0, rd1, rh0, rh1, rw0, rw1] = region ? region.subarray(o, o + 6) : [0, D - 1, 0, H - 1, 0, W - 1];
    for (let d = rd0!; d <= rd1!; d++) for (let h = rh0!; h <= rh1!; h++) {
      const r = (p * D + d) * H + h, base = r * W;
      let a = rw0!, b = rw1!;
      if (!all) {
        while (a <= rw1! && g[base + a] === 0) a++;
        if (a > rw1!) continue;
        while (g[base + b] === 0) b--;
      }
      first[r] = a;
      last[r] = b;
      grow(box, p, d, d, h, h, a, b);
    }
  }
  return { dims, first, last, box };
}

/** Throws when t has a non-zero element outside its recorded region (a kernel's bookkeeping is wrong). */
function checkRegion(t: Tensor, region: Int32Array): void {
  const [D, H, W] = to3(t.shape.slice(2), 1);
  const g = t.data;
  for (let i = 0; i < g.length; i++) {
    if (g[i] === 0) continue;
    const w = i % W, h = Math.floor(i / W) % H, d = Math.floor(i / (W * H)) % D, o = Math.floor(i / (W * H * D)) * 6;
    const inside = d >= region[o]! && d <= region[o + 1]! && h >= region[o + 2]! && h <= region[o + 3]! && w >= region[o + 4]! && w <= region[o + 5]!;
    if (!inside) throw new Error(`element ${i} of a [${t.shape.join(", ")}] gradient is non-zero outside the region its kernel recorded`);
  }
}

/** Whether every element is finite (a zero times a finite number is exactly zero; times ∞ or NaN it is NaN). */
export function allFinite(a: Float): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/**
 * Zero-filled buffers kept for reuse: the probe's backward passes allocate the same gradient
 * sizes again and again, and a buffer that was non-zero only on a small region is cleared
 * there much faster than a new one is allocated and zero-filled.
 */
export class BufferPool {
  private readonly free = new Map<number, Float[]>();
  private readonly kept = new WeakSet<Float>();

  private static key(like: Float, n: number): number {
    return n * 2 + (like instanceof Float64Array ? 1 : 0);
  }

  /** A zero-filled buffer of like's element type and length n, if one is kept. */
  take(like: Float, n: number): Float | undefined {
    const b = this.free.get(BufferPool.key(like, n))?.pop();
    if (b) this.kept.delete(b);
    return b;
  }

  /**
   * Keeps t's buffer for reuse, zero-filling it where it may be non-zero (its recorded region,
   * else everywhere). The caller must hold no other reference to the buffer, and must not have
   * written to it since its kernel did.
   */
  give(t: Tensor): void {
    const g = t.data;
    if (this.kept.has(g)) throw new Error("a buffer was given back twice");
    const region = regions.get(g);
    if (region) {
      if (mode === "check") checkRegion(t, region);
      const [D, H, W] = to3(t.shape.slice(2), 1);
      for (let p = 0, o = 0; o < region.length; p++, o += 6) {
        for (let d = region[o]!; d <= region[o + 1]!; d++) for (let h = region[o + 2]!; h <= region[o + 3]!; h++) {
          const base = ((p * D + d) * H + h) * W;
          g.fill(0, base + region[o + 4]!, base + region[o + 5]! + 1);
        }
      }
      regions.delete(g);
    } else g.fill(0);
    const k = BufferPool.key(g, g.length);
    const list = this.free.get(k);
    if (list) list.push(g);
    else this.free.set(k, [g]);
    this.kept.add(g);
  }

  /** Runs f with `alloc` taking its buffers from this pool first. */
  use<T>(f: () => T): T {
    const prev = setRecycler((like, n) => this.take(like, n));
    try {
      return f();
    } finally {
      setRecycler(prev);
    }
  }
}

/**
 * dx = dy · k[c] on channel c (no k: dx = dy) into a zero-filled dx of dy's shape, visiting
 * only dy's non-zero rows, and records dx's region. Every k must be finite (else 0 · k ≠ 0).
 */
export function copyNonZero(dy: Tensor, dx: Float, k?: readonly number[]): Tensor {
  const out: Tensor = { shape: [...dy.shape], data: dx };
  const nz = toVisit(dy);
  const [D, H, W] = nz.dims, C = dy.shape[1]!, g = dy.data;
  for (let p = 0; p < dy.shape[0]! * C; p++) {
    const o = p * 6, kc = k ? k[p % C]! : 1;
    for (let d = nz.box[o]!; d <= nz.box[o + 1]!; d++) for (let h = nz.box[o + 2]!; h <= nz.box[o + 3]!; h++) {
      const r = (p * D + d) * H + h, a = r * W + nz.first[r]!, b = r * W + nz.last[r]!;
      if (a > b) continue;
      if (k) for (let i = a; i <= b; i++) dx[i] = g[i]! * kc;
      else dx.set(g.subarray(a, b + 1), a);
    }
  }
  setRegion(out, nz.box);
  return out;
}

/** into += t, visiting only t's non-zero rows; into's recorded region (if any) grows to cover them. */
export function addNonZero(into: Tensor, t: Tensor): void {
  const nz = toVisit(t);
  const [D, H, W] = nz.dims, a = into.data, g = t.data, region = regions.get(a);
  for (let p = 0; p * 6 < nz.box.length; p++) {
    const o = p * 6;
    if (nz.box[o]! > nz.box[o + 1]!) continue;
    for (let d = nz.box[o]!; d <= nz.box[o + 1]!; d++) for (let h = nz.box[o + 2]!; h <= nz.box[o + 3]!; h++) {
      const r = (p * D + d) * H + h;
      for (let i = r * W + nz.first[r]!; i <= r * W + nz.last[r]!; i++) a[i]! += g[i]!;
    }
    if (region) grow(region, p, nz.box[o]!, nz.box[o + 1]!, nz.box[o + 2]!, nz.box[o + 3]!, nz.box[o + 4]!, nz.box[o + 5]!);
  }
}
