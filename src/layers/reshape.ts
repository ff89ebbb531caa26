/** Layout changes: flatten and reshape (no arithmetic, no parameters). */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerSchema } from "./schema.js";
import { numel, showShape, type LayerRules } from "./types.js";

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

// ── analysis rules ────────────────────────────────────────────────────────────

/** Flatten: [∏ shape]; each output unit keeps its field. */
export const flattenRules: LayerRules = {
  shape(ctx) {
    const n = numel(ctx.inputs[0]!.shape);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
      ctx.diags.push(diag(messages.sizeTooLarge, ctx.node.span, { layer: ctx.node.label, size: n.toString() }));
      return undefined;
    }
    return [Number(n)];
  },
};

/** Reshape to the given dims, one -1 inferred; the element count must not change. */
export const reshapeRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape;
    const target = ctx.node.args.shape as number[];
    const total = numel(x);
    const known = numel(target.filter((d) => d !== -1));
    const fail = () => {
      ctx.diags.push(diag(messages.reshapeMismatch, ctx.node.span, { layer: ctx.node.label, shape: showShape(x), count: total.toString(), target: showShape(target) }, {
        hint: target.includes(-1) ? `${total} is not a multiple of ${known}` : `the target holds ${known} elements`,
      }));
      return undefined;
    };
    if (!target.includes(-1)) return known === total ? target : fail();
    if (total % known !== 0n) return fail();
    return target.map((d) => (d === -1 ? Number(total / known) : d));
  },
};
