/**
 * The fast convolution behind the kernel-dispatch interface: depthwise convolutions run the
 * direct kernel, every other one im2col + the register-tiled GEMM (with a copy-only im2col
 * for unpadded stride-1 1×1 convolutions); both split their work units across threads when
 * the layer is large enough to pay for it.
 */
import type { ConvGeometry, ConvImpl, MacCounter } from "../kernels/api.js";
import type { Tensor } from "../tensor.js";
import type { ConvJob } from "./gemm.js";
import { packWeights } from "./gemm.js";
import type { DwJob } from "./depthwise.js";
import { fastThreads, runUnits } from "./pool.js";

/** Depth block of the GEMM: a 3×kc A panel and a kc×4 B panel (doubles) take 7·8·kc bytes of L1. */
const DEPTH_BLOCK = 384;

/** Below this many MACs a layer runs on the calling thread alone (a hand-off costs ~0.1 ms). */
const PARALLEL_MIN_MACS = 2_000_000;

/** Leading 1s make any 1-D to 3-D list a 3-D one. */
function to3(v: readonly number[], fill: number): [number, number, number] {
  const a = [...Array<number>(3 - v.length).fill(fill), ...v];
  return [a[0]!, a[1]!, a[2]!];
}

interface Geometry3 {
  N: number; C: number; D: number; H: number; W: number; M: number; G: number;
  kd: number; kh: number; kw: number; sd: number; sh: number; sw: number;
  dd: number; dh: number; dw: number; pd: number; ph: number; pw: number;
  OD: number; OH: number; OW: number; outShape: number[];
}

/** Sizes of the call, from the tensors it is given (not from the analyzer). */
function geometry(x: Tensor, w: Tensor, p: ConvGeometry): Geometry3 {
  const sp = x.shape.slice(2), ks = w.shape.slice(2);
  const [D, H, W] = to3(sp, 1);
  const [kd, kh, kw] = to3(ks, 1);
  const [sd, sh, sw] = to3(p.stride, 1);
  const [dd, dh, dw] = to3(p.dilation, 1);
  const [pd, ph, pw] = to3(p.padBefore, 0);
  const out = sp.map((n, i) => Math.floor((n + p.padBefore[i]! + p.padAfter[i]! - p.dilation[i]! * (ks[i]! - 1) - 1) / p.stride[i]!) + 1);
  const [OD, OH, OW] = to3(out, 1);
  const N = x.shape[0]!, M = w.shape[0]!;
  return { N, C: x.shape[1]!, D, H, W, M, G: p.groups, kd, kh, kw, sd, sh, sw, dd, dh, dw, pd, ph, pw, OD, OH, OW, outShape: [N, M, ...out] };
}

function outputBuffer(n: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
}

/**
 * The array itself, or (for a layer split across threads) a copy in shared memory: one copy
 * here is cheaper than postMessage's clone, which copies twice and delays the worker's start.
 */
function sharedCopy(a: Float32Array, shared: boolean): Float32Array {
  if (!shared || a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/**
 * Columns per work unit: the packed panel block (K·nc doubles) stays within ~256 KiB of L2,
 * and a layer splits into at least ~32 units (over images × groups × chunks) so two threads
 * finish close together. (Lines of y are shared only when P itself is not a multiple of 16.)
 */
function chunkColumns(K: number, P: number, images: number): number {
  // Multiples of 16 columns (64 bytes of output): two threads never share a cache line of y.
  const cache = Math.floor(32768 / K / 16) * 16;
  const balance = Math.ceil(Math.ceil((P * images) / 32) / 16) * 16;
  return Math.max(16, Math.min(512, cache, balance, Math.ceil(P / 4) * 4));
}

/** Convolution on Float32 data (cross-correlation, zero padding, groups, dilation, 1-D to 3-D). */
export const fastConv: ConvImpl = (x: Tensor, w: Tensor, b: Tensor | undefined, p: ConvGeometry, counter: MacCounter): Tensor => {
  const g = geometry(x, w, p);
  const Cg = g.C / g.G, Mg = g.M / g.G;
  const taps = g.kd * g.kh * g.kw;
  const P = g.OD * g.OH * g.OW;
  const total = g.N * g.M * P * Cg * taps;
  const shared = total >= PARALLEL_MIN_MACS && fastThreads() > 1;
  const y = outputBuffer(g.N * g.M * P, shared);
  const xd = sharedCopy(x.data as Float32Array, shared);
  const bias = b ? (b.data as Float32Array) : null;
  const { outShape, N, M, G, C, ...rest } = g;
  let macs: number;
  if (Cg === 1 && G > 1) {
    const job: DwJob = { ...rest, N, C, mult: Mg, x: xd, w: sharedCopy(w.data as Float32Array, shared), bias, y };
    macs = runUnits("dw", job, N * M, shared);
  } else {
    const K = Cg * taps;
    const n = G * Math.ceil(Mg / 3) * 3 * K;
    const a = packWeights(w.data as Float32Array, G, Mg, K, shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n));
    const nc = chunkColumns(K, P, N * G);
    const chunks = Math.ceil(P / nc);
    const job: ConvJob = { ...rest, N, G, Cg, Mg, K, P, nc, chunks, kc: DEPTH_BLOCK, x: xd, a, bias, y };
    macs = runUnits("gemm", job, N * G * chunks, shared);
  }
  counter.add(macs);
  // A split layer's output stays in its SharedArrayBuffer (still a Float32Array): no copy.
  return { shape: outShape, data: y };
};
