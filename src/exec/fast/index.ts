/**
 * The fast kernels, plugged into the runtime through the kernel-dispatch interface
 * (src/exec/kernels/api.ts). The reference kernels stay the oracle they are tested against.
 */
import { setFastKernels, type FastKernels } from "../kernels/api.js";
import { fastConv } from "./conv.js";
import { fastDense } from "./dense.js";

export { fastConv } from "./conv.js";
export { fastDense } from "./dense.js";
export { setFastThreads, fastThreads, stopFastWorkers } from "./pool.js";

/** Registers the fast conv and dense kernels with the runtime; returns the previous registration. */
export function enableFastKernels(): FastKernels {
  return setFastKernels({ conv: fastConv, dense: fastDense });
}

/** Removes the fast kernels, so the runtime uses its reference kernels for everything. */
export function disableFastKernels(): FastKernels {
  return setFastKernels({});
}
