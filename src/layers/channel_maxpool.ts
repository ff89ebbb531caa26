/** Maxout across channels: the maximum of each group of k consecutive channels. */
import type { LayerSchema } from "./schema.js";

export const channelMaxpoolSchema: LayerSchema = {
  family: "channel_maxpool",
  summary: "maxout: max over each group of k channels",
  kinds: { channel_maxpool: { kind: "channel_maxpool" }, maxout: { kind: "channel_maxpool" } },
  args: [{ name: "k", type: { t: "int", min: 1 } }],
};
