/**
 * Execution of learnable tensors (`param`, `buffer`): the node's one parameter is its value,
 * handed on with a batch axis of 1 so that merges broadcast it over the batch; its gradient
 * is dL/d(output) summed over that batch.
 */
import type { LayerNode } from "../../graph/ir.js";
import { alloc } from "../kernels/util.js";
import type { ExecOp, ParamSpec } from "./types.js";

const dims = (node: LayerNode) => node.args.shape as number[];

const tensorOp: ExecOp = {
  parameter: true,
  params(node): Record<string, ParamSpec> {
    const trainable = node.args.trainable !== false;
    // γ-like values around 1 (a buffer: positive, as running variances), never all equal.
    return { value: { shape: dims(node), init: trainable ? "gamma" : "var", trainable } };
  },
  forward(_node, _xs, p) {
    const v = p.value!;
    return { shape: [1, ...v.shape], data: v.data };
  },
  backward(_node, _xs, y, dy) {
    const n = y.data.length;
    const sum = alloc(dy.data, n);
    for (let b = 0; b < dy.shape[0]!; b++) for (let i = 0; i < n; i++) sum[i]! += dy.data[b * n + i]!;
    return { dxs: [], dparams: { value: { shape: y.shape.slice(1), data: sum } } };
  },
};

export const tensorOps: Readonly<Record<string, ExecOp>> = { tensor: tensorOp };
