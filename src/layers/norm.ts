/** Normalisation layers: batch norm, layer norm, local response norm. */
import type { LayerSchema } from "./schema.js";

export const batchnormSchema: LayerSchema = {
  family: "batchnorm",
  summary: "batch normalisation (inference: per-channel affine from running statistics)",
  kinds: {
    batchnorm: { kind: "batchnorm" },
    batchnorm1d: { kind: "batchnorm", dims: 1 },
    batchnorm2d: { kind: "batchnorm", dims: 2 },
    batchnorm3d: { kind: "batchnorm", dims: 3 },
  },
  args: [
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5 },
    { name: "momentum", type: { t: "real", min: 0, max: 1 }, default: 0.1 },
    { name: "affine", type: { t: "bool" }, default: true },
  ],
};

export const layernormSchema: LayerSchema = {
  family: "layernorm",
  summary: "layer normalisation over all non-batch axes",
  kinds: { layernorm: { kind: "layernorm" } },
  args: [
    { name: "eps", type: { t: "real", min: 0 }, default: 1e-5 },
    { name: "affine", type: { t: "bool" }, default: true },
  ],
};

export const lrnSchema: LayerSchema = {
  family: "lrn",
  summary: "local response normalisation across channels (AlexNet)",
  kinds: { lrn: { kind: "lrn" } },
  args: [
    { name: "size", type: { t: "int", min: 1 }, default: 5 },
    { name: "alpha", type: { t: "real" }, default: 1e-4 },
    { name: "beta", type: { t: "real" }, default: 0.75 },
    { name: "k", type: { t: "real" }, default: 2 },
  ],
};
