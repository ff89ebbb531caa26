/**
 * The execution face of a layer family: the parameters it allocates for the input it is given,
 * and its forward and backward passes, which call the family's reference kernels (kernel.ts)
 * with the tensors they are handed.
 */
import type { LayerNode } from "../graph/ir.js";
import type { LayerParams, Tensor } from "../exec/tensor.js";
import type { MacCounter } from "../exec/kernels/api.js";
import { ExecError, withShape } from "../exec/kernels/util.js";

/** How a parameter tensor is initialized (see ../exec/init.ts). */
export type InitKind = "weight" | "bias" | "gamma" | "beta" | "mean" | "var";

/** One parameter (or buffer) a layer allocates, in PyTorch's layout. */
export interface ParamSpec {
  readonly shape: readonly number[];
  readonly init: InitKind;
  /** Inputs feeding each output unit (He initialization's fan-in). */
  readonly fanIn?: number;
  /** False for buffers such as batch norm's running statistics. */
  readonly trainable: boolean;
}

export interface OpContext {
  readonly counter: MacCounter;
  /**
   * The receptive-field probe: nonlinearities pass values and gradients through unchanged,
   * max-type reductions send gradients to every element of their window, and mixing layers
   * whose gradients can cancel (softmax, LRN, layer norm) use positive surrogates; `mul`
   * passes dy to each factor unscaled, as `add` does (products of products underflow).
   */
  readonly probe: boolean;
  /** Backward only: parameter gradients are not needed (the probe wants input gradients). */
  readonly skipParamGrads?: boolean;
}

/** The gradients of one layer: one per input (same shapes), and per parameter name. */
export interface OpGrads {
  readonly dxs: readonly Tensor[];
  readonly dparams?: Readonly<Record<string, Tensor>>;
}

export interface ExecOp {
  /** The output is the layer's own parameter (`param`, `buffer`): not counted as an activation. */
  readonly parameter?: boolean;
  /** The parameters this layer allocates for inputs of these full shapes (batch first). */
  params?(node: LayerNode, inputs: readonly (readonly number[])[]): Record<string, ParamSpec>;
  forward(node: LayerNode, xs: readonly Tensor[], p: LayerParams, ctx: OpContext): Tensor;
  /** Gradients given the layer's inputs, its output y and dL/dy. */
  backward(node: LayerNode, xs: readonly Tensor[], y: Tensor, dy: Tensor, p: LayerParams, ctx: OpContext): OpGrads;
}

/** Parameter gradients with the bias gradient added when the layer has a bias. */
export function withBias(d: Record<string, Tensor>, db: Tensor | undefined): Record<string, Tensor> {
  if (db) d.bias = db;
  return d;
}

/** A full-shape axis (batch first) from an axis written without the batch axis (0 = channels, −1 = last). */
export function fullAxis(axis: number, rank: number): number {
  const full = axis < 0 ? rank + axis : axis + 1;
  if (full < 1 || full >= rank) throw new ExecError(`axis ${axis} is out of range for a rank-${rank - 1} tensor`);
  return full;
}

/** Layers that copy their input into a new shape (identity, dropout at inference, flatten, reshape). */
export function copyExec(shape: (node: LayerNode, x: Tensor) => number[]): ExecOp {
  return {
    forward: (node, [x]) => withShape(x!, shape(node, x!)),
    backward: (_node, [x], _y, dy) => ({ dxs: [withShape(dy, x!.shape)] }),
  };
}
