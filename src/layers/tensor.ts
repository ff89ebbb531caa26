/**
 * Learnable tensors, `param NAME: [dims]` and `buffer NAME: [dims]` (LANGUAGE.md, "Learnable
 * tensors"): nodes without inputs whose value is the tensor itself. A param's elements are
 * trainable parameters, a buffer's are buffers; neither costs MACs or FLOPs, and neither is
 * an activation (it is stored with the parameters, and merges broadcast it).
 */
import type { ReceptiveField } from "../analysis/types.js";
import { numel, type LayerRules } from "./types.js";

/** A tensor that depends on no input position: merges leave it out of their field. */
export const CONSTANT_FIELD: ReceptiveField = { size: [], jump: [], start: [], global: false, constant: true };

export const tensorRules: LayerRules = {
  shape: (ctx) => ctx.node.args.shape as number[],
  params(ctx, out) {
    const n = numel(out);
    return ctx.node.args.trainable === false ? { trainable: 0n, nonTrainable: n } : { trainable: n, nonTrainable: 0n };
  },
  rf: () => CONSTANT_FIELD,
  parameter: true,
};
