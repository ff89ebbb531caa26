/** Explicit padding of the spatial axes. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { Tensor } from "../../exec/tensor.js";
import { PAD_MODE, padNode, type Emitter } from "../../onnx/emit.js";
import { resolvePads as onnxPads } from "../../onnx/geometry.js";
import { num, word } from "../args.js";
import type { ExecOp } from "../exec.js";
import type { FieldPhases } from "../field.js";
import { padTensor, padTensorBackward, resolvePadding, type PadMode } from "./kernel.js";
import { axisName, padPerAxis } from "../geometry.js";
import { windowPhases } from "../phases.js";
import { carry } from "../rf.js";
import { PADDING_MODES, type LayerSchema } from "../schema.js";
import { showShape, type Family, type LayerContext, type LayerRules } from "../types.js";
import { sourceName } from "../window.js";

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
    const { mode, value } = ctx.node.args;
    // PyTorch's F.pad(x, p, value=v) is constant mode; here mode defaults to zeros.
    if (mode !== "constant" && value !== 0) {
      ctx.diags.push(diag(messages.ignoredPadValue, ctx.node.span, { layer: ctx.node.label, value: String(value), mode: String(mode), what: mode === "zeros" ? "with zeros" : "with copies of the input" }, {
        hint: `write mode=constant to pad with ${String(value)}`,
      }));
    }
    const [c, ...spatial] = ctx.inputs[0]!.shape;
    if (p && !checkCopiedPads(ctx, "mode", mode, p, spatial)) return undefined;
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

// ── execution ─────────────────────────────────────────────────────────────────

/** A pad layer has no window: `same` and `valid` pad nothing, `full` too (K = 1). */
function unitWindow(x: Tensor) {
  const ones = x.shape.slice(2).map(() => 1);
  return { kernel: ones, stride: ones, dilation: ones };
}

const padExec: ExecOp = {
  forward(node, [x]) {
    const pads = resolvePadding(node.args.p, x!.shape.slice(2), unitWindow(x!));
    const mode = word<PadMode>(node, "mode");
    return padTensor(x!, pads, mode, mode === "constant" ? num(node, "value") : 0);
  },
  backward(node, [x], _y, dy) {
    const pads = resolvePadding(node.args.p, x!.shape.slice(2), unitWindow(x!));
    return { dxs: [padTensorBackward(x!, pads, word<PadMode>(node, "mode"), dy)] };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const padOnnx: Emitter = (c) => {
  const size = c.inShapes[0]!.slice(1);
  const ones = size.map(() => 1);
  const p = onnxPads(c.node.args.p!, size, ones, ones, ones);
  if (typeof p === "string") return { refuse: p };
  const mode = word<keyof typeof PAD_MODE>(c.node, "mode");
  const y = padNode(c.b, c.ins[0]!, p.before, p.after, PAD_MODE[mode], mode === "constant" ? num(c.node, "value") : 0);
  return c.b.node("Identity", [y], {}, c.node.label);
};

/**
 * PyTorch's limits on padding that copies the input (F.pad, also under a conv's padding_mode):
 * reflect mirrors without repeating the edge, so each side needs padding < N ("Padding size
 * should be less than the corresponding input dimension"); circular wraps around at most once,
 * so padding ≤ N. Zeros, constant and replicate take any size. `pads` are [before, after] per
 * spatial axis of sizes `sizes`; reports the first side over the limit (CS3020) and returns
 * false, else true.
 */
export function checkCopiedPads(ctx: LayerContext, arg: string, mode: unknown, pads: readonly (readonly [number, number])[], sizes: readonly number[]): boolean {
  if (mode !== "reflect" && mode !== "circular") return true;
  const limit = (n: number) => (mode === "reflect" ? n - 1 : n);
  for (let a = 0; a < pads.length; a++) {
    const n = sizes[a]!, [before, after] = pads[a]!;
    const over = Math.max(before, after);
    if (over <= limit(n)) continue;
    const axis = axisName(a, pads.length);
    const side = before === after ? "" : before > limit(n) ? " before" : " after";
    const rule = mode === "reflect" ? "PyTorch's reflect needs padding < input size (it mirrors without repeating the edge)" : "PyTorch's circular needs padding ≤ input size (it wraps around once at most)";
    const fix = limit(n) > 0 ? `pad at most ${limit(n)} along ${axis}` : `do not pad along ${axis}`;
    ctx.diags.push(diag(messages.copiedPadTooLarge, ctx.node.span, { layer: ctx.node.label, arg, mode, pad: `${over}${side}`, axis, n, rule }, {
      hint: `${fix}, or ${arg}=replicate, which takes any size`,
    }));
    return false;
  }
  return true;
}

/** Reflect, replicate and circular padding put real input elements in the border. */
export function mirroring(mode: unknown): boolean {
  return mode === "reflect" || mode === "replicate" || mode === "circular";
}

export const pad: Family = {
  schema: padSchema, rules: padRules, exec: padExec, onnx: padOnnx,
  probe: { mirrors: (node) => mirroring(node.args.mode) },
};
