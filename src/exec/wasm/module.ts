/**
 * The compiled kernel module and the shared memory it runs on: feature detection, one lazily
 * built instance per process, and a bump allocator over the memory for each kernel call.
 */
import { assemble, Fn, Ty } from "./encoder.js";
import { gemmFunctions, scratchBytes, type GemmConfig } from "./gemm_codegen.js";
import { emitDepthwise } from "./depthwise_codegen.js";

/**
 * Blocking used by default: a 5×8 tile is 10 accumulators + 2 B vectors + a broadcast + a product,
 * 14 of the 16 XMM registers; unrolling the k loop made V8 spill (measured 30 vs 43 GFLOP/s).
 */
export const DEFAULT_GEMM: GemmConfig = { mr: 5, nr: 8, kc: 576, nc: 256, mc: 130, unroll: 1, fma: false };

/** The parts of the WebAssembly JS API used here (the project's lib setting has no DOM types). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
/** A compiled module (opaque; cloneable to worker threads). */
export type WasmModule = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: object };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
/** 2 GiB: addresses stay below 2^31, so signed i32 arithmetic in the kernels is safe. */
const MAX_PAGES = 32768;
/** Bytes at address 0 that stay zero: out-of-range taps read from here. */
export const ZERO_BYTES = 64;
/** Per-thread control blocks (Int32 words) for the worker handshake, after the zero bytes. */
export const CONTROL_BASE = ZERO_BYTES;
export const CONTROL_STRIDE = 64;
export const MAX_THREADS = 8;
const RESERVED = CONTROL_BASE + CONTROL_STRIDE * MAX_THREADS;

/** Exports of the kernel module. */
export interface KernelExports {
  run(desc: number, n0: number, n1: number, scratch: number): void;
  dw(desc: number, c0: number, c1: number, scratch: number): void;
  pack_a(src: number, m: number, k: number, dst: number): void;
}

/** The instantiated kernels on their shared memory. */
export interface WasmRuntime {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  readonly cfg: GemmConfig;
}

function probe(build: () => Fn[]): boolean {
  try {
    return WA !== undefined && WA.validate(assemble(build(), { initialPages: 1, maxPages: 1, shared: true }));
  } catch {
    return false;
  }
}

/** A function using v128 and f32x4.mul: validates where 128-bit SIMD and shared memory exist. */
function simdProbe(): Fn[] {
  const f = new Fn("p", [["a", Ty.i32]], []);
  f.local("v", Ty.v128);
  f.get("a").v128_load32_splat().get("a").v128_load().f32x4_mul().set("v");
  return [f];
}

function fmaProbe(): Fn[] {
  const f = new Fn("p", [["a", Ty.i32]], []);
  f.local("v", Ty.v128);
  f.get("a").v128_load().get("a").v128_load().get("a").v128_load().f32x4_relaxed_madd().set("v");
  return [f];
}

let simd: boolean | undefined;
/** Whether this engine runs WebAssembly 128-bit SIMD on shared memory (else use the TypeScript kernels). */
export function wasmSimdSupported(): boolean {
  simd ??= WA !== undefined && typeof SharedArrayBuffer === "function" && probe(simdProbe);
  return simd;
}

/** Whether relaxed-SIMD fused multiply-add validates (Node 20 needs --experimental-wasm-relaxed-simd). */
export function wasmFmaSupported(): boolean {
  return wasmSimdSupported() && probe(fmaProbe);
}

/** Builds the kernel module's bytes for a blocking configuration. */
export function kernelModuleBytes(cfg: GemmConfig): Uint8Array {
  return assemble([...gemmFunctions(cfg), emitDepthwise()], { initialPages: 1, maxPages: MAX_PAGES, shared: true });
}

let runtime: WasmRuntime | undefined;
let chosen: GemmConfig | undefined;

/** Replaces the blocking (for tuning benchmarks); call before any kernel runs or after stopping threads. */
export function setWasmGemmConfig(cfg: GemmConfig | undefined): void {
  chosen = cfg;
  runtime = undefined;
}

/** The process-wide kernel instance (built on first use); throws where SIMD is unsupported. */
export function wasmRuntime(): WasmRuntime {
  if (runtime) return runtime;
  if (!wasmSimdSupported()) throw new Error("WebAssembly SIMD is not supported by this engine");
  // With fused multiply-add no product register is needed, so a sixth row fits (measured +5–8%).
  const cfg: GemmConfig = chosen ?? (wasmFmaSupported() ? { ...DEFAULT_GEMM, mr: 6, mc: 132, fma: true } : DEFAULT_GEMM);
  const api = WA!;
  const module = new api.Module(kernelModuleBytes(cfg));
  const memory = new api.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const instance = new api.Instance(module, { env: { mem: memory } });
  runtime = { module, memory, exports: instance.exports as unknown as KernelExports, cfg };
  return runtime;
}

/** Thrown when one call needs more than the 2 GiB memory (callers fall back to TypeScript kernels). */
export class WasmMemoryLimit extends Error {}

/** Bump allocator over the shared memory for one kernel call (16-byte aligned blocks). */
export class Arena {
  private top = RESERVED;
  constructor(private readonly rt: WasmRuntime) {}

  /** Reserves `bytes` and returns the address. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = (at + bytes + 63) & ~63;
    return at;
  }

  /** Reserves per-thread GEMM scratch for `threads` threads. */
  gemmScratch(threads: number): number[] {
    const size = scratchBytes(this.rt.cfg);
    return Array.from({ length: threads }, () => this.alloc(size));
  }

  /** Grows the memory to hold everything allocated; call before taking views. */
  commit(): void {
    const need = Math.ceil(this.top / PAGE);
    const have = this.rt.memory.buffer.byteLength / PAGE;
    if (need > MAX_PAGES) throw new WasmMemoryLimit(`wasm kernels: ${this.top} bytes exceed the 2 GiB memory`);
    if (need > have) this.rt.memory.grow(need - have);
  }

  /** Float32 view of the whole memory (taken after commit). */
  f32(): Float32Array {
    return new Float32Array(this.rt.memory.buffer);
  }

  /** Int32 view of the whole memory (taken after commit). */
  i32(): Int32Array {
    return new Int32Array(this.rt.memory.buffer);
  }
}
