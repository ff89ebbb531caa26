/** Channel shuffle (ShuffleNet, Zhang et al. 2018; PyTorch's nn.ChannelShuffle): same shape, channels regrouped. */
import { ints, type Emitter } from "../../onnx/emit.js";
import { num } from "../args.js";
import { splitChannels } from "../channels.js";
import type { ExecOp } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import type { Family, LayerRules } from "../types.js";
import { channelShuffleBackward, channelShuffleForward } from "./kernel.js";

export const channelShuffleSchema: LayerSchema = {
  family: "channel_shuffle",
  summary: "regroup channels: view [groups, C/groups], transpose, flatten",
  kinds: { channel_shuffle: { kind: "channel_shuffle" } },
  args: [{ name: "groups", type: { t: "int", min: 1 } }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Same shape; C must divide by groups. A pure permutation: no params, MACs or FLOPs; the field is unchanged. */
export const channelShuffleRules: LayerRules = {
  shape: (ctx) => splitChannels(ctx, ctx.node.args.groups as number, "groups", ""),
};

// ── execution ─────────────────────────────────────────────────────────────────

const channelShuffleExec: ExecOp = {
  forward: (node, [x]) => channelShuffleForward(x!, num(node, "groups")),
  backward: (node, [x], _y, dy) => ({ dxs: [channelShuffleBackward(x!, num(node, "groups"), dy)] }),
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** PyTorch's own export: Reshape [N, g, C/g, ...] → Transpose(0, 2, 1, ...) → Reshape [N, C, ...]. */
const channelShuffleOnnx: Emitter = (c) => {
  const [ch, ...sp] = c.inShapes[0]!;
  const g = num(c.node, "groups");
  const grouped = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, g, ch! / g, ...sp])]);
  const perm = [0, 2, 1, ...sp.map((_, i) => i + 3)];
  const swapped = c.b.node("Transpose", [grouped], { perm: ints(perm) });
  return c.b.node("Reshape", [swapped, c.b.int64s([0, ch!, ...sp])], {}, c.node.label);
};

export const channelShuffle: Family = {
  schema: channelShuffleSchema, rules: channelShuffleRules, exec: channelShuffleExec, onnx: channelShuffleOnnx,
  // The probe runs the model one channel wide: one group keeps that valid.
  probe: { narrow: { groups: 1 } },
};
