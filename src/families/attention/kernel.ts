/**
 * Reference multi-head self-attention, as PyTorch's nn.MultiheadAttention(C, heads) applied to
 * the N positions of a [C, ...] tensor (every axis after the channels flattened into N tokens
 * of C features): qkv = W_in·x_t + b_in (W_in [3C, C]), per head h of d = C/heads features
 * A_h = softmax(q_h·k_hᵀ/√d) over the keys, o_h = A_h·v_h, y_t = W_out·o_t + b_out.
 */
import type { Tensor } from "../../exec/tensor.js";
import type { MacCounter } from "../../exec/kernels/api.js";
import { ExecError, alloc } from "../../exec/kernels/util.js";

/** PyTorch's parameter tensors: in_proj_weight [3C, C], in_proj_bias [3C] (if any), out_proj weight [C, C] and bias [C] (if any). */
export interface AttentionParams {
  readonly inWeight: Tensor;
  readonly inBias?: Tensor;
  readonly outWeight: Tensor;
  readonly outBias?: Tensor;
}

/** What the forward pass keeps for the backward one, per batch element. */
interface Activations {
  readonly tokens: Float64Array; // [N, C]
  readonly qkv: Float64Array; // [N, 3C]
  readonly attn: Float64Array; // [heads, N, N]
  readonly mixed: Float64Array; // [N, C], the heads' outputs before out_proj
}

function sizes(x: Tensor, heads: number): { B: number; C: number; N: number; d: number } {
  const B = x.shape[0]!, C = x.shape[1]!, N = x.data.length / (B * C);
  if (C % heads !== 0) throw new ExecError(`${C} channels do not split into ${heads} heads`);
  return { B, C, N, d: C / heads };
}

/** out[t, j] = Σ_c w[j, c]·inp[t, c] (+ bias[j]) for rows = N tokens, w [J, C]: N·J·C MACs. */
function project(inp: Float64Array, N: number, C: number, w: Tensor, J: number, bias: Tensor | undefined, counter: MacCounter): Float64Array {
  const out = new Float64Array(N * J);
  for (let t = 0; t < N; t++) for (let j = 0; j < J; j++) {
    let s = bias ? bias.data[j]! : 0;
    for (let c = 0; c < C; c++) s += w.data[j * C + c]! * inp[t * C + c]!;
    out[t * J + j] = s;
  }
  counter.add(N * J * C);
  return out;
}

function attend(x: Tensor, b: number, heads: number, p: AttentionParams, counter: MacCounter): Activations {
  const { C, N, d } = sizes(x, heads);
  const tokens = new Float64Array(N * C);
  for (let c = 0; c < C; c++) for (let t = 0; t < N; t++) tokens[t * C + c] = x.data[(b * C + c) * N + t]!;
  const qkv = project(tokens, N, C, p.inWeight, 3 * C, p.inBias, counter);
  const attn = new Float64Array(heads * N * N), mixed = new Float64Array(N * C);
  const scale = 1 / Math.sqrt(d);
  for (let h = 0; h < heads; h++) {
    const q = h * d, k = C + h * d, v = 2 * C + h * d;
    for (let t = 0; t < N; t++) {
      const row = attn.subarray((h * N + t) * N, (h * N + t + 1) * N);
      let max = -Infinity;
      for (let s = 0; s < N; s++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += qkv[t * 3 * C + q + i]! * qkv[s * 3 * C + k + i]!;
        row[s] = dot * scale;
        max = Math.max(max, row[s]!);
      }
      let sum = 0;
      for (let s = 0; s < N; s++) sum += (row[s] = Math.exp(row[s]! - max));
      for (let s = 0; s < N; s++) row[s]! /= sum;
      for (let i = 0; i < d; i++) {
        let o = 0;
        for (let s = 0; s < N; s++) o += row[s]! * qkv[s * 3 * C + v + i]!;
        mixed[t * C + h * d + i] = o;
      }
    }
    counter.add(2 * N * N * d); // scores q·k and the weighted sum of v
  }
  return { tokens, qkv, attn, mixed };
}

/** Self-attention over the positions of x [B, C, ...]; the output has x's shape. */
export function attentionForward(x: Tensor, heads: number, p: AttentionParams, counter: MacCounter): Tensor {
  const { B, C, N } = sizes(x, heads);
  const y = alloc(x.data, x.data.length);
  for (let b = 0; b < B; b++) {
    const out = project(attend(x, b, heads, p, counter).mixed, N, C, p.outWeight, C, p.outBias, counter);
    for (let c = 0; c < C; c++) for (let t = 0; t < N; t++) y[(b * C + c) * N + t] = out[t * C + c]!;
  }
  return { shape: [...x.shape], data: y };
}

