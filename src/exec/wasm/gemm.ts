/**
 * Matrix product C = A·B (+ bias per row) on the WebAssembly SIMD GEMM, threads included when
 * the product is large.
 */
import type { MacCounter } from "../kernels/api.js";
import { DESC_BYTES, kBlock } from "./gemm_codegen.js";
import { COUNTER_BYTES, packedASize, split, writeDesc } from "./layout.js";
import { Arena, ZERO_BYTES, wasmRuntime } from "./module.js";
import { CMD, parallel, wasmParallelThreshold, wasmThreads } from "./threads.js";

/** Returns C [M, N] = A [M, K] · B [K, N] (+ bias[m] on row m), all row-major Float32. */
export function gemmWasm(
  a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number,
  opts: { bias?: ArrayLike<number>; counter?: MacCounter } = {},
): Float32Array {
  if (m === 0 || n === 0) return new Float32Array(m * n);
  const rt = wasmRuntime();
  const threads = wasmThreads();
  const mr = rt.cfg.mr;
  const arena = new Arena(rt);
  const aAt = arena.alloc(packedASize(m, k, mr) * 4);
  const bAt = arena.alloc(k * n * 4);
  const aRaw = arena.alloc(m * k * 4);
  const biasAt = arena.alloc(packedASize(m, 1, mr) * 4);
  const cAt = arena.alloc(m * n * 4);
  const desc = arena.alloc(threads * DESC_BYTES);
  const ctr = arena.alloc(threads * COUNTER_BYTES);
  const scratch = arena.gemmScratch(threads);
  arena.commit();
  const f32 = arena.f32();
  f32.fill(0, 0, ZERO_BYTES >> 2);
  f32.set(a, aRaw >> 2);
  rt.exports.pack_a(aRaw, m, k, aAt);
  f32.set(b as ArrayLike<number>, bAt >> 2);
  f32.fill(0, biasAt >> 2, (biasAt >> 2) + packedASize(m, 1, mr));
  if (opts.bias) f32.set(opts.bias, biasAt >> 2);
  if (k === 0) {
    // No depth: C is the bias alone (the kernel's k loop would never initialize it from C).
    const c = new Float32Array(m * n);
    for (let i = 0; i < m; i++) c.fill(opts.bias ? opts.bias[i]! : 0, i * n, (i + 1) * n);
    return c;
  }
  const i32 = arena.i32();
  const { shares, grab } = split(m, n, k, threads, rt.cfg, wasmParallelThreshold());
  const reset = (): void => {
    for (let t = 0; t < shares.length; t++) arena.i32()[(ctr + t * COUNTER_BYTES) >> 2] = 0;
  };
  reset();
  const args = shares.map((s, t) => {
    const at = desc + t * DESC_BYTES;
    writeDesc(i32, at, {
      mode: 0, m: s.m1 - s.m0, n, k, aPack: aAt + s.m0 * k * 4, bias: biasAt + s.m0 * 4,
      c: cAt + s.m0 * n * 4, ldc: n, ctr: ctr + s.ctr * COUNTER_BYTES, grab, kcb: kBlock(k, rt.cfg), bSrc: bAt, bsk: n, bsn: 1,
    });
    return [at, 0, n, scratch[t]!];
  });
  // With workers, the result buffer's pages are touched while they compute (see conv.ts).
  let out: Float32Array | undefined;
  parallel(rt, CMD.run, args, { meanwhile: () => { out = new Float32Array(m * n).fill(0); }, reset });
  opts.counter?.add(m * n * k);
  const c = arena.f32().subarray(cAt >> 2, (cAt >> 2) + m * n);
  if (!out) return c.slice();
  out.set(c);
  return out;
}
