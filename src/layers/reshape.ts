/** Layout changes: flatten and reshape (no arithmetic, no parameters). */
import type { LayerSchema } from "./schema.js";

export const flattenSchema: LayerSchema = {
  family: "flatten",
  summary: "flatten every non-batch axis into one",
  kinds: { flatten: { kind: "flatten" } },
  args: [],
};

export const reshapeSchema: LayerSchema = {
  family: "reshape",
  summary: "reshape the non-batch axes (one -1 is inferred)",
  kinds: { reshape: { kind: "reshape" } },
  args: [{ name: "shape", type: { t: "shape" } }],
};
