/**
 * Learnable tensors, `param NAME: [dims]` and `buffer NAME: [dims]` (LANGUAGE.md, "Learnable
 * tensors"): nodes without inputs whose value is the tensor itself. A param's elements are
 * trainable parameters, a buffer's are buffers; neither costs MACs or FLOPs, and neither is
 * an activation (it is stored with the parameters, and merges broadcast it). Declared by a
 * statement, not called as a layer: the family has no names a user writes.
 */
import type { LayerNode } from "../../graph/ir.js";
import { alloc } from "../../exec/kernels/util.js";
import { param, type Emitter } from "../../onnx/emit.js";
import type { ExecOp, ParamSpec } from "../exec.js";
import type { ReceptiveField } from "../field.js";
import type { LayerSchema } from "../schema.js";
import { numel, type Family, type LayerRules } from "../types.js";

export const tensorSchema: LayerSchema = {
  family: "declared_tensor",
  summary: "a learnable tensor (param) or a buffer, declared by a statement",
  kinds: {},
  args: [],
};

/** A tensor that depends on no input position: merges leave it out of their field. */
export const CONSTANT_FIELD: ReceptiveField = { size: [], jump: [], start: [], global: false, constant: true };

export const tensorRules: LayerRules = {
  shape: (ctx) => ctx.node.args.shape as number[],
  params(ctx, out) {
    const n = numel(out);
    return ctx.node.args.trainable === false ? { trainable: 0n, nonTrainable: n } : { trainable: n, nonTrainable: 0n };
  },
  rf: () => CONSTANT_FIELD,
  parameter: true,
};

// ── execution ─────────────────────────────────────────────────────────────────

const dims = (node: LayerNode) => node.args.shape as number[];

/**
 * The node's one parameter is its value, handed on with a batch axis of 1 so that merges
 * broadcast it over the batch; its gradient is dL/d(output) summed over that batch.
 */
const tensorExec: ExecOp = {
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

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** An initializer of shape [1, ...dims], so that Add and Mul broadcast it over the batch as the runtime does. */
const tensorOnnx: Emitter = (c) => {
  const v = param(c, "value");
  if (!v) return { refuse: "it has no value tensor" };
  return c.b.floats(c.node.path, v.data, [1, ...v.shape]);
};

export const tensor: Family = {
  schema: tensorSchema, rules: tensorRules, exec: tensorExec, onnx: tensorOnnx,
  // A param or buffer [C, ...] narrows with the channels it multiplies: [1, ...].
  probe: { narrow: (node) => ({ shape: [1, ...dims(node).slice(1)] }) },
};
