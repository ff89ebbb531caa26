/**
 * The graph IR: one DAG per model, with blocks, parameters, expressions, defaults and repeats
 * already expanded. Every later stage (analysis, execution, export, reports) reads only this.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { BinaryOp, BlockDecl, CompareOp } from "../ast/nodes.js";

/** A resolved hyper-parameter. Integers are safe JS integers. */
export type ArgValue = number | boolean | string | null | readonly ArgValue[];

/** One block call on the way to a node: its instance name (`as` label or `<block>_<n>`). */
export interface BlockFrame {
  readonly name: string;
  readonly block: string;
  readonly span: Span;
}

/**
 * A node: a model input (kind "input", family "input", args.shape), a learnable tensor (kind
 * "param" or "buffer", family "declared_tensor", args.shape and args.trainable) or a layer. Every node
 * produces exactly one tensor, identified by the node's id (its index in `ModelGraph.nodes`).
 */
export interface LayerNode {
  readonly id: number;
  /** Canonical kind: aliases resolved (`linear` → `dense`, `zeropad` → `pad`). */
  readonly kind: string;
  /** The layer family (src/families) that holds this kind's rules. */
  readonly family: string;
  /** Spatial dimensionality fixed by the written name (`conv2d` → 2), if any. */
  readonly dims?: 1 | 2 | 3;
  /** The name as written (`linear`, `conv2d`). */
  readonly op: string;
  /** Every hyper-parameter of the family, defaults filled in. */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** Ids of the nodes whose tensors this node reads, in order. */
  readonly inputs: readonly number[];
  /** `as NAME`, or `<op>_<n>` numbered per model in expansion order. */
  readonly label: string;
  readonly explicitLabel: boolean;
  /** The call that created the node. */
  readonly span: Span;
  /** Block calls from the model down to this node. */
  readonly blocks: readonly BlockFrame[];
  /** `model/blockcall/.../label`, unique within the model. */
  readonly path: string;
  /** Warning codes silenced where the node was made (`allow` in its model or blocks). */
  readonly allow?: readonly string[];
}

/** A block call, `as`-labelled or not: a name that assertions can refer to. */
export interface BlockCallInfo {
  readonly name: string;
  readonly block: string;
  readonly path: string;
  /** The node that produces the block's output (of a block with several results, the first kept). */
  readonly output: number;
  /**
   * A block with several named outputs (an extension beyond 1.1): each result's name in the
   * block and its node, in declaration order (those no output needs are left out by pruning).
   */
  readonly results?: readonly { readonly name: string; readonly node: number }[];
  /** Ids of every node the call created. */
  readonly members: readonly number[];
  readonly span: Span;
  /** Depth in the call tree (1 = called from the model body). */
  readonly depth: number;
}

export type Quantity =
  | "params" | "trainable_params" | "non_trainable_params" | "macs" | "flops"
  | "memory" | "peak_memory" | "training_memory" | "param_memory"
  | "shape" | "rf" | "layers";

/** What an assert's quantity is about: a whole model (no target), a layer, block call or tensor. */
export interface Target {
  readonly name: string;
  readonly span: Span;
  /** The node whose output tensor the name stands for. */
  readonly node: number;
  /** The nodes it covers (a block call: all its layers; a layer or tensor: itself). */
  readonly members: readonly number[];
}

export type AssertExpr =
  | { readonly kind: "number"; readonly value: bigint | number; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly AssertExpr[]; readonly span: Span }
  | { readonly kind: "quantity"; readonly quantity: Quantity; readonly target?: Target; readonly span: Span }
  | { readonly kind: "neg"; readonly operand: AssertExpr; readonly span: Span }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: AssertExpr; readonly right: AssertExpr; readonly span: Span }
  /** A built-in function of numbers (src/graph/arith.ts): `make_divisible(params, 8)`. */
  | { readonly kind: "function"; readonly name: string; readonly args: readonly AssertExpr[]; readonly span: Span };

export interface AssertIR {
  readonly lhs: AssertExpr;
  readonly op: CompareOp;
  readonly rhs: AssertExpr;
  readonly span: Span;
  /** The assert line's source text, for reports. */
  readonly text: string;
}

export interface ModelGraph {
  readonly name: string;
  readonly file: string;
  readonly span: Span;
  /** Inputs first (kind "input"), then layers, in a valid execution order. */
  readonly nodes: readonly LayerNode[];
  /** Ids of the input nodes, in declaration order. */
  readonly inputs: readonly number[];
  /** The model's results in declaration order: `output p3 = ...` is named p3, `output ...` "output". */
  readonly outputs: readonly { readonly name: string; readonly node: number; readonly span: Span }[];
  /** Tensor names bound in the model body (inputs and `NAME = ...`). */
  readonly tensors: Readonly<Record<string, number>>;
  readonly blockCalls: readonly BlockCallInfo[];
  readonly asserts: readonly AssertIR[];
}

export interface Graph {
  readonly models: readonly ModelGraph[];
}

/** True for a layer node (not a model input). */
export function isLayer(n: LayerNode): boolean {
  return n.kind !== "input";
}

/** A block definition and the file it was written in. */
export interface BlockDef {
  readonly decl: BlockDecl;
  readonly file: string;
}

/** Labels given to a repeated step (`conv3(64) * 2 as stage`) stand for the last repetition. */
export interface LabelAlias {
  readonly node: number;
  readonly members: readonly number[];
}

/** True for a `param` or `buffer` node: a tensor declared by a statement, with no inputs. */
export function isDeclaredTensor(n: LayerNode): boolean {
  return n.kind === "param" || n.kind === "buffer";
}
