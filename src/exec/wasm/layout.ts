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

/** Bytes per work counter: one cache line each, so threads do not share lines. */
export const COUNTER_BYTES = 64;

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

/** One thread's share of a GEMM: rows [m0, m1), columns claimed from counter `ctr` (an index). */
export interface Share {
  readonly m0: number;
  readonly m1: number;
  readonly ctr: number;
}

/** How a GEMM's output is divided among threads, and how many columns a thread claims at a time. */
export interface Split {
  readonly shares: readonly Share[];
  readonly grab: number;
}

/**
 * Splits an M×N output among up to `threads` threads: by columns when there are enough (all
 * threads claim blocks from one counter, about six per thread, so the faster one takes more),
 * else by rows (multiples of MR, one counter each); one share when the work is too small to pay.
 */
export function split(m: number, n: number, k: number, threads: number, cfg: GemmConfig, minMacs: number): Split {
  if (threads <= 1 || m * n * k < minMacs) return { shares: [{ m0: 0, m1: m, ctr: 0 }], grab: cfg.nc };
  if (n >= threads * 8 * cfg.nr || m < threads * cfg.mr * 2) {
    const grab = Math.min(cfg.nc, Math.max(cfg.nr, Math.ceil(n / (threads * 6) / cfg.nr) * cfg.nr));
    return { shares: Array.from({ length: threads }, () => ({ m0: 0, m1: m, ctr: 0 })), grab };
  }
  const step = Math.ceil(m / threads / cfg.mr) * cfg.mr;
  const shares: Share[] = [];
  for (let m0 = 0; m0 < m; m0 += step) shares.push({ m0, m1: Math.min(m, m0 + step), ctr: shares.length });
  return { shares, grab: cfg.nc };
}
