/** A rule several families share: the channels of the input split into equal parts. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { showShape, type LayerContext, type Shape } from "./types.js";

/**
 * The input's shape when its C channels split into `parts` equal parts (channel_shuffle's
 * groups, attention's heads); otherwise undefined after a coded diagnostic with the numbers.
 */
export function splitChannels(ctx: LayerContext, parts: number, what: string, hint: string): Shape | undefined {
  const x = ctx.inputs[0]!.shape;
  if (x[0]! % parts === 0) return [...x];
  ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
    layer: ctx.node.label, reason: `${x[0]} channels (input ${showShape(x)}) do not split into ${parts} ${what}`,
  }, { hint: `${what} must divide ${x[0]}${hint}` }));
  return undefined;
}
