/**
 * What the receptive-field probe needs to know about a layer family, in one place (the family
 * registry will provide these facts; until then they are read from the family's name here and
 * nowhere else in the probe).
 */
import type { ArgValue, LayerNode } from "../graph/ir.js";

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
}

const mirrorModes = (v: unknown): boolean => v === "reflect" || v === "replicate" || v === "circular";

/** The probe's facts about one node. */
export function probeFacts(n: LayerNode): ProbeFacts {
  const narrow: Record<string, Record<string, ArgValue>> = {
    conv: { out_channels: 1, groups: 1 }, deconv: { out_channels: 1, groups: 1 }, dense: { units: 1 }, channel_maxpool: { k: 1 },
  };
  const scale = n.args.scale;
  return {
    ...(narrow[n.family] ? { narrow: narrow[n.family] } : {}),
    varying: n.family === "upsample" || n.family === "deconv",
    mirrors: mirrorModes(n.args.padding_mode) || (n.family === "pad" && mirrorModes(n.args.mode)),
    sizeDependent: (rank) => {
      if (n.family === "adaptive_pool") return ([] as unknown[]).concat(n.args.output_size).some((o) => o !== 1);
      const axis = typeof n.args.axis === "number" ? n.args.axis : 0;
      return n.family === "softmax" && (axis < 0 ? axis + rank : axis) >= 1;
    },
    ...(n.family === "upsample"
      ? { rescale: (f: number) => ({ ...n.args, scale: Array.isArray(scale) ? scale.map((s) => (s as number) * f) : (scale as number) * f }) }
      : {}),
  };
}
