/** Explicit padding of the spatial axes. */
import { diag } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { FieldPhases } from "../analysis/types.js";
import { padPerAxis } from "./geometry.js";
import { windowPhases } from "./phases.js";
import { carry } from "./rf.js";
import { PADDING_MODES, type LayerSchema } from "./schema.js";
import { showShape, type LayerContext, type LayerRules } from "./types.js";
import { sourceName } from "./window.js";

export const padSchema: LayerSchema = {
  family: "pad",
  summary: "pad the spatial axes (zeros, a constant, reflect, replicate, circular)",
  kinds: { pad: { kind: "pad" }, zeropad: { kind: "pad" } },
  args: [
    { name: "p", type: { t: "padding" } },
    { name: "mode", type: { t: "word", words: [...PADDING_MODES, "constant"] }, default: "zeros" },
    { name: "value", type: { t: "real" }, default: 0 },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Pads per spatial axis; `same` and `full` need a kernel and are refused here. */
function pads(ctx: LayerContext): (readonly [number, number])[] | undefined {
  const x = ctx.inputs[0]!;
  const dims = x.shape.length - 1;
  if (dims < 1) {
    ctx.diags.push(diag(messages.rankMismatch, ctx.node.span, { layer: ctx.node.label, op: ctx.node.op, expected: "an input with spatial axes", shape: showShape(x.shape), source: sourceName(x.node) }));
    return undefined;
  }
  const p = padPerAxis(ctx.node.args.p, dims);
  if (typeof p === "string") {
    ctx.diags.push(diag(messages.axisCount, ctx.node.span, { layer: ctx.node.label, name: "p", count: p, shape: showShape(x.shape), dims }));
    return undefined;
  }
  if (p.some((q) => q === "same" || q === "full")) {
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, { layer: ctx.node.label, reason: "pad takes sizes or [before, after] pairs; same and full depend on a kernel" }, { hint: "give padding=same on the conv or pooling layer instead" }));
    return undefined;
  }
  return p.map((q) => (q === "valid" ? [0, 0] : typeof q === "number" ? [q, q] : (q as [number, number])));
}

/** Pad rules: N + Pb + Pa per spatial axis; the field shifts by Pb units. */
export const padRules: LayerRules = {
  shape(ctx) {
    const p = pads(ctx);
    const [c, ...spatial] = ctx.inputs[0]!.shape;
    return p && [c!, ...spatial.map((n, a) => n + p[a]![0] + p[a]![1])];
  },
  rf(ctx) {
    const p = pads({ ...ctx, diags: [] })!;
    const rf = ctx.inputs[0]!.rf;
    const start = rf.start.map((s, a) => (a < p.length ? s - p[a]![0] * rf.jump[a]! : s));
    // Exact per-position fields shift with the units: new unit u is old unit u − Pb.
    const phases = rf.phases?.map((ph, a) => (a < p.length ? windowPhases(ph, 1, 1, 1, p[a]![0]) : ph));
    if (phases?.some((ph) => ph === undefined)) return { size: rf.size, jump: rf.jump, start, global: rf.global, whole: rf.whole, ...carry(rf) };
    return { ...rf, start, ...(phases ? { phases: phases as FieldPhases[] } : {}) };
  },
};
