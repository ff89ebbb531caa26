/**
 * Whether a layer's units still stand at input positions. A family whose rule moves elements
 * between positions marks its field `notSpatial` with the reason (a scrambling reshape, see
 * src/families/reshape); every field computed from such a field stays marked until a layer
 * reads everything it depends on (global pooling, dense), whose field is again the input
 * region it reads.
 */
import type { LayerContext, Shape } from "../families/types.js";
import type { ReceptiveField } from "./types.js";

/** `rf` marked not spatial where one of the layer's inputs was. */
export function spatiality(ctx: LayerContext, rf: ReceptiveField, _out: Shape): ReceptiveField {
  // After a select or permute, even a global field is only an upper bound: keep the mark.
  const lost = ctx.inputs.find((x) => x.rf.axesLost !== undefined)?.rf.axesLost;
  if (lost !== undefined && rf.axesLost === undefined) rf = { ...rf, axesLost: lost };
  if (rf.global && rf.whole) return rf;
  const upstream = ctx.inputs.find((x) => x.rf.notSpatial !== undefined && !(x.rf.global && x.rf.whole));
  return upstream && rf.notSpatial === undefined ? { ...rf, notSpatial: upstream.rf.notSpatial } : rf;
}
