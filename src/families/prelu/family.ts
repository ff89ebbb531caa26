/**
 * PReLU (He et al. 2015, PyTorch's nn.PReLU(num_parameters)): leaky ReLU with a learned slope,
 * one for the whole tensor or one per channel — an extension beyond ConvSpec 1.1.
 */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { withShape } from "../../exec/kernels/util.js";
import { param, type Emitter } from "../../onnx/emit.js";
import { num } from "../args.js";
import type { ExecOp } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import { elementwiseCost, showShape, type Family, type LayerRules } from "../types.js";
import { preluBackward, preluForward } from "./kernel.js";

export const preluSchema: LayerSchema = {
  family: "prelu",
  summary: "PReLU: x for x > 0, a learned slope·x otherwise (one slope, or one per channel)",
  kinds: { prelu: { kind: "prelu" } },
  args: [{ name: "num_parameters", type: { t: "int", min: 1 }, default: 1, doc: "1 (one slope) or C (one per channel), as nn.PReLU" }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/**
 * Same shape; num_parameters is 1 or the channel count C (PyTorch refuses any other). Params:
 * num_parameters. FLOPs: 2 per element, leaky_relu's compare and multiply — the slope is read
 * per channel, not computed, so PReLU needs no more arithmetic. The field is unchanged.
 */
export const preluRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape, n = ctx.node.args.num_parameters as number;
    if (n === 1 || n === x[0]) return x;
    ctx.diags.push(diag(messages.badLayer, ctx.node.span, {
      layer: ctx.node.label, reason: `num_parameters = ${n} is neither 1 nor the input's ${x[0]} channels (input ${showShape(x)})`,
    }, { hint: `write prelu for one shared slope, or prelu(${x[0]}) for one per channel` }));
    return undefined;
  },
  params: (ctx) => ({ trainable: BigInt(ctx.node.args.num_parameters as number), nonTrainable: 0n }),
  cost: (_c, out) => elementwiseCost(out, 2),
};

// ── execution ─────────────────────────────────────────────────────────────────

const preluExec: ExecOp = {
  params: (node) => ({ weight: { shape: [num(node, "num_parameters")], init: "bias", trainable: true } }),
  forward: (_n, [x], p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : preluForward(x!, p.weight!)),
  backward(_n, [x], _y, dy, p, ctx) {
    const g = preluBackward(x!, p.weight!, dy, ctx.probe);
    return { dxs: [g.dx], dparams: { weight: g.dweight } };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** PRelu(x, slope): one slope as [1], C slopes as [C, 1, …] so they broadcast along the channel axis. */
const preluOnnx: Emitter = (c) => {
  const shape = c.inShapes[0]!, n = num(c.node, "num_parameters");
  const dims = n === 1 ? [1] : [n, ...shape.slice(1).map(() => 1)];
  // PyTorch's own initial slope, 0.25, when the export has no weights.
  const w = param(c, "weight");
  const slope = c.b.floats(`${c.node.label}.weight`, w ? w.data : new Float32Array(n).fill(0.25), dims);
  return c.b.node("PRelu", [c.ins[0]!, slope], {}, c.node.label);
};

export const prelu: Family = {
  schema: preluSchema, rules: preluRules, exec: preluExec, onnx: preluOnnx,
  // The probe runs the model one channel wide: one shared slope keeps that valid.
  probe: { narrow: { num_parameters: 1 } },
};
