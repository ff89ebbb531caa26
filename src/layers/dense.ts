/** Fully connected layer (PyTorch's Linear) on a rank-1 input. */
import type { LayerSchema } from "./schema.js";

export const denseSchema: LayerSchema = {
  family: "dense",
  summary: "fully connected layer",
  kinds: { dense: { kind: "dense" }, linear: { kind: "dense" }, fc: { kind: "dense" } },
  args: [
    { name: "units", type: { t: "int", min: 1 } },
    { name: "bias", type: { t: "bool" }, default: true },
  ],
};
