/** Reading ONNX back: channel_maxpool (maxout) as convspec exports it, Reshape [N, C/k, k, …] + ReduceMax over axis 2 (pattern_pool.ts). */
import { resolveShape } from "../../onnx/import/fold.js";
import type { FamilyReads, OpImport } from "../../onnx/import/walk.js";
import { channelMaxpool } from "./family.js";

/** `convspec.channel_maxpool`: inputs x and the Reshape's target, which must split the channels alone. */
const readChannelMax: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last") return w.unmapped(node, "its input is not a channels-first tensor");
  const [n, c, ...spatial] = x.shape;
  const t = resolveShape(x.shape, w.consts(node, 1) ?? []);
  const k = t?.[2];
  if (!t || k === undefined || t[0] !== n || t[1]! * k !== c || t.slice(3).join() !== spatial.join()) {
    return w.unmapped(node, `the Reshape to [${(w.consts(node, 1) ?? []).join(", ")}] does not split the ${c} channels of [${x.shape.join(", ")}] into groups of k before a max over them`);
  }
  w.emit(node, "channel_maxpool", [{ value: k }], [x.step], [n!, c! / k, ...spatial]);
};

export const channelMaxpoolReads: FamilyReads = { family: channelMaxpool, ops: [{ op: "convspec.channel_maxpool", read: readChannelMax }] };
