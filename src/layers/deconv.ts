/** Transposed convolution, 1-D to 3-D (PyTorch's ConvTranspose{1,2,3}d). */
import { dimensioned, type LayerSchema } from "./schema.js";

export const deconvSchema: LayerSchema = {
  family: "deconv",
  summary: "transposed convolution (fractionally strided)",
  kinds: dimensioned("deconv"),
  args: [
    { name: "out_channels", type: { t: "int", min: 1 } },
    { name: "kernel", type: { t: "ints", min: 1 } },
    { name: "stride", type: { t: "ints", min: 1 }, default: 1 },
    { name: "padding", type: { t: "padding" }, default: 0 },
    { name: "output_padding", type: { t: "ints", min: 0 }, default: 0 },
    { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
    { name: "groups", type: { t: "int", min: 1 }, default: 1 },
    { name: "bias", type: { t: "bool" }, default: true },
  ],
};
