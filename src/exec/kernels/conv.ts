/**
 * Reference convolution (cross-correlation, PyTorch's Conv{1,2,3}d) and its gradients. The
 * input is zero-padded into a copy first; output sizes come from sliding the dilated kernel
 * over that copy (every start s with s + D(K−1) + 1 ≤ padded size, stepping by the stride), so
 * nothing here shares the analyzer's output-size formula. Every product over the padded copy
 * (zeros included) is counted as one MAC.
 */
import type { Tensor } from "../tensor.js";
import type { ConvGeometry, MacCounter } from "./api.js";
import { padTensor, padTensorBackward, type Pads } from "./padding.js";
import { ExecError, alloc, prod, to3 } from "./util.js";

/** Window starts along one axis of a padded size: how many fit. */
export function slide(padded: number, kernel: number, stride: number, dilation: number): number {
  const eff = dilation * (kernel - 1) + 1;
  let n = 0;
  for (let s = 0; s + eff <= padded; s += stride) n++;
  return n;
}

interface Plan {
  readonly N: number; readonly Cin: number; readonly Cout: number; readonly G: number;
  readonly cinG: number; readonly coutG: number;
  readonly P: [number, number, number]; // padded input sizes
  readonly K: [number, number, number];
  readonly S: [number, number, number];
  readonly D: [number, number, number];
  readonly O: [number, number, number];
  readonly spatialDims: number;
}

function plan(xpShape: readonly number[], w: Tensor, p: ConvGeometry): Plan {
  const xp = { shape: xpShape };
  const [N, Cin] = [xp.shape[0]!, xp.shape[1]!];
  const Cout = w.shape[0]!;
  const G = p.groups;
  const spatialDims = xp.shape.length - 2;
  if (w.shape.length !== xp.shape.length) throw new ExecError(`weight rank ${w.shape.length} does not match input rank ${xp.shape.length}`);
  if (Cin % G !== 0 || Cout % G !== 0) throw new ExecError(`channels ${Cin} → ${Cout} are not divisible by groups = ${G}`);
  if (w.shape[1] !== Cin / G) throw new ExecError(`weight expects ${w.shape[1]} input channels per group, the input has ${Cin / G}`);
  const P = to3(xp.shape.slice(2), 1);
  const K = to3(w.shape.slice(2), 1);
  const S = to3(p.stride, 1);
  const D = to3(p.dilation, 1);
  const O: [number, number, number] = [0, 1, 2].map((a) => slide(P[a]!, K[a]!, S[a]!, D[a]!)) as [number, number, number];
  if (O.some((o) => o <= 0)) throw new ExecError(`the kernel does not fit the padded input (${P.slice(3 - spatialDims).join("×")})`);
  return { N, Cin, Cout, G, cinG: Cin / G, coutG: Cout / G, P, K, S, D, O, spatialDims };
}

function outShape(pl: Plan): number[] {
  return [pl.N, pl.Cout, ...pl.O.slice(3 - pl.spatialDims)];
}

function pads(p: ConvGeometry): Pads {
  return { before: [...p.padBefore], after: [...p.padAfter] };
}

/**
 * Visits every (output element, input element, weight element) triple of the convolution
 * row by row: `row(yOff, xOff, wOff, len, xStep)` covers `len` outputs along the last axis.
 */
function sweep(pl: Plan, row: (yOff: number, xOff: number, wOff: number, len: number, xStep: number) => void): void {
  const { N, Cin, Cout, cinG, coutG, P, K, S, D, O } = pl;
  const inPlane = P[0] * P[1] * P[2];
  const outPlane = O[0] * O[1] * O[2];
  const kVol = K[0] * K[1] * K[2];
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < Cout; oc++) {
      const g = Math.floor(oc / coutG);
      const yBase = (n * Cout + oc) * outPlane;
      for (let icg = 0; icg < cinG; icg++) {
        const xBase = (n * Cin + g * cinG + icg) * inPlane;
        const wBase = (oc * cinG + icg) * kVol;
        for (let kd = 0; kd < K[0]; kd++) for (let kh = 0; kh < K[1]; kh++) for (let kw = 0; kw < K[2]; kw++) {
          const wOff = wBase + (kd * K[1] + kh) * K[2] + kw;
          for (let od = 0; od < O[0]; od++) for (let oh = 0; oh < O[1]; oh++) {
            const xOff = xBase + ((od * S[0] + kd * D[0]) * P[1] + oh * S[1] + kh * D[1]) * P[2] + kw * D[2];
            row(yBase + (od * O[1] + oh) * O[2], xOff, wOff, O[2], S[2]);
          }
        }
      }
    }
  }
}

