/**
 * Memory figures: peak live activations for an inference schedule that frees each tensor
 * after its last reader, and the training estimate (params + grads + optimizer state + saved
 * activations). See docs/counting.md.
 */
import type { ModelGraph } from "../graph/ir.js";

/**
 * Most bytes alive at once when nodes run in order, each output is allocated while its
 * inputs are still alive, and a tensor is freed right after its last reader (model outputs
 * stay alive to the end; model inputs are alive from the start until their last use).
 */
export function peakLiveBytes(m: ModelGraph, bytes: (node: number) => bigint): bigint {
  const lastUse = new Map<number, number>();
  m.nodes.forEach((n, step) => n.inputs.forEach((i) => lastUse.set(i, step)));
  for (const o of m.outputs) lastUse.set(o.node, Infinity);
  const inputs = new Set(m.inputs);
  let live = 0n;
  for (const i of m.inputs) live += bytes(i);
  let peak = live;
  m.nodes.forEach((n, step) => {
    if (!inputs.has(n.id)) live += bytes(n.id);
    if (live > peak) peak = live;
    for (const i of new Set(n.inputs)) if (lastUse.get(i) === step) live -= bytes(i);
    if (!lastUse.has(n.id)) live -= bytes(n.id); // nobody reads it
  });
  return peak;
}

/**
 * Training estimate: every parameter and buffer, one gradient per trainable parameter,
 * `states` optimizer slots per trainable parameter (sgd 0, momentum 1, adam 2), and every
 * forward tensor kept for the backward pass (model inputs and all layer outputs).
 */
export function trainingBytes(p: { paramBytes: bigint; trainableBytes: bigint; states: number; savedActivationBytes: bigint }): bigint {
  return p.paramBytes + p.trainableBytes * (1n + BigInt(p.states)) + p.savedActivationBytes;
}
