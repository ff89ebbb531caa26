/** Normalisation layers: batch norm, layer norm, local response norm. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerSchema } from "./schema.js";
import { wholeTensorField } from "./rf.js";
import { elementwiseCost, numel, showShape, type LayerContext, type LayerRules } from "./types.js";
import { sourceName } from "./window.js";

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

// ── analysis rules ────────────────────────────────────────────────────────────

/** batchnorm1d takes [C] or [C, L]; 2d [C, H, W]; 3d [C, D, H, W]; plain batchnorm any rank. */
function checkBatchnormRank(ctx: LayerContext): boolean {
  const { node } = ctx;
  const x = ctx.inputs[0]!;
  const r = x.shape.length;
  const ok = node.dims === undefined || (node.dims === 1 ? r === 1 || r === 2 : r === node.dims + 1);
  if (!ok) {
    ctx.diags.push(diag(messages.rankMismatch, node.span, {
      layer: node.label, op: node.op, expected: node.dims === 1 ? "an input of rank 1 or 2" : `an input of rank ${node.dims! + 1}`, shape: showShape(x.shape), source: sourceName(x.node),
    }, { hint: "batchnorm (without a number) takes any rank" }));
  }
  return ok;
}

/** Batch norm: γ, β trainable (if affine); running mean and variance are buffers. */
export const batchnormRules: LayerRules = {
  shape: (ctx) => (checkBatchnormRank(ctx) ? ctx.inputs[0]!.shape : undefined),
  params(ctx) {
    const c = BigInt(ctx.inputs[0]!.shape[0]!);
    return { trainable: ctx.node.args.affine === false ? 0n : 2n * c, nonTrainable: 2n * c };
  },
  /** Inference folds the statistics into one scale and one shift: 2 per element. */
  cost: (_ctx, out) => elementwiseCost(out, 2),
};

/** Layer norm over every non-batch axis: γ, β of the input's shape (if affine). */
export const layernormRules: LayerRules = {
  shape: (ctx) => ctx.inputs[0]!.shape,
  params(ctx) {
    return { trainable: ctx.node.args.affine === false ? 0n : 2n * numel(ctx.inputs[0]!.shape), nonTrainable: 0n };
  },
  /** Mean 1, variance 3 (subtract, square, add), normalise 2 (subtract, divide), affine 2 per element. */
  cost: (ctx, out) => elementwiseCost(out, ctx.node.args.affine === false ? 6 : 8),
  /** Each output depends on the mean and variance of the whole sample: a global field. */
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
};

/** Local response norm across channels: b = a / (k + α/n·Σ a²)^β. */
export const lrnRules: LayerRules = {
  shape: (ctx) => ctx.inputs[0]!.shape,
  /** size squares + (size − 1) adds, then scale, add k, power, divide: 2·size + 3 per element. */
  cost: (ctx, out) => elementwiseCost(out, 2 * (ctx.node.args.size as number) + 3),
};
