/** Global and adaptive pooling (PyTorch's AdaptiveAvgPool / AdaptiveMaxPool). */
import type { LayerSchema } from "./schema.js";

export const globalPoolSchema: LayerSchema = {
  family: "global_pool",
  summary: "pool every spatial axis to size 1",
  kinds: { global_avgpool: { kind: "global_avgpool" }, global_maxpool: { kind: "global_maxpool" } },
  args: [],
};

export const adaptivePoolSchema: LayerSchema = {
  family: "adaptive_pool",
  summary: "pool to a given output size",
  kinds: {
    adaptive_avgpool: { kind: "adaptive_avgpool" },
    adaptive_maxpool: { kind: "adaptive_maxpool" },
    adaptive_avgpool1d: { kind: "adaptive_avgpool", dims: 1 },
    adaptive_avgpool2d: { kind: "adaptive_avgpool", dims: 2 },
    adaptive_avgpool3d: { kind: "adaptive_avgpool", dims: 3 },
    adaptive_maxpool1d: { kind: "adaptive_maxpool", dims: 1 },
    adaptive_maxpool2d: { kind: "adaptive_maxpool", dims: 2 },
    adaptive_maxpool3d: { kind: "adaptive_maxpool", dims: 3 },
  },
  args: [{ name: "output_size", type: { t: "ints", min: 1 } }],
};
