/** Shared by the ONNX cross-check tests: run a model in the convspec runtime and in onnxruntime, compare. */
import { expect } from "vitest";
import { run } from "../../src/exec/runtime.js";
import type { Tensor } from "../../src/exec/tensor.js";
import type { ModelGraph } from "../../src/graph/ir.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { runOrt } from "./ort.js";

/**
 * Largest |a − b| relative to the output's scale, max(1, max |b|). Float32 rounding in a deep
 * network grows with the size of its activations, not with each output element's own size, so
 * an element-wise ratio would fail on small outputs that are differences of large ones.
 */
export function relErr(a: Tensor, b: Tensor): number {
  let worst = 0, scale = 1;
  for (let i = 0; i < b.data.length; i++) {
    const e = Math.abs(a.data[i]! - b.data[i]!);
    worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
    scale = Math.max(scale, Math.abs(b.data[i]!));
  }
  return worst / scale;
}

/** Runs `model` in the runtime (seeded weights and input), exports those weights, runs onnxruntime, compares every output. */
export async function crossCheck(model: ModelGraph, seed = 1, batch = 1): Promise<number> {
  // `keep` holds on to the inputs the runtime generated from the seed, to feed the same ones.
  const r = run(model, { seed, batch, keep: true });
  expect(r.diagnostics).toEqual([]);
  const ex = exportOnnx(model, r.params, { batch });
  expect(ex.diagnostics).toEqual([]);
  const feeds: Record<string, Tensor> = {};
  model.inputs.forEach((id, i) => { feeds[ex.inputNames[i]!] = r.tensors[id]!; });
  const out = await runOrt(ex.bytes!, feeds);
  let worst = 0;
  model.outputs.forEach((o, i) => {
    const mine = r.outputs[o.name]!;
    const theirs = out[ex.outputNames[i]!]!;
    expect(theirs.shape).toEqual(mine.shape);
    worst = Math.max(worst, relErr(theirs, mine));
  });
  return worst;
}
