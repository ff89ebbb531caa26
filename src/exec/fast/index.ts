/**
 * The fast kernels, plugged into the runtime through the kernel-dispatch interface
 * (src/exec/kernels/api.ts). The reference kernels stay the oracle they are tested against.
 */
import { setFastKernels, type FastKernels } from "../kernels/api.js";
import { stopWasmThreads, wasmKernels } from "../wasm/index.js";
import { fastConv } from "./conv.js";
import { fastDense } from "./dense.js";
import { stopFastWorkers as stopTsWorkers } from "./pool.js";

export { fastConv } from "./conv.js";
export { fastDense } from "./dense.js";
export { setFastThreads, fastThreads } from "./pool.js";

/**
 * Registers the fast kernels with the runtime: WebAssembly SIMD convolution where the engine
 * has it (src/exec/wasm), the TypeScript im2col + GEMM kernels elsewhere, and the TypeScript
 * dense kernel. `{ wasm: false }` keeps the TypeScript ones. Returns the previous registration.
 */
export function enableFastKernels(options: { wasm?: boolean } = {}): FastKernels {
  const wasm = options.wasm === false ? undefined : wasmKernels();
  return setFastKernels({ conv: fastConv, dense: fastDense, ...wasm });
}

/** Stops the worker threads of both kernel sets (a process with live workers does not exit). */
export async function stopFastWorkers(): Promise<void> {
  await Promise.all([stopTsWorkers(), stopWasmThreads()]);
}

/** Removes the fast kernels, so the runtime uses its reference kernels for everything. */
export function disableFastKernels(): FastKernels {
  return setFastKernels({});
}
