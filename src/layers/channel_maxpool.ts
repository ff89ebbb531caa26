/** Maxout across channels: the maximum of each group of k consecutive channels. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerSchema } from "./schema.js";
import { elementwiseCost, type LayerRules } from "./types.js";

export const channelMaxpoolSchema: LayerSchema = {
  family: "channel_maxpool",
  summary: "maxout: max over each group of k channels",
  kinds: { channel_maxpool: { kind: "channel_maxpool" }, maxout: { kind: "channel_maxpool" } },
  args: [{ name: "k", type: { t: "int", min: 1 } }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Maxout: [C/k, ...]; k − 1 compares per output; the field is unchanged (channels only). */
export const channelMaxpoolRules: LayerRules = {
  shape(ctx) {
    const [c, ...rest] = ctx.inputs[0]!.shape;
    const k = ctx.node.args.k as number;
    if (c! % k !== 0) {
      ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: `${c} channels do not split into groups of k=${k}` }, { hint: `k must divide ${c}` }));
      return undefined;
    }
    return [c! / k, ...rest];
  },
  cost: (ctx, out) => elementwiseCost(out, (ctx.node.args.k as number) - 1),
};
