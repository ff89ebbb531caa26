/**
 * The memory plan of a verification, computed from analyses before anything is allocated.
 * A run has two phases, one after the other (the first one's buffers are released before the
 * second starts):
 *
 * - the forward run (float32): every parameter, the peak of live activations, and the
 *   largest scratch of one layer (a fast conv packs its weights as float64, 2× their float32
 *   bytes, and may copy its input; a reference kernel copies its zero-padded input: counted as
 *   2× the layer's parameter bytes plus 2× its input bytes);
 * - the receptive-field probe (float64, one channel wide, batch 2): every activation of the
 *   nodes the probed ones depend on, kept for the backward passes; the gradient buffers of
 *   one backward pass (at most one per node, recycled between passes: bounded by the same
 *   sum) plus two of the largest tensor for a kernel's temporaries and three for the stem
 *   ring's seeds and index sets (src/exec/probe_ring.ts); the parameters; and the
 *   memo of the passes' shared tails (src/exec/probe_memo.ts): an eighth of the rest, at most
 *   16 MiB.
 *
 * `--max-memory` bounds the larger phase. The Node.js process itself (code, heap, worker
 * threads; about 60–90 MiB) comes on top and is not counted.
 */
import type { ModelAnalysis } from "../analysis/types.js";
import { MEMO_BYTES } from "../exec/probe_memo.js";

/** A phase of the run and the bytes it is predicted to allocate at most. */
export interface PhaseNeed {
  readonly phase: "forward run" | "receptive-field probe";
  readonly bytes: number;
  /** Of `bytes`, the probe's memo of shared pass tails may keep this many. */
  readonly memoBytes?: number;
}

const elements = (shape: readonly number[]): number => shape.reduce((p, n) => p * n, 1);

/** Bytes of the forward run at `batch`: parameters, peak live activations, the largest layer's scratch. */
export function forwardNeed(a: ModelAnalysis, batch: number): PhaseNeed {
  let scratch = 0;
  for (const f of a.layers) {
    const params = 4 * Number(f.trainableParams + f.nonTrainableParams);
    const inputs = 4 * batch * f.inputShapes.reduce((s, shape) => s + elements(shape), 0);
    scratch = Math.max(scratch, 2 * params + 2 * inputs);
  }
  return { phase: "forward run", bytes: Number(a.totals.paramBytes) + Number(a.totals.peakActivationBytes) + scratch };
}

/**
 * Bytes of the probe on the float32 analysis (made at batch 1) of its one-channel, enlarged
 * copy, for the nodes in `only` (the probed ones and what they depend on) and the model inputs'
 * shapes (batch axis included).
 */
export function probeNeed(pa: ModelAnalysis, only: ReadonlySet<number>, inputs: readonly (readonly number[])[]): PhaseNeed {
  let sum = 0, largest = 0, params = 0;
  const add = (b: number) => {
    sum += b;
    largest = Math.max(largest, b);
  };
  for (const f of pa.layers) {
    if (!only.has(f.node)) continue;
    add(2 * PROBE_BATCH * Number(f.activationBytes));
    params += 8 * Number(f.trainableParams + f.nonTrainableParams);
  }
  for (const shape of inputs) add(8 * elements(shape));
  // + 3 × the largest: the stem ring's two seeds and its two index sets (4 bytes an element) of the cut's size.
  const base = 2 * sum + 5 * largest + params;
  const memoBytes = Math.min(MEMO_BYTES, Math.floor(base / 8));
  return { phase: "receptive-field probe", bytes: base + memoBytes, memoBytes };
}

/** The probe's batch: a probed unit and the corner unit. */
export const PROBE_BATCH = 2;

/** The default limit: half of the free memory the host reports, at most 4 GiB. */
export function defaultMemoryLimit(freeBytes: number): number {
  return Math.min(4 * 1024 ** 3, Math.floor(freeBytes / 2));
}