/** Reference convolution forward: x [N, Cin, ...S], w [Cout, Cin/G, ...K] → [N, Cout, ...O]. */
export function convForward(x: Tensor, w: Tensor, b: Tensor | undefined, p: ConvGeometry, counter: MacCounter): Tensor {
  const xp = padTensor(x, pads(p), "zeros");
  const pl = plan(xp.shape, w, p);
  const outPlane = pl.O[0] * pl.O[1] * pl.O[2];
  const y = alloc(x.data, pl.N * pl.Cout * outPlane);
  if (b) for (let n = 0; n < pl.N; n++) for (let oc = 0; oc < pl.Cout; oc++) y.fill(b.data[oc]!, (n * pl.Cout + oc) * outPlane, (n * pl.Cout + oc + 1) * outPlane);
  const xd = xp.data, wd = w.data;
  let macs = 0;
  sweep(pl, (yOff, xOff, wOff, len, step) => {
    const wv = wd[wOff]!;
    if (step === 1) for (let i = 0; i < len; i++) y[yOff + i]! += wv * xd[xOff + i]!;
    else for (let i = 0, j = xOff; i < len; i++, j += step) y[yOff + i]! += wv * xd[j]!;
    macs += len;
  });
  counter.add(macs);
  return { shape: outShape(pl), data: y };
}

/**
 * Gradients of convForward with respect to x, and (unless `wantParams` is false, as in the
 * receptive-field probe) w and b, given dy. Only the non-zero span of each row of dy is visited.
 */
export function convBackward(x: Tensor, w: Tensor, hasBias: boolean, p: ConvGeometry, dy: Tensor, wantParams = true): { dx: Tensor; dw?: Tensor; db?: Tensor } {
  const paddedShape = [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map((n, a) => n + p.padBefore[a]! + p.padAfter[a]!)];
  const pl = plan(paddedShape, w, p);
  const xp = wantParams ? padTensor(x, pads(p), "zeros") : undefined;
  const dxp = alloc(x.data, prod(paddedShape));
  const dw = alloc(w.data, wantParams ? w.data.length : 0);
  const wd = w.data, g = dy.data, rowLen = pl.O[2];
  // The non-zero span [first, last] of each output row of dy (empty: first > last); the
  // receptive-field probe's gradients are zero outside a small region.
  const rows = g.length / rowLen;
  const first = new Int32Array(rows).fill(rowLen), last = new Int32Array(rows).fill(-1);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < rowLen; i++) if (g[r * rowLen + i] !== 0) { first[r] = i; break; }
    for (let i = rowLen - 1; i >= first[r]!; i--) if (g[r * rowLen + i] !== 0) { last[r] = i; break; }
  }
  sweep(pl, (yOff, xOff, wOff, _len, step) => {
    const r = yOff / rowLen, a = first[r]!, b = last[r]!;
    if (a > b) return;
    const wv = wd[wOff]!;
    for (let i = a; i <= b; i++) dxp[xOff + i * step]! += wv * g[yOff + i]!;
    if (!xp) return;
    let acc = 0;
    for (let i = a; i <= b; i++) acc += g[yOff + i]! * xp.data[xOff + i * step]!;
    dw[wOff]! += acc;
  });
  const dx = padTensorBackward(x, pads(p), "zeros", { shape: paddedShape, data: dxp });
  if (!wantParams) return { dx };
  const out: { dx: Tensor; dw?: Tensor; db?: Tensor } = { dx, dw: { shape: [...w.shape], data: dw } };
  if (hasBias) out.db = channelSums(dy);
  return out;
}

/** Σ over batch and spatial axes per channel: the gradient of a per-channel bias. */
export function channelSums(dy: Tensor): Tensor {
  const [N, C] = [dy.shape[0]!, dy.shape[1]!];
  const plane = dy.data.length / (N * C);
  const db = alloc(dy.data, C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    let s = 0;
    const base = (n * C + c) * plane;
    for (let i = 0; i < plane; i++) s += dy.data[base + i]!;
    db[c]! += s;
  }
  return { shape: [C], data: db };
}
