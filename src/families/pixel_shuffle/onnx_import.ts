/** Reading ONNX back: DepthToSpace in CRD mode and the `convspec.pixel_(un)shuffle` nodes patterns.ts finds. */
import { attrInt, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { pixelShuffle, pixelUnshuffle } from "./family.js";

/** pixel_shuffle / pixel_unshuffle: [C·r^d, S] ↔ [C, S·r]. */
function pixelMove(call: "pixel_shuffle" | "pixel_unshuffle"): OpImport {
  return (w, node) => {
    const x = w.first(node, 0);
    const r = attrInt(node, node.opType === "DepthToSpace" ? "blocksize" : "r", 0);
    if (!x || r < 1 || x.shape.length < 3) return w.unmapped(node, "its input is not a channels-first map");
    if (node.opType === "DepthToSpace" && node.attrs.get("mode")?.kind === "string" && (node.attrs.get("mode") as { s: string }).s !== "CRD") {
      return w.unmapped(node, "DepthToSpace in DCR mode orders the channels unlike pixel_shuffle (CRD)");
    }
    const d = x.shape.length - 2;
    const block = r ** d;
    const shape = call === "pixel_shuffle" ? [x.shape[0]!, x.shape[1]! / block, ...x.shape.slice(2).map((n) => n * r)] : [x.shape[0]!, x.shape[1]! * block, ...x.shape.slice(2).map((n) => n / r)];
    if (!shape.every((n) => Number.isInteger(n))) return w.unmapped(node, `the sizes do not divide by r = ${r}`);
    w.emit(node, call, [{ value: r }], [x.step], shape);
  };
}

export const pixelShuffleReads: FamilyReads = {
  family: pixelShuffle,
  ops: [{ op: "convspec.pixel_shuffle", read: pixelMove("pixel_shuffle") }, { op: "DepthToSpace", read: pixelMove("pixel_shuffle") }],
};
export const pixelUnshuffleReads: FamilyReads = { family: pixelUnshuffle, ops: [{ op: "convspec.pixel_unshuffle", read: pixelMove("pixel_unshuffle") }] };
