/**
 * What the static analyzer returns: per-layer facts, per-model totals, assertion results.
 * Plain data; every count is an exact bigint. Reports, checks, diff and verification all
 * read these types. Field names here are a contract (JSON output, verify): add, don't rename.
 */
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import type { AbortLike } from "../util/stop.js";
import type { AssertIR, Graph, ModelGraph } from "../graph/ir.js";

export type DType = "float32" | "float16" | "bfloat16" | "int8";
export type Optimizer = "sgd" | "momentum" | "adam";

export const DTYPE_BYTES: Readonly<Record<DType, number>> = { float32: 4, float16: 2, bfloat16: 2, int8: 1 };
export const OPTIMIZER_STATES: Readonly<Record<Optimizer, number>> = { sgd: 0, momentum: 1, adam: 2 };

export interface AnalyzeOptions {
  /** Batch size (default 1). */
  readonly batch?: number;
  /** Element type of activations and parameters (default float32). */
  readonly dtype?: DType;
  /** Optimizer whose state the training-memory estimate includes (default sgd). */
  readonly optimizer?: Optimizer;
  /** Turn warnings that flag dropped input rows/columns into errors. */
  readonly strict?: boolean;
  /** Source text by file name, so assertion failures can name their line (optional). */
  readonly sources?: (file: string) => string | undefined;
  /**
   * Evaluate the spec's `assert` lines (default true). `false` skips them with one info note
   * per model (CS3016) giving `assertsSkipped` as the reason: e.g. `verify --input-scale`,
   * whose shrunken input is not the size the asserts describe.
   */
  readonly asserts?: boolean;
  readonly assertsSkipped?: string;
  /** Stop the analysis (one CS6007 diagnostic, no models) when the signal aborts or the deadline passes. */
  readonly signal?: AbortLike;
  readonly deadlineMs?: number;
}

export type { FieldPhases, ReceptiveField } from "../families/field.js";
import type { ReceptiveField } from "../families/field.js";

export interface LayerFacts {
  /** Node id in the graph IR. */
  readonly node: number;
  /** The layer's label (`as NAME` or `<kind>_<n>`). */
  readonly name: string;
  /** Canonical kind (`conv2d`, `dense`, ...). */
  readonly kind: string;
  /** Block calls that made it, joined by "/" ("" at model level). */
  readonly block: string;
  /** `model/blockcalls/label`. */
  readonly path: string;
  readonly span: Span;
  /** Input shapes without the batch axis, one per input. */
  readonly inputShapes: readonly (readonly number[])[];
  /** Output shape without the batch axis. */
  readonly outputShape: readonly number[];
  /**
   * Parameters as PyTorch counts them, sum(p.numel()): weights, biases, batchnorm γ and β.
   * Buffers such as batchnorm's running mean and variance are not here but in nonTrainableParams.
   */
  readonly params: bigint;
  /** Parameters an optimizer updates (equal to params: convspec has no frozen layers). */
  readonly trainableParams: bigint;
  /** Buffers (Keras' "non-trainable params"): batchnorm running mean and variance. */
  readonly nonTrainableParams: bigint;
  /** Multiply-accumulates at the given batch size. */
  readonly macs: bigint;
  /** Floating-point operations at the given batch size (docs/counting.md, "How convspec counts"). */
  readonly flops: bigint;
  /** Bytes of this layer's output tensor: batch · ∏ outputShape · dtype size. */
  readonly activationBytes: bigint;
  readonly rf: ReceptiveField;
}

export interface Totals {
  /** PyTorch's sum(p.numel()) over the model; buffers excluded (see nonTrainableParams). */
  readonly params: bigint;
  readonly trainableParams: bigint;
  readonly nonTrainableParams: bigint;
  readonly macs: bigint;
  readonly flops: bigint;
  /** Bytes of all parameters and buffers (params + nonTrainableParams). */
  readonly paramBytes: bigint;
  /** Sum of every layer's output bytes (inputs not included). */
  readonly activationBytes: bigint;
  /** Most bytes of activations (inputs included) alive at once when each tensor is freed after its last use. */
  readonly peakActivationBytes: bigint;
  /** params + gradients + optimizer state + activations kept for the backward pass. */
  readonly trainingBytes: bigint;
}

/** An evaluated side of an assert: an exact count, a fraction (`0.5`), or a list per axis. */
export type AssertValue = bigint | number | readonly (bigint | number)[];

export interface AssertResult {
  readonly assert: AssertIR;
  readonly pass: boolean;
  /** The evaluated left and right sides, as text for reports (`61,706`, `[96, 55, 55]`). */
  readonly actual: string;
  readonly expected: string;
  /** The same sides as values (counts are exact bigints); absent when the assert could not be evaluated. */
  readonly actualValue?: AssertValue;
  readonly expectedValue?: AssertValue;
  /** The failure message (names both values and the gap), or "" when it passes. */
  readonly message: string;
}

export interface ModelAnalysis {
  readonly name: string;
  readonly file: string;
  readonly graph: ModelGraph;
  readonly batch: number;
  readonly dtype: DType;
  readonly optimizer: Optimizer;
  /** Input shapes without the batch axis, by input name. */
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly outputs: Readonly<Record<string, readonly number[]>>;
  /** One entry per layer (inputs excluded), in execution order. */
  readonly layers: readonly LayerFacts[];
  readonly totals: Totals;
  readonly asserts: readonly AssertResult[];
}

export interface AnalysisResult {
  readonly models: readonly ModelAnalysis[];
  readonly diagnostics: readonly Diagnostic[];
}

/** analyze(graph, options): the static analysis of every model in a compiled graph. */
export type Analyze = (graph: Graph, options?: AnalyzeOptions) => AnalysisResult;
