/** Upsampling of the spatial axes by an integer scale. */
import type { LayerSchema } from "./schema.js";

export const upsampleSchema: LayerSchema = {
  family: "upsample",
  summary: "upsample the spatial axes by a scale factor",
  kinds: { upsample: { kind: "upsample" } },
  args: [
    { name: "scale", type: { t: "ints", min: 1 } },
    { name: "mode", type: { t: "word", words: ["nearest", "linear", "bilinear", "trilinear"] }, default: "nearest" },
  ],
};
