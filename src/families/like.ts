/**
 * `like=t` arguments: a layer whose output size is another tensor's spatial size (a U-Net skip
 * cropped to the upsampled map, an image-pooling branch resized to the feature map), so the
 * spec keeps working at every input size. Expansion makes t an extra input of the node and
 * stores its position in the argument; only t's shape is read, so its gradient is zero.
 */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { Tensor } from "../exec/tensor.js";
import { alloc } from "../exec/kernels/util.js";
import type { LayerNode } from "../graph/ir.js";
import type { ArgSpec } from "./schema.js";
import { showShape, type LayerContext } from "./types.js";
import { sourceName } from "./window.js";

/** The schema entry of a `like` argument. */
export const LIKE_ARG: ArgSpec = { name: "like", type: { t: "tensor" }, default: null, namedOnly: true, doc: "a tensor whose spatial size to take" };

/** The input position of the `like` tensor, if the call gave one. */
export function likeInput(node: LayerNode): number | undefined {
  const v = node.args.like;
  return typeof v === "number" ? v : undefined;
}

/**
 * The spatial sizes of the `like` tensor; undefined when none was given; "error" (after a
 * CS3001 diagnostic) when its rank differs from the input's.
 */
export function likeSizes(ctx: LayerContext): number[] | undefined | "error" {
  const i = likeInput(ctx.node);
  if (i === undefined) return undefined;
  const x = ctx.inputs[0]!.shape, t = ctx.inputs[i]!;
  if (t.shape.length === x.length) return t.shape.slice(1);
  ctx.diags.push(diag(messages.rankMismatch, ctx.node.span, {
    layer: ctx.node.label, op: ctx.node.op, expected: `like= a tensor of the input's rank ${x.length} (${showShape(x)})`, shape: showShape(t.shape), source: sourceName(t.node),
  }, { hint: "like= takes the spatial size of a tensor with as many axes as the input" }));
  return "error";
}

/** The spatial sizes of the `like` tensor an executing node was handed (batch and channels dropped). */
export function likeOf(node: LayerNode, xs: readonly Tensor[]): number[] | undefined {
  const i = likeInput(node);
  return i === undefined ? undefined : xs[i]!.shape.slice(2);
}

/** Gradients for every input: `dx` for the first, zeros for the tensors read only for their shapes. */
export function withShapeOnlyGrads(dx: Tensor, xs: readonly Tensor[]): Tensor[] {
  return [dx, ...xs.slice(1).map((t) => ({ shape: [...t.shape], data: alloc(t.data, t.data.length) }))];
}
