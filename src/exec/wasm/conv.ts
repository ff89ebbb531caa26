/**
 * Convolution on the WebAssembly SIMD kernels, with the runtime's ConvImpl signature: implicit
 * im2col GEMM per batch item and group (1×1 stride-1 convolutions read the input as the B
 * matrix directly), and the direct depthwise kernel when each group has one input channel.
 */
import type { ConvGeometry, ConvImpl, MacCounter } from "../kernels/api.js";
import type { Tensor } from "../tensor.js";
import { DESC_BYTES, kBlock } from "./gemm_codegen.js";
import { TAP_BYTES } from "./pack_codegen.js";
import { convDepthwise, useDepthwise } from "./depthwise.js";
import { COUNTER_BYTES, geometry3, packedASize, split, writeDesc, type Geometry3 } from "./layout.js";
import { Arena, WasmMemoryLimit, ZERO_BYTES, wasmRuntime, type WasmRuntime } from "./module.js";
import { fastConv } from "../fast/conv.js";
import { CMD, parallel, wasmParallelThreshold, wasmThreads } from "./threads.js";

function pointwise(g: Geometry3): boolean {
  return [0, 1, 2].every((i) => g.k[i] === 1 && g.stride[i] === 1 && g.pad[i] === 0 && g.o[i] === g.s[i]);
}

interface Plan {
  readonly g: Geometry3;
  readonly m: number;
  readonly kk: number;
  readonly p: number;
  readonly sIn: number;
  readonly x: number;
  readonly y: number;
  readonly a: number;
  readonly wRaw: number;
  readonly bias: number;
  readonly ktab: number;
  readonly desc: number;
  readonly ctr: number;
  readonly scratch: number[];
}

function plan(rt: WasmRuntime, g: Geometry3, threads: number): { plan: Plan; arena: Arena } {
  const arena = new Arena(rt);
  const cg = g.cin / g.groups;
  const m = g.cout / g.groups;
  const taps = g.k[0] * g.k[1] * g.k[2];
  const kk = cg * taps;
  const sIn = g.s[0] * g.s[1] * g.s[2];
  const p = g.o[0] * g.o[1] * g.o[2];
  const mPad = packedASize(m, 1, rt.cfg.mr);
  const pl: Plan = {
    g, m, kk, p, sIn,
    x: arena.alloc(g.n * g.cin * sIn * 4),
    y: arena.alloc(g.n * g.cout * p * 4),
    a: arena.alloc(g.groups * packedASize(m, kk, rt.cfg.mr) * 4),
    wRaw: arena.alloc(g.cout * kk * 4),
    bias: arena.alloc(g.groups * mPad * 4),
    ktab: arena.alloc(kk * TAP_BYTES),
    desc: arena.alloc(threads * DESC_BYTES),
    ctr: arena.alloc(threads * COUNTER_BYTES),
    scratch: arena.gemmScratch(threads),
  };
  arena.commit();
  return { plan: pl, arena };
}

/** Tap table: per row k of B, the input plane's byte offset, the tap's (z, y, x) offsets and its whole byte offset. */
function fillTapTable(i32: Int32Array, pl: Plan): void {
  const { g } = pl;
  let at = pl.ktab >> 2;
  for (let c = 0; c < g.cin / g.groups; c++) {
    for (let kz = 0; kz < g.k[0]; kz++) {
      for (let ky = 0; ky < g.k[1]; ky++) {
        for (let kx = 0; kx < g.k[2]; kx++) {
          const [tz, ty, tx] = [kz * g.dil[0], ky * g.dil[1], kx * g.dil[2]];
          i32.set([c * pl.sIn * 4, tz, ty, tx, (c * pl.sIn + (tz * g.s[1] + ty) * g.s[2] + tx) * 4], at);
          at += TAP_BYTES >> 2;
        }
      }
    }
  }
}

/** Copies weights (packed) and bias (zero-padded to the panel height) into the memory. */
function fillWeights(f32: Float32Array, rt: WasmRuntime, pl: Plan, w: Tensor, b: Tensor | undefined): void {
  const mr = rt.cfg.mr;
  const aSize = packedASize(pl.m, pl.kk, mr);
  const mPad = packedASize(pl.m, 1, mr);
  f32.set(w.data, pl.wRaw >> 2);
  for (let grp = 0; grp < pl.g.groups; grp++) {
    rt.exports.pack_a(pl.wRaw + grp * pl.m * pl.kk * 4, pl.m, pl.kk, pl.a + grp * aSize * 4);
    const bAt = (pl.bias >> 2) + grp * mPad;
    f32.fill(0, bAt, bAt + mPad);
    if (b) f32.set(b.data.subarray(grp * pl.m, (grp + 1) * pl.m), bAt);
  }
}

