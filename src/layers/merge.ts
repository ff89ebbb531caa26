/** Merges of several tensors: concatenation and broadcasting element-wise add and multiply. */
import type { LayerSchema } from "./schema.js";

export const concatSchema: LayerSchema = {
  family: "concat",
  summary: "concatenate along an axis (default: channels)",
  kinds: { concat: { kind: "concat" } },
  merge: true,
  args: [{ name: "axis", type: { t: "axis" }, default: 0, namedOnly: true }],
};

export const elementwiseSchema: LayerSchema = {
  family: "elementwise",
  summary: "element-wise sum or product, broadcasting like NumPy",
  kinds: { add: { kind: "add" }, mul: { kind: "mul" } },
  merge: true,
  args: [],
};
