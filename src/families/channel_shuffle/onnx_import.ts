/** Reading ONNX back: the `convspec.channel_shuffle` node patterns.ts puts in place of Reshape/Transpose/Reshape. */
import { unary } from "../../onnx/import/read.js";
import type { FamilyReads, OpImport } from "../../onnx/import/walk.js";
import { lookupLayer } from "../registry.js";
import { channelShuffle } from "./family.js";

/** Channel shuffle (Reshape/Transpose/Reshape): a ConvSpec layer once the language has one; until then a coded diagnostic. */
const readChannelShuffle: OpImport = (w, node) => {
  if (!lookupLayer("channel_shuffle")) return w.unmapped(node, "channel shuffle (Reshape/Transpose/Reshape) has no ConvSpec layer yet; it leaves shapes, params and MACs unchanged");
  const groups = w.consts(node, 1)?.[1];
  if (groups === undefined || !Number.isInteger(groups) || groups < 1) return w.unmapped(node, "the group count (the first Reshape's target) is not a constant the importer can fold");
  unary("channel_shuffle", () => [{ value: groups }])(w, node);
};

export const channelShuffleReads: FamilyReads = { family: channelShuffle, ops: [{ op: "convspec.channel_shuffle", read: readChannelShuffle }] };
