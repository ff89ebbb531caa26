/** Reordering the axes (PyTorch's `permute` on the non-batch axes; 0 = channels). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import { ints, type Emitter } from "../../onnx/emit.js";
import type { ExecOp } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import { showShape, type Family, type LayerRules } from "../types.js";
import { notSpatialField } from "../view_fields.js";
import { permuteBackward, permuteForward } from "./kernel.js";

export const permuteSchema: LayerSchema = {
  family: "permute",
  summary: "reorder the axes (0 = channels)",
  kinds: { permute: { kind: "permute" } },
  args: [{ name: "order", type: { t: "ints", min: 0 } }],
};

/** The written order as a list (a single number is a one-axis order). */
function orderOf(node: LayerNode): number[] {
  const v = node.args.order;
  return Array.isArray(v) ? (v as number[]) : [v as number];
}

const identity = (order: readonly number[]) => order.every((a, k) => a === k);

// ── analysis rules ────────────────────────────────────────────────────────────

/**
 * Output axis k is input axis order[k]. The field: unchanged by the identity; any other order
 * leaves no spatial field (the report's "—"): moving channels into the spatial axes mixes what
 * a position means, and even a transpose of H and W gives a field along the tensor's axes that
 * no longer follow the input's (the probe, which measures along the input's axes, could not
 * check it).
 */
export const permuteRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape, order = orderOf(ctx.node);
    const sorted = [...order].sort((a, b) => a - b);
    if (order.length === x.length && sorted.every((a, k) => a === k)) return order.map((a) => x[a]!);
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
      layer: ctx.node.label, reason: `order [${order.join(", ")}] is not a reordering of the ${x.length} axes of ${showShape(x)}`,
    }, { hint: `list each of 0 to ${x.length - 1} once (0 = channels), e.g. [${x.map((_, a) => a).reverse().join(", ")}]` }));
    return undefined;
  },
  rf: (ctx) => (identity(orderOf(ctx.node)) ? ctx.inputs[0]!.rf : notSpatialField(ctx.inputs[0]!.rf, `${ctx.node.label}: it reorders the axes ([${orderOf(ctx.node).join(", ")}])`)),
};

// ── execution ─────────────────────────────────────────────────────────────────

const permuteExec: ExecOp = {
  forward: (node, [x]) => permuteForward(x!, orderOf(node)),
  backward: (node, [x], _y, dy) => ({ dxs: [permuteBackward(x!, orderOf(node), dy)] }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** Transpose with the batch axis kept first. */
const permuteOnnx: Emitter = (c) => c.b.node("Transpose", [c.ins[0]!], { perm: ints([0, ...orderOf(c.node).map((a) => a + 1)]) }, c.node.label);

export const permute: Family = {
  schema: permuteSchema, rules: permuteRules, exec: permuteExec, onnx: permuteOnnx,
  // Moving channels needs them all; a field that is not spatial is not measured.
  probe: { wide: (node) => orderOf(node)[0] !== 0 },
};
