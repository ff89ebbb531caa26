/** Fully connected layer (PyTorch's Linear) on a rank-1 input. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { wholeTensorField } from "./rf.js";
import type { LayerSchema } from "./schema.js";
import { numel, showShape, type LayerRules } from "./types.js";
import { sourceName } from "./window.js";

export const denseSchema: LayerSchema = {
  family: "dense",
  summary: "fully connected layer",
  kinds: { dense: { kind: "dense" }, linear: { kind: "dense" }, fc: { kind: "dense" } },
  args: [
    { name: "units", type: { t: "int", min: 1 } },
    { name: "bias", type: { t: "bool" }, default: true },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Dense rules: [in] → [units]; the field of every output is the whole input. */
export const denseRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 1) {
      ctx.diags.push(diag(messages.denseRank, ctx.node.span, { layer: ctx.node.label, shape: showShape(x.shape), source: sourceName(x.node) }, {
        hint: `add \`flatten\` before it (${x.shape.join("·")} = ${numel(x.shape)} features)`,
      }));
      return undefined;
    }
    return [ctx.node.args.units as number];
  },
  /** in·out weights + out biases. */
  params(ctx, out) {
    const w = BigInt(ctx.inputs[0]!.shape[0]!) * BigInt(out[0]!);
    return { trainable: w + (ctx.node.args.bias ? BigInt(out[0]!) : 0n), nonTrainable: 0n };
  },
  /** MACs = in·out; FLOPs = 2·MACs + one bias add per output. */
  cost(ctx, out) {
    const macs = BigInt(ctx.inputs[0]!.shape[0]!) * BigInt(out[0]!);
    return { macs, flops: 2n * macs + (ctx.node.args.bias ? BigInt(out[0]!) : 0n) };
  },
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
};
