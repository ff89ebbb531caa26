/**
 * Multi-head self-attention (Vaswani et al. 2017) as PyTorch's nn.MultiheadAttention(C, heads)
 * on the N positions of a [C, ...] tensor: every axis after the channels is flattened into N
 * tokens of C features, and the output has the input's shape (a ViT block on tokens [C, N]).
 */
import type { LayerParams, Tensor } from "../../exec/tensor.js";
import { withShape } from "../../exec/kernels/util.js";
import { int, ints, type EmitCtx, type Emitter } from "../../onnx/emit.js";
import { flag, num } from "../args.js";
import { splitChannels } from "../channels.js";
import type { ExecOp, ParamSpec } from "../exec.js";
import { wholeTensorField } from "../rf.js";
import type { LayerSchema } from "../schema.js";
import type { LayerNode } from "../../graph/ir.js";
import { numel, type Family, type LayerRules } from "../types.js";
import { attentionBackward, attentionForward, attentionProbeBackward, type AttentionParams } from "./kernel.js";

export const attentionSchema: LayerSchema = {
  family: "attention",
  summary: "multi-head self-attention over the positions of [C, ...] (PyTorch's nn.MultiheadAttention)",
  kinds: { attention: { kind: "attention" } },
  args: [
    { name: "heads", type: { t: "int", min: 1 } },
    { name: "qkv_bias", type: { t: "bool" }, default: true },
    // Extension beyond 1.1: PyTorch's nn.MultiheadAttention(C, heads, bias=False) — no bias at all.
    { name: "bias", type: { t: "bool" }, default: true, doc: "false: no in_proj and no out_proj bias (PyTorch's bias=False); qkv_bias then has no effect" },
  ],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** in_proj's 3C bias: with qkv_bias, unless bias=false removes every bias. */
const inBias = (args: LayerNode["args"]) => args.qkv_bias !== false && args.bias !== false;
/** out_proj's C bias: unless bias=false. */
const outBias = (args: LayerNode["args"]) => args.bias !== false;

/**
 * Same shape; C must divide by heads. With N positions: params 3C·C + 3C (in_proj, its bias
 * only with qkv_bias and bias) + C·C + C (out_proj, its bias only with bias); MACs 3·N·C² (q, k, v) + N²·C (scores) + N²·C
 * (weighted values) + N·C² (out_proj).
 */
export const attentionRules: LayerRules = {
  shape: (ctx) => splitChannels(ctx, ctx.node.args.heads as number, "heads", " (each head takes C/heads channels)"),
  params(ctx) {
    const c = BigInt(ctx.inputs[0]!.shape[0]!);
    return { trainable: 4n * c * c + (inBias(ctx.node.args) ? 3n * c : 0n) + (outBias(ctx.node.args) ? c : 0n), nonTrainable: 0n };
  },
  /**
   * FLOPs: 2·MACs, one add per bias element written (3·N·C for in_proj's, N·C for out_proj's),
   * and per score (heads·N² of them) the 1/√d scaling plus softmax's 5.
   */
  cost(ctx, out) {
    const c = BigInt(out[0]!), n = numel(out.slice(1)), heads = BigInt(ctx.node.args.heads as number);
    const macs = 4n * n * c * c + 2n * n * n * c;
    const biases = (inBias(ctx.node.args) ? 3n * n * c : 0n) + (outBias(ctx.node.args) ? n * c : 0n);
    return { macs, flops: 2n * macs + biases + 6n * heads * n * n };
  },
  /** Every output reads every position: a global field. */
  rf: (ctx) => wholeTensorField(ctx.inputs[0]!, ctx.extent),
};

// ── execution ─────────────────────────────────────────────────────────────────

const attentionParams = (p: LayerParams): AttentionParams => ({
  inWeight: p.in_proj_weight!, inBias: p.in_proj_bias, outWeight: p.out_proj_weight!, outBias: p.out_proj_bias,
});

const attentionExec: ExecOp = {
  params(node, [x]) {
    const c = x![1]!;
    const p: Record<string, ParamSpec> = { in_proj_weight: { shape: [3 * c, c], init: "weight", fanIn: c, trainable: true } };
    if (flag(node, "qkv_bias") && flag(node, "bias")) p.in_proj_bias = { shape: [3 * c], init: "bias", fanIn: c, trainable: true };
    p.out_proj_weight = { shape: [c, c], init: "weight", fanIn: c, trainable: true };
    if (flag(node, "bias")) p.out_proj_bias = { shape: [c], init: "bias", fanIn: c, trainable: true };
    return p;
  },
  // The probe passes values through; its backward is the positive whole-sample surrogate.
  forward: (node, [x], p, ctx) => (ctx.probe ? withShape(x!, x!.shape) : attentionForward(x!, num(node, "heads"), attentionParams(p), ctx.counter)),
  backward(node, [x], _y, dy, p, ctx) {
    if (ctx.probe) return { dxs: [attentionProbeBackward(dy)] };
    const g = attentionBackward(x!, num(node, "heads"), attentionParams(p), dy);
    const dparams: Record<string, Tensor> = { in_proj_weight: g.dInWeight, out_proj_weight: g.dOutWeight };
    if (p.in_proj_bias) dparams.in_proj_bias = g.dInBias;
    if (p.out_proj_bias) dparams.out_proj_bias = g.dOutBias;
    return { dxs: [g.dx], dparams };
  },
};

// ── ONNX ──────────────────────────────────────────────────────────────────────

/** Rows [from, from + rows) of a [*, C] weight, transposed to [C, rows] (MatMul's right operand). */
function rowsTransposed(w: Tensor, from: number, rows: number, C: number): Float32Array {
  const out = new Float32Array(C * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) out[c * rows + r] = w.data[(from + r) * C + c]!;
  return out;
}

/** tokens [N_batch, N, C] · W[from..from+C)ᵀ (+ bias[from..]) as MatMul (+ Add). */
function linear(c: EmitCtx, tokens: string, w: Tensor, bias: Tensor | undefined, from: number, C: number, name: string): string {
  const y = c.b.node("MatMul", [tokens, c.b.floats(`${c.node.label}.${name}_weight_t`, rowsTransposed(w, from, C, C), [C, C])]);
  return bias ? c.b.node("Add", [y, c.b.floats(`${c.node.label}.${name}_bias`, bias.data.subarray(from, from + C), [C])]) : y;
}

/**
 * MatMul/Softmax decomposition: tokens [B, N, C] (Reshape, Transpose), q, k, v by MatMul (+ Add),
 * heads split to [B, h, N, d], Softmax(q·kᵀ·1/√d) · v, heads joined, out_proj, back to [B, C, ...].
 */
const attentionOnnx: Emitter = (c) => {
  const p = c.params;
  if (!p?.in_proj_weight || !p.out_proj_weight) return { refuse: "it has no projection weights" };
  const shape = c.inShapes[0]!, C = shape[0]!, N = shape.slice(1).reduce((a, v) => a * v, 1);
  const heads = num(c.node, "heads"), d = C / heads;
  const flat = c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, C, N])]);
  const tokens = c.b.node("Transpose", [flat], { perm: ints([0, 2, 1]) });
  const split = (t: string) => c.b.node("Reshape", [t, c.b.int64s([0, N, heads, d])]);
  const [q, k, v] = ["q", "k", "v"].map((name, i) => split(linear(c, tokens, p.in_proj_weight!, p.in_proj_bias, i * C, C, `${name}_proj`)));
  const qh = c.b.node("Transpose", [q!], { perm: ints([0, 2, 1, 3]) });
  const kt = c.b.node("Transpose", [k!], { perm: ints([0, 2, 3, 1]) });
  const vh = c.b.node("Transpose", [v!], { perm: ints([0, 2, 1, 3]) });
  const scores = c.b.node("Mul", [c.b.node("MatMul", [qh, kt]), c.b.scalar(1 / Math.sqrt(d))]);
  const weights = c.b.node("Softmax", [scores], { axis: int(-1) });
  const mixed = c.b.node("Transpose", [c.b.node("MatMul", [weights, vh])], { perm: ints([0, 2, 1, 3]) });
  const joined = c.b.node("Reshape", [mixed, c.b.int64s([0, N, C])]);
  const out = linear(c, joined, p.out_proj_weight, p.out_proj_bias, 0, C, "out_proj");
  const back = c.b.node("Transpose", [out], { perm: ints([0, 2, 1]) });
  return c.b.node("Reshape", [back, c.b.int64s([0, ...shape])], {}, c.node.label);
};

export const attention: Family = {
  schema: attentionSchema, rules: attentionRules, exec: attentionExec, onnx: attentionOnnx,
  // The probe runs the model one channel wide: one head keeps that valid.
  probe: { narrow: { heads: 1 } },
};
