/**
 * The backward pass: from gradients seeded at any nodes' outputs, the gradients with respect
 * to every model input and every layer parameter, by each family's backward kernel in reverse
 * execution order. Needs a forward run made with `keep: true`.
 */
import type { LayerParams, Tensor } from "./tensor.js";
import { noCounter } from "./kernels/api.js";
import { addNonZero, forgetRegion, type BufferPool } from "./kernels/sparse.js";
import { alloc } from "./kernels/util.js";
import { familyOf } from "../families/registry.js";
import type { RunResult } from "./runtime.js";
import { dict } from "../util/dict.js";

export interface Gradients {
  /** dL/d(input) by input name. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** dL/d(parameter) by node id and parameter name. */
  readonly params: ReadonlyMap<number, LayerParams>;
  /** The node at which `atCut` stopped the pass (then `inputs` and `params` are empty). */
  readonly stoppedAt?: number;
}

export interface BackwardOptions {
  /**
   * Buffers to recycle (the receptive-field probe's many passes): kernels allocate their
   * gradients from it, and every gradient is given back to it once used. The seeds and the
   * returned input gradients stay the caller's.
   */
  readonly pool?: BufferPool;
  /**
   * Called before a node is back-propagated when its gradient is the only one pending (every
   * path from the seeds to the inputs passes through it, and its gradient is complete);
   * returning true stops the pass there (the receptive-field probe's shared tails).
   */
  readonly atCut?: (id: number, g: Tensor) => boolean;
  /** The seeds' recorded regions (sparse.ts `setRegion`) are current: the caller just wrote them. */
  readonly seedRegions?: boolean;
}

/** Back-propagates `seeds` (dL/d(output of node id)) through a kept forward run. */
export function backward(r: RunResult, seeds: ReadonlyMap<number, Tensor>, opts: BackwardOptions = {}): Gradients {
  const pool = opts.pool;
  return pool ? pool.use(() => backwardPass(r, seeds, pool, opts)) : backwardPass(r, seeds, undefined, opts);
}

function backwardPass(r: RunResult, seeds: ReadonlyMap<number, Tensor>, pool: BufferPool | undefined, { atCut, seedRegions }: BackwardOptions): Gradients {
  const grads = new Map<number, Tensor>(seeds);
  const callers = new Set([...seeds.values()].map((t) => t.data));
  // A seed may be an earlier pass's gradient written to since: read all of it.
  if (!seedRegions) for (const t of seeds.values()) forgetRegion(t);
  const paramGrads = new Map<number, LayerParams>();
  const ctx = { counter: noCounter, probe: r.probe, skipParamGrads: r.probe };
  const nodes = r.model.nodes;
  // Sums a gradient into the one already held for node id: in place into a buffer this pass
  // made (visiting only g's non-zero part), then g is no longer needed.
  const accumulate = (id: number, g: Tensor): void => {
    const prev = grads.get(id);
    if (!prev) {
      grads.set(id, g);
    } else if (!callers.has(prev.data)) {
      addNonZero(prev, g);
      if (!callers.has(g.data)) pool?.give(g);
    } else {
      const sum = alloc(prev.data, prev.data.length);
      for (let i = 0; i < sum.length; i++) sum[i] = prev.data[i]! + g.data[i]!;
      grads.set(id, { shape: prev.shape, data: sum });
    }
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    if (node.kind === "input") continue;
    const dy = grads.get(node.id);
    if (!dy) continue;
    if (atCut && grads.size === 1 && atCut(node.id, dy)) {
      if (pool && !callers.has(dy.data)) pool.give(dy);
      return { inputs: dict<Tensor>(), params: new Map(), stoppedAt: node.id };
    }
    grads.delete(node.id);
    const y = r.tensors[node.id];
    const xs = node.inputs.map((i) => r.tensors[i]);
    if (!y || xs.some((x) => !x)) throw new Error("backward needs a forward run made with keep: true");
    const g = familyOf(node.family)!.exec.backward(node, xs as Tensor[], y, dy, r.params.get(node.id) ?? {}, ctx);
    // Gradients are summed in place: one buffer returned for two inputs is copied first.
    const dxs = g.dxs.map((d, j) => (g.dxs.findIndex((e) => e.data === d.data) < j ? { shape: d.shape, data: d.data.slice() } : d));
    node.inputs.forEach((i, j) => accumulate(i, dxs[j]!));
    if (pool && !callers.has(dy.data) && !dxs.some((d) => d.data === dy.data)) pool.give(dy);
    if (g.dparams) paramGrads.set(node.id, g.dparams);
  }
  const inputs = dict<Tensor>();
  for (const id of r.model.inputs) {
    const node = nodes[id]!, t = r.tensors[id]!;
    inputs[node.label] = grads.get(id) ?? { shape: [...t.shape], data: alloc(t.data, t.data.length) };
  }
  return { inputs, params: paramGrads };
}
