/**
 * Argument schemas of layer families: names, positional order, defaults and types. The
 * expander (src/graph) reads these to resolve a call's arguments into the graph IR.
 */
import { dict } from "../util/dict.js";

import type { ArgValue } from "../graph/ir.js";

export type { ArgValue };

export type ArgType =
  /** an integer, at least `min` (default 0) */
  | { readonly t: "int"; readonly min?: number }
  /** any real number within [min, max] */
  | { readonly t: "real"; readonly min?: number; readonly max?: number }
  | { readonly t: "bool" }
  | { readonly t: "word"; readonly words: readonly string[] }
  /** one integer for every spatial axis, or a list with one per axis */
  | { readonly t: "ints"; readonly min?: number }
  /** one real for every spatial axis, or a list (upsample's scale) */
  | { readonly t: "reals"; readonly min?: number }
  /** an integer, `valid` / `same` / `full`, or a list of integers or [before, after] pairs */
  | { readonly t: "padding" }
  /** a list of integers, one of which may be -1 (reshape) */
  | { readonly t: "shape" }
  /** an integer axis, negative counting from the end */
  | { readonly t: "axis" }
  /** a list of axes (0 = channels, negative from the end; one axis alone may be written bare) or the word `all` */
  | { readonly t: "axes" }
  /**
   * a bound tensor, by name, whose shape (not its values) the layer reads: expansion makes it
   * an extra operand of the node and stores its position among the node's inputs
   */
  | { readonly t: "tensor" };

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  /** Absent: the argument is required. `null`: optional with no value (e.g. a pool's stride = kernel). */
  readonly default?: ArgValue;
  /** Only after the positional ones: may not be given by position. */
  readonly namedOnly?: boolean;
  readonly doc?: string;
  /**
   * A value given by position at or above this is most likely another argument in PyTorch's
   * order (`batchnorm(16)` for BatchNorm2d(16), whose 16 is the channel count): a warning.
   */
  readonly usualBelow?: number;
}

export interface KindInfo {
  /** The canonical kind stored in the IR (aliases such as `linear` resolve to `dense`). */
  readonly kind: string;
  /** Spatial dimensionality fixed by the name (`conv2d` → 2); absent: taken from the input. */
  readonly dims?: 1 | 2 | 3;
}

export interface LayerSchema {
  /** The family's name, e.g. "conv". */
  readonly family: string;
  /** Every name a user may write for this family. */
  readonly kinds: Readonly<Record<string, KindInfo>>;
  readonly args: readonly ArgSpec[];
  /** Merges take tensors as their positional operands (concat, add, mul). */
  readonly merge?: boolean;
  /**
   * It gives several tensors (split): written only as `a, b = x -> split(...)`, it expands into
   * one node per part, each with the argument `part` (0, 1, ...) added.
   */
  readonly parts?: boolean;
  readonly summary: string;
}

/** Builds `{conv: {kind:"conv"}, conv1d: {kind:"conv1d", dims:1}, ...}` for a dimensioned family. */
export function dimensioned(base: string, opts: { bare?: boolean } = {}): Record<string, KindInfo> {
  const out = dict<KindInfo>();
  if (opts.bare !== false) out[base] = { kind: base };
  for (const d of [1, 2, 3] as const) out[`${base}${d}d`] = { kind: `${base}${d}d`, dims: d };
  return out;
}

export const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"] as const;
