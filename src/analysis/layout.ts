/**
 * A model input written channels-last, as TensorFlow and image files lay it out
 * (`[224, 224, 3]`): ConvSpec is channels-first, so a conv would read 224 channels. The
 * analysis is right about what was written; this warns about what was probably meant.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { isAllowed } from "../diagnostics/allow.js";
import { messages } from "../diagnostics/messages.js";
import type { ModelGraph } from "../graph/ir.js";
import { showShape } from "../families/types.js";

/**
 * [H, W, C] or [D, H, W, C] (or [L, C]) with C an image's channel count (1 to 4) and every
 * other axis at least 16 and at least 8 times C: a channels-first tensor is rarely so.
 */
export function looksChannelsLast(shape: readonly number[]): boolean {
  if (shape.length < 2) return false;
  const c = shape[shape.length - 1]!;
  return c <= 4 && shape.slice(0, -1).every((d) => d >= 16 && d >= 8 * c);
}

/** CS3018 for each such input that a channel-mapping layer (a conv: it has out_channels) reads directly. */
export function channelsLastWarnings(m: ModelGraph, diags: Diagnostic[]): void {
  for (const id of m.inputs) {
    const input = m.nodes[id]!;
    const shape = input.args.shape as number[];
    if (!looksChannelsLast(shape)) continue;
    const reader = m.nodes.find((n) => n.inputs.includes(id) && n.args.out_channels !== undefined);
    if (!reader) continue;
    const d = diag(messages.channelsLast, input.span, { input: input.label, shape: showShape(shape), layer: reader.label, channels: shape[0]! }, {
      hint: `ConvSpec is channels first, without the batch axis: input ${input.label}: ${showShape([shape[shape.length - 1]!, ...shape.slice(0, -1)])}`,
      related: [{ span: reader.span, message: `${reader.label} reads ${shape[0]} input channels` }],
    });
    if (!isAllowed(d, reader.allow ?? [])) diags.push(d);
  }
}
