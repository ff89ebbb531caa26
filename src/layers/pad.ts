/** Explicit padding of the spatial axes. */
import { PADDING_MODES, type LayerSchema } from "./schema.js";

export const padSchema: LayerSchema = {
  family: "pad",
  summary: "pad the spatial axes (zeros, a constant, reflect, replicate, circular)",
  kinds: { pad: { kind: "pad" }, zeropad: { kind: "pad" } },
  args: [
    { name: "p", type: { t: "padding" } },
    { name: "mode", type: { t: "word", words: [...PADDING_MODES, "constant"] }, default: "zeros" },
    { name: "value", type: { t: "real" }, default: 0 },
  ],
};
