/**
 * What the receptive-field probe needs to know about a node, read from its family's record
 * (`probe` in each src/families/NAME/family.ts): the probe never branches on a family's name.
 */
import type { ArgValue, LayerNode } from "../graph/ir.js";
import { familyOf } from "../families/registry.js";

export interface ProbeFacts {
  /** Arguments that make the layer one channel wide in the probe's copy (absent: width follows its input). */
  readonly narrow?: Readonly<Record<string, ArgValue>>;
  /** Units of its output see fields of different sizes (a transposed conv, an upsample). */
  readonly varying: boolean;
  /** A unit in its padding reads real input elements (reflect, replicate, circular padding). */
  readonly mirrors: boolean;
  /** Its field depends on the input's size beyond scaling (adaptive pooling to more than 1, softmax along a spatial axis of an output of `rank`). */
  readonly sizeDependent: (rank: number) => boolean;
  /**
   * Its arguments on an input `factor` times larger along every spatial axis when its own input
   * does not grow (an upsample of a globally pooled map back to the feature map's size); absent
   * when the layer needs no change.
   */
  readonly rescale?: (factor: number) => Record<string, ArgValue>;
  /** It needs the channel count it is given (first input of `inputRank`): the probe keeps every channel. */
  readonly wide: (inputRank: number) => boolean;
  /** What replaces it in a one-channel copy whose concats sum (absent: itself). */
  readonly summed?: { readonly kind: string; readonly family: string; readonly args: Readonly<Record<string, ArgValue>> };
}

/** The probe's facts about one node. */
export function probeFacts(n: LayerNode): ProbeFacts {
  const p = familyOf(n.family)?.probe ?? {};
  const narrow = typeof p.narrow === "function" ? p.narrow(n) : p.narrow;
  const rescale = p.rescale;
  const summed = p.summed?.(n);
  return {
    ...(summed ? { summed } : {}),
    ...(narrow ? { narrow } : {}),
    varying: p.varies === true,
    mirrors: p.mirrors?.(n) === true,
    sizeDependent: (rank) => p.sizeDependent?.(n, rank) === true,
    wide: (rank) => p.wide?.(n, rank) === true,
    ...(rescale ? { rescale: (f: number) => rescale(n, f) } : {}),
  };
}
