/**
 * Whether a layer's units still stand at input positions. A reshape that changes the spatial
 * sizes moves elements between positions (YOLOv2's passthrough written as a reshape, a flat
 * vector reshaped onto a grid): a unit's inputs are then no window around it, and no size,
 * jump or start describes them. Such a field, and every field computed from it, is marked
 * `notSpatial` (with the reason) until a layer reads everything it depends on (global pooling,
 * dense), whose field is again the input region it reads.
 */
import type { LayerContext, Shape } from "../layers/types.js";
import type { ReceptiveField } from "./types.js";

/** The reason a reshape from `x` to `out` scrambles positions, or undefined when it keeps them. */
function scrambles(x: Shape, out: Shape): string | undefined {
  if (x.length < 2) return `it arranges a flat vector of ${x[0]} into [${out.join(", ")}]`;
  const same = out.length === x.length && out.slice(1).every((n, a) => n === x[a + 1]);
  return same ? undefined : `it moves units between positions ([${x.join(", ")}] to [${out.join(", ")}])`;
}

/** `rf` marked not spatial where the layer (a scrambling reshape) or one of its inputs made it so. */
export function spatiality(ctx: LayerContext, rf: ReceptiveField, out: Shape): ReceptiveField {
  if (rf.global && rf.whole) return rf;
  if (ctx.node.family === "reshape" && out.length >= 2) {
    const why = scrambles(ctx.inputs[0]!.shape, out);
    if (why) return { ...rf, notSpatial: `${ctx.node.label}: ${why}` };
  }
  const upstream = ctx.inputs.find((x) => x.rf.notSpatial !== undefined && !(x.rf.global && x.rf.whole));
  return upstream && rf.notSpatial === undefined ? { ...rf, notSpatial: upstream.rf.notSpatial } : rf;
}
