/**
 * The record of a layer family (`Family`) and its analysis face: output shape, parameter
 * count, cost and receptive-field step. The analyzer looks families up in registry.ts and
 * never branches on a layer's name.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ArgValue, LayerNode } from "../graph/ir.js";
import type { Emitter } from "../onnx/emit.js";
import type { ExecOp } from "./exec.js";
import type { LayerSchema } from "./schema.js";
import type { ReceptiveField } from "./field.js";

/** A tensor shape without the batch axis, channels first. */
export type Shape = readonly number[];

/** One operand of a layer: its shape, the node that made it, its receptive field. */
export interface Operand {
  readonly shape: Shape;
  readonly node: LayerNode;
  readonly rf: ReceptiveField;
}

/** What a rule sees: the node, its operands, and where to report problems. */
export interface LayerContext {
  readonly node: LayerNode;
  readonly inputs: readonly Operand[];
  /** Spatial extent of the model input, per axis (the field a global path sees). */
  readonly extent: readonly number[];
  /** Dropped-row warnings become errors. */
  readonly strict: boolean;
  readonly diags: Diagnostic[];
}

export interface ParamCount {
  /** PyTorch parameters (weights, biases, γ, β). */
  readonly trainable: bigint;
  /** Buffers such as batchnorm's running mean and variance. */
  readonly nonTrainable: bigint;
}

/** Per-sample arithmetic: multiply-accumulates and floating-point operations. */
export interface Cost {
  readonly macs: bigint;
  readonly flops: bigint;
}

/** A family's analysis rules; absent optional rules mean "none" (no params, no cost, field unchanged). */
export interface LayerRules {
  /** The output shape, or undefined after pushing a diagnostic that says why. */
  readonly shape: (ctx: LayerContext) => Shape | undefined;
  readonly params?: (ctx: LayerContext, out: Shape) => ParamCount;
  readonly cost?: (ctx: LayerContext, out: Shape) => Cost;
  readonly rf?: (ctx: LayerContext, out: Shape) => ReceptiveField;
  /** The output is a parameter or buffer (`param`, `buffer`), not an activation: no activation bytes. */
  readonly parameter?: boolean;
}

export const NO_PARAMS: ParamCount = { trainable: 0n, nonTrainable: 0n };
export const NO_COST: Cost = { macs: 0n, flops: 0n };

/** Exact product of sizes as a bigint. */
export function numel(shape: readonly number[]): bigint {
  let n = 1n;
  for (const d of shape) n *= BigInt(d);
  return n;
}

/** `[96, 55, 55]`. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Cost of `perElement` operations on every element of the output (no MACs). */
export function elementwiseCost(out: Shape, perElement: number | bigint): Cost {
  return { macs: 0n, flops: numel(out) * BigInt(perElement) };
}

/**
 * What the receptive-field probe (src/exec/rf.ts, src/verify) must know of a family beyond
 * its kernels. Every family states its facts, even when all are absent ("nothing special").
 */
export interface ProbeFacts {
  /** Arguments that make the layer one channel wide in the probe's copy of the model. */
  readonly narrow?: Readonly<Record<string, ArgValue>> | ((node: LayerNode) => Readonly<Record<string, ArgValue>>);
  /** Its output units see fields of different sizes (fractional jumps: upsampling, transposed conv). */
  readonly varies?: boolean;
  /** A unit in its padding reads real input elements (reflect, replicate, circular padding). */
  readonly mirrors?: (node: LayerNode) => boolean;
  /** Its field depends on the input's size beyond the usual scaling (output rank given). */
  readonly sizeDependent?: (node: LayerNode, rank: number) => boolean;
  /**
   * Its arguments on an input `factor` times larger along every spatial axis when its own input
   * does not grow (an upsample of a globally pooled map back to the feature map's size).
   */
  readonly rescale?: (node: LayerNode, factor: number) => Record<string, ArgValue>;
  /**
   * It needs the channel count it is given (a slice of channels, a pixel shuffle), so the probe
   * keeps every channel; `inputRank` is its first input's rank without the batch axis.
   */
  readonly wide?: (node: LayerNode, inputRank: number) => boolean;
  /**
   * In the one-channel copy, the layer is replaced by this one, whose every output position
   * depends on the same input positions (a concat along channels becomes the sum of its
   * one-channel operands: either way a position holds every operand's value at that position),
   * so that channels do not pile up in the copy.
   */
  readonly summed?: (node: LayerNode) => { readonly kind: string; readonly family: string; readonly args: Readonly<Record<string, ArgValue>> } | undefined;
}

/**
 * Everything convspec knows about one layer family: the names and arguments a user writes,
 * the analysis rules, the execution (parameters, forward, backward through the family's own
 * kernels), the probe's facts and the ONNX export. The registry (registry.ts) lists them;
 * the analyzer, runtime, probe, verifier and exporter look families up there and never
 * branch on a family's name.
 */
export interface Family {
  readonly schema: LayerSchema;
  readonly rules: LayerRules;
  readonly exec: ExecOp;
  readonly probe: ProbeFacts;
  readonly onnx: Emitter;
}
