/** Fully connected layer (PyTorch's Linear) on a rank-1 input. */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { getFastKernels } from "../../exec/kernels/api.js";
import { ExecError } from "../../exec/kernels/util.js";
import { int, weightInputs, type Emitter } from "../../onnx/emit.js";
import { flag, num } from "../args.js";
import { withBias, type ExecOp, type ParamSpec } from "../exec.js";
import { wholeTensorField } from "../rf.js";
import { denseBackward, denseForward } from "./kernel.js";
import type { LayerSchema } from "../schema.js";
import { numel, showShape, type Family, type LayerRules } from "../types.js";
import { sourceName } from "../window.js";

export const denseSchema: LayerSchema = {
  family: "dense",
  summary: "fully connected layer",
  kinds: { dense: { kind: "dense" }, linear: { kind: "dense" }, fc: { kind: "dense" } },
  args: [
    { name: "units", type: { t: "int", min: 1 } },
    { name: "bias", type: { t: "bool" }, default: true },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Dense rules: [in] → [units]; the field of every output is the whole input. */
export const denseRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 1) {
      ctx.diags.push(diag(messages.denseRank, ctx.node.span, { layer: ctx.node.label, shape: showShape(x.shape), source: sourceName(x.node) }, {
        hint: `to classify the whole map, add \`flatten\` before it (${x.shape.join("·")} = ${numel(x.shape)} features)${x.shape.length <= 4
          ? `; for PyTorch's nn.Linear on each position's channels (channels-last), keep the map channels first and write conv${x.shape.length - 1}d(${ctx.node.args.units as number}, 1), with the same params and MACs`
          : ""}`,
      }));
      return undefined;
    }
    return [ctx.node.args.units as number];
  },
  /** in·out weights + out biases. */
  params(ctx, out) {
    const w = BigInt(ctx.inputs[0]!.shape[0]!) * BigInt(out[0]!);
    return { trainable: w + (ctx.node.args.bias ? BigInt(out[0]!) : 0n), nonTrainable: 0n };
  },
  /** MACs = in·out; FLOPs = 2·MACs + one bias add per output. */
  cost(ctx, out) {
    const macs = BigInt(ctx.inputs[0]!.shape[0]!) * BigInt(out[0]!);
    return { macs, flops: 2n * macs + (ctx.node.args.bias ? BigInt(out[0]!) : 0n) };
  },
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
};

// ── execution ─────────────────────────────────────────────────────────────────

const denseExec: ExecOp = {
  params(node, [x]) {
    if (x!.length !== 2) throw new ExecError(`dense needs a rank-1 input (flatten first), got [${x!.slice(1).join(", ")}]`);
    const units = num(node, "units"), fanIn = x![1]!;
    const p: Record<string, ParamSpec> = { weight: { shape: [units, fanIn], init: "weight", fanIn, trainable: true } };
    if (flag(node, "bias")) p.bias = { shape: [units], init: "bias", fanIn, trainable: true };
    return p;
  },
  forward(_node, [x], p, ctx) {
    const fast = getFastKernels().dense;
    const impl = fast && x!.data instanceof Float32Array && !ctx.probe ? fast : denseForward;
    return impl(x!, p.weight!, p.bias, ctx.counter);
  },
  backward(_node, [x], _y, dy, p) {
    const g = denseBackward(x!, p.weight!, p.bias !== undefined, dy);
    return { dxs: [g.dx], dparams: withBias({ weight: g.dw }, g.db) };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

const denseOnnx: Emitter = (c) => {
  const inputs = weightInputs(c, c.ins[0]!);
  return Array.isArray(inputs) ? c.b.node("Gemm", inputs, { transB: int(1) }, c.node.label) : inputs;
};

export const dense: Family = {
  schema: denseSchema, rules: denseRules, exec: denseExec, onnx: denseOnnx,
  probe: { narrow: { units: 1 } },
};
