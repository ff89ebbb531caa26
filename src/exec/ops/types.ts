/**
 * What the runtime needs of each layer family: the parameters it allocates for the input it
 * is given, its forward kernel and its backward kernel. Families are looked up by name in
 * ./index.ts; kernels read only node.args and the tensors they are handed.
 */
import type { LayerNode } from "../../graph/ir.js";
import type { LayerParams, Tensor } from "../tensor.js";
import type { MacCounter } from "../kernels/api.js";

/** How a parameter tensor is initialized (see ../init.ts). */
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
