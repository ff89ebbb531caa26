/** Maxout across channels: the maximum of each group of k consecutive channels. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { int, ints, type Emitter } from "../../onnx/emit.js";
import { num } from "../args.js";
import type { ExecOp } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import { channelMaxBackward, channelMaxForward } from "./kernel.js";
import { elementwiseCost, type Family, type LayerRules } from "../types.js";

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

// ── execution ─────────────────────────────────────────────────────────────────

const channelMaxExec: ExecOp = {
  forward: (node, [x], _p, ctx) => {
    const k = num(node, "k");
    const y = channelMaxForward(x!, k);
    if (!ctx.probe) return y;
    // Probe: the group's sum instead of its maximum, so every channel's path stays visible.
    const [N, C] = [x!.shape[0]!, x!.shape[1]!], plane = x!.data.length / (N * C);
    y.data.fill(0);
    for (let i = 0; i < x!.data.length; i++) {
      const n = Math.floor(i / (C * plane)), c = Math.floor(i / plane) % C;
      y.data[(n * (C / k) + Math.floor(c / k)) * plane + (i % plane)]! += x!.data[i]!;
    }
    return y;
  },
  backward: (node, [x], _y, dy, _p, ctx) => ({ dxs: [channelMaxBackward(x!, num(node, "k"), dy, ctx.probe)] }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** Maxout: [N, C, ...] → [N, C/k, k, ...] → max over the group axis. */
const channelMaxOnnx: Emitter = (c) => {
  const [ch, ...sp] = c.inShapes[0]!;
  const k = num(c.node, "k");
  const grouped = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, ch! / k, k, ...sp])]);
  return c.b.node("ReduceMax", [grouped], { axes: ints([2]), keepdims: int(0) }, c.node.label);
};

export const channelMaxpool: Family = {
  schema: channelMaxpoolSchema, rules: channelMaxpoolRules, exec: channelMaxExec, onnx: channelMaxOnnx,
  probe: { narrow: { k: 1 } },
};
