/**
 * WebAssembly SIMD kernels: GEMM, im2col and depthwise convolution, optionally across worker
 * threads on one shared memory. `wasmKernels()` gives them in the runtime's FastKernels form
 * where the engine supports WebAssembly SIMD, and nothing elsewhere.
 */
import type { FastKernels } from "../kernels/api.js";
import { convWasm } from "./conv.js";
import { wasmRuntime, wasmSimdSupported } from "./module.js";

export { convWasm } from "./conv.js";
export { gemmWasm } from "./gemm.js";
export { wasmSimdSupported, wasmFmaSupported, DEFAULT_GEMM } from "./module.js";
export { setWasmThreads, wasmThreads, stopWasmThreads, setWasmParallelThreshold, wasmParallelThreshold } from "./threads.js";

/**
 * The wasm kernels for setFastKernels, or undefined where WebAssembly SIMD is missing or the
 * module cannot be set up (e.g. no address space for a shared memory): keep the TypeScript ones.
 */
export function wasmKernels(): FastKernels | undefined {
  if (!wasmSimdSupported()) return undefined;
  try {
    wasmRuntime();
  } catch {
    return undefined;
  }
  return { conv: convWasm };
}