/**
 * Gradients of `project` (out[t, j] = Σ_c w[j, c]·inp[t, c] + bias[j]) given dout: adds
 * Σ_t dout·inp to dw, Σ_t dout to db, and returns d inp = Σ_j dout[t, j]·w[j, ·].
 */
function projectBackward(dout: Float64Array, inp: Float64Array, N: number, C: number, w: Tensor, J: number, dw: Float64Array, db: Float64Array): Float64Array {
  const dinp = new Float64Array(N * C);
  for (let t = 0; t < N; t++) for (let j = 0; j < J; j++) {
    const g = dout[t * J + j]!;
    db[j]! += g;
    for (let c = 0; c < C; c++) {
      dw[j * C + c]! += g * inp[t * C + c]!;
      dinp[t * C + c]! += g * w.data[j * C + c]!;
    }
  }
  return dinp;
}

/** Gradients of the heads (o = A·v, A = softmax(S) over the keys, S = q·kᵀ/√d) with respect to q, k, v. */
function headsBackward(a: Activations, dmixed: Float64Array, heads: number, C: number, N: number): Float64Array {
  const d = C / heads, scale = 1 / Math.sqrt(d);
  const dqkv = new Float64Array(N * 3 * C), dA = new Float64Array(N);
  for (let h = 0; h < heads; h++) {
    const q = h * d, k = C + h * d, v = 2 * C + h * d;
    for (let t = 0; t < N; t++) {
      const row = a.attn.subarray((h * N + t) * N, (h * N + t + 1) * N);
      let dot = 0;
      for (let s = 0; s < N; s++) {
        let g = 0;
        for (let i = 0; i < d; i++) {
          g += dmixed[t * C + q + i]! * a.qkv[s * 3 * C + v + i]!;
          dqkv[s * 3 * C + v + i]! += row[s]! * dmixed[t * C + q + i]!;
        }
        dA[s] = g;
        dot += g * row[s]!;
      }
      // Softmax: dS = A·(dA − Σ A·dA), then through the scaled product q·kᵀ.
      for (let s = 0; s < N; s++) {
        const dS = row[s]! * (dA[s]! - dot) * scale;
        for (let i = 0; i < d; i++) {
          dqkv[t * 3 * C + q + i]! += dS * a.qkv[s * 3 * C + k + i]!;
          dqkv[s * 3 * C + k + i]! += dS * a.qkv[t * 3 * C + q + i]!;
        }
      }
    }
  }
  return dqkv;
}

/** Gradients of attentionForward with respect to x and every parameter (the softmax's Jacobian in full). */
export function attentionBackward(x: Tensor, heads: number, p: AttentionParams, dy: Tensor): {
  dx: Tensor; dInWeight: Tensor; dInBias: Tensor; dOutWeight: Tensor; dOutBias: Tensor;
} {
  const { B, C, N } = sizes(x, heads);
  const none: MacCounter = { add() {} };
  const dx = alloc(x.data, x.data.length);
  const dWin = new Float64Array(3 * C * C), dbin = new Float64Array(3 * C), dWout = new Float64Array(C * C), dbout = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    const a = attend(x, b, heads, p, none);
    const dout = new Float64Array(N * C);
    for (let c = 0; c < C; c++) for (let t = 0; t < N; t++) dout[t * C + c] = dy.data[(b * C + c) * N + t]!;
    const dmixed = projectBackward(dout, a.mixed, N, C, p.outWeight, C, dWout, dbout);
    const dtokens = projectBackward(headsBackward(a, dmixed, heads, C, N), a.tokens, N, C, p.inWeight, 3 * C, dWin, dbin);
    for (let c = 0; c < C; c++) for (let t = 0; t < N; t++) dx[(b * C + c) * N + t] = dtokens[t * C + c]!;
  }
  const as = (data: Float64Array, shape: number[]): Tensor => {
    const t = alloc(x.data, data.length);
    t.set(data);
    return { shape, data: t };
  };
  return {
    dx: { shape: [...x.shape], data: dx },
    dInWeight: as(dWin, [3 * C, C]), dInBias: as(dbin, [3 * C]), dOutWeight: as(dWout, [C, C]), dOutBias: as(dbout, [C]),
  };
}

/**
 * The receptive-field probe's surrogate: every output depends on every position and channel
 * of its sample (through the keys and values), so each input gets its own dy plus the sample's
 * mean dy — positive wherever any dy is, where the true gradient could cancel.
 */
export function attentionProbeBackward(dy: Tensor): Tensor {
  const B = dy.shape[0]!, M = dy.data.length / B;
  const dx = alloc(dy.data, dy.data.length);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < M; i++) s += dy.data[b * M + i]!;
    for (let i = 0; i < M; i++) dx[b * M + i] = dy.data[b * M + i]! + s / M;
  }
  return { shape: [...dy.shape], data: dx };
}
