/**
 * The backward pass: from gradients seeded at any nodes' outputs, the gradients with respect
 * to every model input and every layer parameter, by each family's backward kernel in reverse
 * execution order. Needs a forward run made with `keep: true`.
 */
import type { LayerParams, Tensor } from "./tensor.js";
import { noCounter } from "./kernels/api.js";
import { alloc } from "./kernels/util.js";
import { execOp } from "./ops/index.js";
import type { RunResult } from "./runtime.js";

export interface Gradients {
  /** dL/d(input) by input name. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** dL/d(parameter) by node id and parameter name. */
  readonly params: ReadonlyMap<number, LayerParams>;
}

function accumulate(into: Map<number, Tensor>, id: number, g: Tensor): void {
  const prev = into.get(id);
  if (!prev) {
    into.set(id, g);
    return;
  }
  const sum = alloc(prev.data, prev.data.length);
  for (let i = 0; i < sum.length; i++) sum[i] = prev.data[i]! + g.data[i]!;
  into.set(id, { shape: prev.shape, data: sum });
}

/** Back-propagates `seeds` (dL/d(output of node id)) through a kept forward run. */
export function backward(r: RunResult, seeds: ReadonlyMap<number, Tensor>): Gradients {
  const grads = new Map<number, Tensor>(seeds);
  const paramGrads = new Map<number, LayerParams>();
  const ctx = { counter: noCounter, probe: r.probe, skipParamGrads: r.probe };
  const nodes = r.model.nodes;
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    if (node.kind === "input") continue;
    const dy = grads.get(node.id);
    if (!dy) continue;
    grads.delete(node.id);
    const y = r.tensors[node.id];
    const xs = node.inputs.map((i) => r.tensors[i]);
    if (!y || xs.some((x) => !x)) throw new Error("backward needs a forward run made with keep: true");
    const g = execOp(node.family)!.backward(node, xs as Tensor[], y, dy, r.params.get(node.id) ?? {}, ctx);
    node.inputs.forEach((i, j) => accumulate(grads, i, g.dxs[j]!));
    if (g.dparams) paramGrads.set(node.id, g.dparams);
  }
  const inputs: Record<string, Tensor> = {};
  for (const id of r.model.inputs) {
    const node = nodes[id]!, t = r.tensors[id]!;
    inputs[node.label] = grads.get(id) ?? { shape: [...t.shape], data: alloc(t.data, t.data.length) };
  }
  return { inputs, params: paramGrads };
}