/**
 * Runs every GEMM of the convolution; returns the output buffer, allocated and its pages
 * touched while the workers compute when there are workers (a fresh buffer's page faults cost
 * several ms for a 224×224×64 output, which would otherwise run serially after the GEMM).
 */
function runGemms(rt: WasmRuntime, arena: Arena, pl: Plan, threads: number, counter: MacCounter): Float32Array {
  const { g, m, kk, p } = pl;
  const mr = rt.cfg.mr;
  const aSize = packedASize(m, kk, mr);
  const mPad = packedASize(m, 1, mr);
  const flat = pointwise(g);
  const { shares, grab } = split(m, p, kk, threads, rt.cfg, wasmParallelThreshold());
  const size = g.n * g.cout * p;
  let out: Float32Array | undefined;
  const prefault = (): void => {
    out ??= new Float32Array(size).fill(0);
  };
  for (let n = 0; n < g.n; n++) {
    for (let grp = 0; grp < g.groups; grp++) {
      const i32 = arena.i32();
      const bSrc = pl.x + (n * g.cin + grp * (g.cin / g.groups)) * pl.sIn * 4;
      const c = pl.y + (n * g.cout + grp * m) * p * 4;
      const reset = (): void => {
        for (let t = 0; t < shares.length; t++) arena.i32()[(pl.ctr + t * COUNTER_BYTES) >> 2] = 0;
      };
      reset();
      const args = shares.map((s, t) => {
        const at = pl.desc + t * DESC_BYTES;
        writeDesc(i32, at, {
          mode: flat ? 0 : 1, m: s.m1 - s.m0, n: p, k: kk,
          aPack: pl.a + (grp * aSize + s.m0 * kk) * 4, bias: pl.bias + (grp * mPad + s.m0) * 4,
          c: c + s.m0 * p * 4, ldc: p, ctr: pl.ctr + s.ctr * COUNTER_BYTES, grab, kcb: kBlock(kk, rt.cfg), bSrc, bsk: pl.sIn, bsn: 1, ktab: pl.ktab,
          dd: g.s[0], dh: g.s[1], dw: g.s[2], oh: g.o[1], ow: g.o[2],
          ezd: (g.k[0] - 1) * g.dil[0], ezh: (g.k[1] - 1) * g.dil[1], ezw: (g.k[2] - 1) * g.dil[2],
          sd: g.stride[0], sh: g.stride[1], sw: g.stride[2], pd: g.pad[0], ph: g.pad[1], pw: g.pad[2],
        });
        return [at, 0, p, pl.scratch[t]!];
      });
      parallel(rt, CMD.run, args, { meanwhile: prefault, reset });
      counter.add(m * p * kk);
    }
  }
  const f32 = arena.f32();
  if (!out) return f32.slice(pl.y >> 2, (pl.y >> 2) + size);
  out.set(f32.subarray(pl.y >> 2, (pl.y >> 2) + size));
  return out;
}

/** Convolution (ConvImpl) on the wasm SIMD kernels; Float32 in, Float32 out. */
export const convWasm: ConvImpl = (x: Tensor, w: Tensor, b: Tensor | undefined, geo: ConvGeometry, counter: MacCounter): Tensor => {
  const g = geometry3(x.shape, w.shape, geo);
  const outShape = [g.n, g.cout, ...g.o.slice(3 - (x.shape.length - 2))];
  const p = g.o[0] * g.o[1] * g.o[2];
  if (p === 0 || g.n === 0 || g.cout === 0) return { shape: outShape, data: new Float32Array(g.n * g.cout * p) };
  const rt = wasmRuntime();
  const threads = wasmThreads();
  let planned: ReturnType<typeof plan> | undefined;
  try {
    if (useDepthwise(g)) return { shape: outShape, data: convDepthwise(rt, g, x, w, b, threads, counter) };
    planned = plan(rt, g, threads);
  } catch (e) {
    if (e instanceof WasmMemoryLimit) return fastConv(x, w, b, geo, counter);
    throw e;
  }
  const { plan: pl, arena } = planned;
  const f32 = arena.f32();
  f32.fill(0, 0, ZERO_BYTES >> 2);
  f32.set(x.data, pl.x >> 2);
  fillWeights(f32, rt, pl, w, b);
  fillTapTable(arena.i32(), pl);
  return { shape: outShape, data: runGemms(rt, arena, pl, threads, counter) };
};
