/**
 * Host side of the direct depthwise kernel (src/exec/wasm/depthwise_codegen.ts): used for 1-D
 * and 2-D convolutions whose groups each read one input channel and write at most two, where
 * an im2col GEMM would have a single row per group.
 */
import type { MacCounter } from "../kernels/api.js";
import type { Tensor } from "../tensor.js";
import { DW, DW_BLOCK } from "./depthwise_codegen.js";
import type { Geometry3 } from "./layout.js";
import { Arena, ZERO_BYTES, type WasmRuntime } from "./module.js";
import { CMD, parallel, wasmParallelThreshold } from "./threads.js";

/** Whether the direct depthwise kernel handles this convolution. */
export function useDepthwise(g: Geometry3): boolean {
  const flatDepth = g.s[0] === 1 && g.k[0] === 1 && g.pad[0] === 0 && g.o[0] === 1;
  return flatDepth && g.cin === g.groups && g.cout / g.groups <= 2;
}

/** Scratch plane width and height: the padded input plus the over-read of the last 16-column block. */
function planeSize(g: Geometry3): { wp: number; hp: number } {
  const blocks = Math.ceil(g.o[2] / DW_BLOCK) * DW_BLOCK;
  const span = g.stride[2] === 1 ? 15 : g.stride[2] === 2 ? 31 : 15 * g.stride[2];
  const lastCol = (blocks - DW_BLOCK) * g.stride[2] + (g.k[2] - 1) * g.dil[2] + span;
  const wp = Math.ceil(Math.max(g.pad[2] + g.s[2], lastCol + 1) / 4) * 4;
  const hp = Math.max(g.pad[1] + g.s[1], (g.o[1] - 1) * g.stride[1] + (g.k[1] - 1) * g.dil[1] + 1);
  return { wp, hp };
}

/** Runs the depthwise kernel over all batch items; returns the output data. */
export function convDepthwise(rt: WasmRuntime, g: Geometry3, x: Tensor, w: Tensor, b: Tensor | undefined, threads: number, counter: MacCounter): Float32Array {
  const taps = g.k[1] * g.k[2];
  const sIn = g.s[1] * g.s[2];
  const p = g.o[1] * g.o[2];
  const { wp, hp } = planeSize(g);
  const work = g.cout * p * taps;
  const t = work >= wasmParallelThreshold() ? Math.min(threads, g.cout) : 1;
  const arena = new Arena(rt);
  const xAt = arena.alloc(g.n * g.cin * sIn * 4);
  const yAt = arena.alloc(g.n * g.cout * p * 4);
  const wAt = arena.alloc(g.cout * taps * 4);
  const bAt = arena.alloc(g.cout * 4);
  const tab = arena.alloc(taps * 8);
  const desc = arena.alloc(64);
  const scratch = Array.from({ length: t }, () => arena.alloc(64 + wp * hp * 4));
  arena.commit();
  const f32 = arena.f32();
  const i32 = arena.i32();
  f32.fill(0, 0, ZERO_BYTES >> 2);
  f32.set(x.data, xAt >> 2);
  f32.set(w.data, wAt >> 2);
  if (b) f32.set(b.data, bAt >> 2);
  else f32.fill(0, bAt >> 2, (bAt >> 2) + g.cout);
  for (const s of scratch) f32.fill(0, s >> 2, (s >> 2) + 16 + wp * hp);
  for (let ky = 0, i = tab >> 2; ky < g.k[1]; ky++) {
    for (let kx = 0; kx < g.k[2]; kx++, i += 2) {
      i32[i] = (ky * g.dil[1] * wp + kx * g.dil[2]) * 4;
      i32[i + 1] = ky * g.k[2] + kx;
    }
  }
  const fields: Record<keyof typeof DW, number> = {
    x: 0, y: 0, w: wAt, bias: bAt, mult: g.cout / g.groups, h: g.s[1], w_: g.s[2], oh: g.o[1], ow: g.o[2],
    taps, sh: g.stride[1], sw: g.stride[2], ph: g.pad[1], pw: g.pad[2], wp, tab,
  };
  const step = Math.ceil(g.cout / t);
  for (let n = 0; n < g.n; n++) {
    fields.x = xAt + n * g.cin * sIn * 4;
    fields.y = yAt + n * g.cout * p * 4;
    for (const [k, v] of Object.entries(fields)) i32[(desc >> 2) + DW[k as keyof typeof DW]] = v;
    const args = scratch.map((s, i) => [desc, i * step, Math.min(g.cout, (i + 1) * step), s]).filter((a) => a[1]! < a[2]!);
    parallel(rt, CMD.dw, args);
    counter.add(work);
  }
  return arena.f32().slice(yAt >> 2, (yAt >> 2) + g.n * g.cout * p);
}
