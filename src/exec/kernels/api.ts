/**
 * The kernel-dispatch interface: how the runtime calls convolution and dense kernels, and how
 * a faster implementation (src/exec/fast/) plugs in. The reference kernels in this folder stay
 * the oracle; a fast kernel is used only when registered, and is tested against them.
 *
 * Contract for every ConvImpl / DenseImpl:
 * - Inputs are dense row-major tensors with the batch axis first (src/exec/tensor.ts).
 * - The result has the same element type as `x` (Float32Array in, Float32Array out). The
 *   runtime calls a fast kernel only for Float32Array data; Float64 runs (exact checks,
 *   gradient checks) always use the reference kernels.
 * - MACs: call `counter.add(n)` with the number of multiply-accumulates actually executed,
 *   as the loops run (one bulk add per inner loop or per GEMM tile is fine). A MAC is one
 *   product of a weight with an element of the zero-padded input, zeros included (an im2col
 *   GEMM of M×K by K×N executes M·K·N). Bias additions are not MACs. Never compute the count
 *   from the hyper-parameters: the count is what verify checks against the analyzer.
 * - Kernels never throw for well-formed inputs and never print.
 */
import type { Tensor } from "../tensor.js";

/** Receives the multiply-accumulates a kernel executes. */
export interface MacCounter {
  add(n: number): void;
}

/** A counter that discards its counts (for callers that do not measure). */
export const noCounter: MacCounter = { add() {} };

/** A counter that sums what it is given. */
export class SumCounter implements MacCounter {
  total = 0;
  add(n: number): void {
    this.total += n;
  }
}

/**
 * Geometry of one convolution, one entry per spatial axis. Padding here is always zero
 * padding (padBefore/padAfter elements of value 0 on each side); other padding modes are
 * materialized by the runtime before the call, which then passes zeros here.
 */
export interface ConvGeometry {
  readonly stride: readonly number[];
  readonly padBefore: readonly number[];
  readonly padAfter: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
}

/**
 * Convolution (cross-correlation, as PyTorch's Conv{1,2,3}d):
 * x [N, Cin, ...S], w [Cout, Cin/groups, ...K], b [Cout] or undefined → y [N, Cout, ...O]
 * with O = floor((S + before + after − D·(K−1) − 1) / stride) + 1 per axis.
 */
export type ConvImpl = (x: Tensor, w: Tensor, b: Tensor | undefined, p: ConvGeometry, counter: MacCounter) => Tensor;

/** Fully connected layer (PyTorch's Linear): x [N, in], w [out, in], b [out] or undefined → y [N, out]. */
export type DenseImpl = (x: Tensor, w: Tensor, b: Tensor | undefined, counter: MacCounter) => Tensor;

/** Faster kernels the runtime prefers over the reference ones for Float32 data. */
export interface FastKernels {
  readonly conv?: ConvImpl;
  readonly dense?: DenseImpl;
}

let fast: FastKernels = {};

/** Registers faster kernels (or removes them with `{}`); returns the previous registration. */
export function setFastKernels(k: FastKernels): FastKernels {
  const prev = fast;
  fast = { ...k };
  return prev;
}

/** The fast kernels currently registered (fields absent when none). */
export function getFastKernels(): FastKernels {
  return fast;
}
