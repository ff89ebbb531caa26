/** Convolution, 1-D to 3-D (cross-correlation, as PyTorch's Conv{1,2,3}d). */
import { dimensioned, PADDING_MODES, type LayerSchema } from "./schema.js";

export const convSchema: LayerSchema = {
  family: "conv",
  summary: "convolution (cross-correlation) over 1, 2 or 3 spatial axes",
  kinds: dimensioned("conv"),
  args: [
    { name: "out_channels", type: { t: "int", min: 1 } },
    { name: "kernel", type: { t: "ints", min: 1 } },
    { name: "stride", type: { t: "ints", min: 1 }, default: 1 },
    { name: "padding", type: { t: "padding" }, default: 0 },
    { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
    { name: "groups", type: { t: "int", min: 1 }, default: 1 },
    { name: "bias", type: { t: "bool" }, default: true },
    { name: "padding_mode", type: { t: "word", words: PADDING_MODES }, default: "zeros" },
  ],
};
