/**
 * Host-side preparation shared by the wasm convolution and GEMM entries: geometry normalized to
 * three spatial axes, packed weights, descriptors and the split of work across threads.
 */
import { D, DESC_BYTES, type GemmConfig } from "./gemm_codegen.js";

/** Convolution geometry over exactly three spatial axes (leading axes of size 1 added). */
export interface Geometry3 {
  readonly n: number;
  readonly cin: number;
  readonly cout: number;
  readonly groups: number;
  readonly s: readonly [number, number, number];
  readonly k: readonly [number, number, number];
  readonly o: readonly [number, number, number];
  readonly stride: readonly [number, number, number];
  readonly pad: readonly [number, number, number];
  readonly dil: readonly [number, number, number];
}

function three(v: readonly number[], fill: number): [number, number, number] {
  const r = [fill, fill, fill];
  for (let i = 0; i < v.length; i++) r[3 - v.length + i] = v[i]!;
  return r as [number, number, number];
}

/**
 * Normalizes a 1-D to 3-D convolution; output size per axis by sliding the dilated window over
 * the padded input, floor((S + before + after − D·(K−1) − 1) / stride) + 1 (Dumoulin & Visin §2).
 */
export function geometry3(
  xShape: readonly number[], wShape: readonly number[],
  p: { stride: readonly number[]; padBefore: readonly number[]; padAfter: readonly number[]; dilation: readonly number[]; groups: number },
): Geometry3 {
  const s = three(xShape.slice(2), 1);
  const k = three(wShape.slice(2), 1);
  const stride = three(p.stride, 1);
  const pad = three(p.padBefore, 0);
  const after = three(p.padAfter, 0);
  const dil = three(p.dilation, 1);
  const o = [0, 1, 2].map((i) => {
    const span = s[i]! + pad[i]! + after[i]! - dil[i]! * (k[i]! - 1) - 1;
    return span < 0 ? 0 : Math.floor(span / stride[i]!) + 1;
  }) as [number, number, number];
  return { n: xShape[0]!, cin: xShape[1]!, cout: wShape[0]!, groups: p.groups, s, k, o, stride, pad, dil };
}

/**
 * Packs rows [m0, m0+M) of the row-major M×K matrix `w` (row stride K, offset `off`) into
 * MR-row panels, k-major within a panel, rows past M zero: panel r at r·K floats.
 */
export function packA(dst: Float32Array, at: number, w: ArrayLike<number>, off: number, m: number, k: number, mr: number): void {
  for (let ir = 0; ir < m; ir += mr) {
    const rows = Math.min(mr, m - ir);
    const base = at + ir * k;
    for (let r = 0; r < mr; r++) {
      if (r >= rows) {
        for (let kk = 0; kk < k; kk++) dst[base + kk * mr + r] = 0;
        continue;
      }
      const src = off + (ir + r) * k;
      for (let kk = 0; kk < k; kk++) dst[base + kk * mr + r] = w[src + kk]!;
    }
  }
}

/** Panels' footprint in floats for M rows of depth K. */
export function packedASize(m: number, k: number, mr: number): number {
  return Math.ceil(m / mr) * mr * k;
}

/** Fields of one GEMM descriptor (absent fields are zero). */
export type GemmDesc = Partial<Record<keyof typeof D, number>>;

/** Writes a descriptor at byte address `at`. */
export function writeDesc(i32: Int32Array, at: number, d: GemmDesc): void {
  i32.fill(0, at >> 2, (at + DESC_BYTES) >> 2);
  for (const [name, v] of Object.entries(d)) i32[(at >> 2) + D[name as keyof typeof D]] = v;
}

/** One thread's share of a GEMM: output columns [n0, n1) of rows [m0, m1). */
export interface Share {
  readonly m0: number;
  readonly m1: number;
  readonly n0: number;
  readonly n1: number;
}

/**
 * Splits an M×N output among up to `threads` threads: by columns (multiples of NR) when there
 * are enough, else by rows (multiples of MR); one share when the work is too small to pay.
 */
export function split(m: number, n: number, k: number, threads: number, cfg: GemmConfig, minMacs: number): Share[] {
  if (threads <= 1 || m * n * k < minMacs) return [{ m0: 0, m1: m, n0: 0, n1: n }];
  const out: Share[] = [];
  if (n >= threads * 8 * cfg.nr || m < threads * cfg.mr * 2) {
    const step = Math.ceil(n / threads / cfg.nr) * cfg.nr;
    for (let n0 = 0; n0 < n; n0 += step) out.push({ m0: 0, m1: m, n0, n1: Math.min(n, n0 + step) });
  } else {
    const step = Math.ceil(m / threads / cfg.mr) * cfg.mr;
    for (let m0 = 0; m0 < m; m0 += step) out.push({ m0, m1: Math.min(m, m0 + step), n0: 0, n1: n });
  }
  return out;
}
