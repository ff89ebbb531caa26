/** Windowed pooling: max, average and power-average (Lp), 1-D to 3-D. */
import { dimensioned, type ArgSpec, type LayerSchema } from "./schema.js";

const windowArgs: ArgSpec[] = [
  { name: "kernel", type: { t: "ints", min: 1 } },
  { name: "stride", type: { t: "ints", min: 1 }, default: null, doc: "defaults to the kernel size" },
  { name: "padding", type: { t: "padding" }, default: 0 },
  { name: "dilation", type: { t: "ints", min: 1 }, default: 1 },
  { name: "ceil", type: { t: "bool" }, default: false },
];

export const maxpoolSchema: LayerSchema = {
  family: "maxpool",
  summary: "max pooling",
  kinds: dimensioned("maxpool"),
  args: windowArgs,
};

export const avgpoolSchema: LayerSchema = {
  family: "avgpool",
  summary: "average pooling",
  kinds: dimensioned("avgpool"),
  args: [...windowArgs, { name: "count_pad", type: { t: "bool" }, default: true, namedOnly: true }],
};

export const lppoolSchema: LayerSchema = {
  family: "lppool",
  summary: "power-average pooling (sum of x^p)^(1/p)",
  kinds: dimensioned("lppool"),
  args: [...windowArgs, { name: "p", type: { t: "real", min: 1e-9 }, default: 2, namedOnly: true }],
};
