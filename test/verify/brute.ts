/**
 * An independent check of one unit's receptive field, by brute force and without gradients:
 * the probe's copy of the model runs forward (positive weights, pass-through nonlinearities)
 * on an all-zero input, then once per index i of each spatial axis with the input set to one
 * on the slab {index i along that axis}; i is in the unit's field along the axis when the
 * unit's output (any channel) changes. No backward kernel, no sparse bookkeeping.
 */
import type { ModelGraph } from "../../src/graph/ir.js";
import { run } from "../../src/exec/runtime.js";
import type { Tensor } from "../../src/exec/tensor.js";

/** The values of node `id` at `unit` (every channel; a rank-2 output: one feature). */
function valuesAt(t: Tensor, unit: readonly number[]): number[] {
  const s = t.shape;
  if (s.length === 2) return [t.data[unit[0]!]!];
  let off = 0;
  for (let a = 2; a < s.length; a++) off = off * s[a]! + unit[a - 2]!;
  const plane = s.slice(2).reduce((p, n) => p * n, 1);
  return Array.from({ length: s[1]! }, (_, c) => t.data[c * plane + off]!);
}

/** The extent per spatial axis (highest − lowest index + 1, 0 when none; −1 for an axis not in `axes`) of node `id`'s unit `unit` on model pm. */
export function bruteExtent(pm: ModelGraph, id: number, unit: readonly number[], axes?: readonly number[]): number[] {
  const input = pm.nodes[pm.inputs[0]!]!;
  const shape = [1, ...(input.args.shape as number[])];
  const spatial = shape.slice(2);
  const at = (data: Float64Array) => {
    const r = run(pm, { precision: "f64", probe: true, keep: true, inputs: { [input.label]: { shape, data } } });
    if (r.diagnostics.length > 0) throw new Error(r.diagnostics[0]!.message);
    return valuesAt(r.tensors[id]!, unit);
  };
  const total = shape.reduce((p, n) => p * n, 1);
  const base = at(new Float64Array(total));
  return spatial.map((n, axis) => {
    if (axes && !axes.includes(axis)) return -1;
    const inner = spatial.slice(axis + 1).reduce((p, k) => p * k, 1);
    const hits: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = new Float64Array(total);
      // Every element whose index along `axis` is i: (i / inner) mod n over the flat layout.
      for (let e = 0; e < total; e++) if (Math.floor(e / inner) % n === i) x[e] = 1;
      const v = at(x);
      if (v.some((y, c) => y !== base[c])) hits.push(i);
    }
    return hits.length === 0 ? 0 : hits[hits.length - 1]! - hits[0]! + 1;
  });
}
