/**
 * Reference convolution (cross-correlation, PyTorch's Conv{1,2,3}d) and its gradients. The
 * input is zero-padded into a copy first; output sizes come from sliding the dilated kernel
 * over that copy (every start s with s + D(K−1) + 1 ≤ padded size, stepping by the stride), so
 * nothing here shares the analyzer's output-size formula. Every product over the padded copy
 * (zeros included) is counted as one MAC.
 */
import type { Tensor } from "../../exec/tensor.js";
import type { ConvGeometry, MacCounter } from "../../exec/kernels/api.js";
import type { Float } from "../../exec/tensor.js";
import { padTensor, type Pads } from "../pad/kernel.js";
import { allFinite, emptyBoxes, grow, setRegion, toVisit, type NonZero } from "../../exec/kernels/sparse.js";
import { ExecError, alloc, to3 } from "../../exec/kernels/util.js";

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
 * receptive-field probe) w and b, given dy.
 *
 * Only the non-zero elements of dy are visited (rows and plane boxes read from dy's values):
 * with finite weights and inputs a zero element of dy contributes exact zeros, so skipping it
 * changes nothing, and the probe's gradients are zero outside a small region. The input
 * gradient is written straight into x's layout: the products that would land in the zero
 * padding are dropped, as padding's backward would drop them.
 */
export function convBackward(x: Tensor, w: Tensor, hasBias: boolean, p: ConvGeometry, dy: Tensor, wantParams = true): { dx: Tensor; dw?: Tensor; db?: Tensor } {
  const paddedShape = [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map((n, a) => n + p.padBefore[a]! + p.padAfter[a]!)];
  const pl = plan(paddedShape, w, p);
  const nz = toVisit(dy, !allFinite(w.data) || (wantParams && !allFinite(x.data)));
  const dx: Tensor = { shape: [...x.shape], data: alloc(x.data, x.data.length) };
  setRegion(dx, convInputGrad(pl, to3(x.shape.slice(2), 1), to3(p.padBefore, 0), w.data, dy.data, nz, dx.data));
  if (!wantParams) return { dx };
  const xp = padTensor(x, pads(p), "zeros");
  const dw = alloc(w.data, w.data.length);
  const g = dy.data, rowLen = pl.O[2];
  sweep(pl, (yOff, xOff, wOff, _len, step) => {
    const r = yOff / rowLen, a = nz.first[r]!, b = nz.last[r]!;
    let acc = 0;
    for (let i = a; i <= b; i++) acc += g[yOff + i]! * xp.data[xOff + i * step]!;
    if (a <= b) dw[wOff]! += acc;
  });
  const out: { dx: Tensor; dw?: Tensor; db?: Tensor } = { dx, dw: { shape: [...w.shape], data: dw } };
  if (hasBias) out.db = channelSums(dy);
  return out;
}

/**
 * dx += w · dy over the non-zero part of dy, in sweep's order (n, oc, icg, kernel offsets,
 * output rows, along the row), so every element of dx sums the same products in the same
 * order as the full sweep. I are x's sizes, B the zero padding before each axis. Returns the
 * box of dx each plane was written in.
 */
function convInputGrad(pl: Plan, I: readonly number[], B: readonly number[], wd: Float, g: Float, nz: NonZero, dx: Float): Int32Array {
  const written = emptyBoxes(pl.N * pl.Cin);
  const { N, Cin, Cout, cinG, coutG, K, S, D, O } = pl;
  const [I0, I1, I2] = [I[0]!, I[1]!, I[2]!], [S0, S1, S2] = S, [O0, O1, O2] = O;
  const inPlane = I0 * I1 * I2, kVol = K[0] * K[1] * K[2];
  // Per axis and kernel offset k: the non-zero outputs [lo, hi] of the plane of dy whose tap k
  // lands inside x (0 ≤ o·S + k·D − B < I, not in the padding); and the box of x they write.
  const lo = K.map((k) => new Int32Array(k)), hi = K.map((k) => new Int32Array(k));
  const box = new Int32Array(6);
  for (let n = 0; n < N; n++) for (let oc = 0; oc < Cout; oc++) {
    const plane = n * Cout + oc, bx = plane * 6;
    let writes = nz.box[bx]! <= nz.box[bx + 1]!;
    for (let a = 0; a < 3 && writes; a++) {
      box[2 * a] = I[a]!;
      box[2 * a + 1] = -1;
      for (let k = 0; k < K[a]!; k++) {
        const off = k * D[a]! - B[a]!;
        lo[a]![k] = Math.max(nz.box[bx + 2 * a]!, Math.ceil(-off / S[a]!));
        hi[a]![k] = Math.min(nz.box[bx + 2 * a + 1]!, Math.floor((I[a]! - 1 - off) / S[a]!));
        if (lo[a]![k]! > hi[a]![k]!) continue;
        box[2 * a] = Math.min(box[2 * a]!, lo[a]![k]! * S[a]! + off);
        box[2 * a + 1] = Math.max(box[2 * a + 1]!, hi[a]![k]! * S[a]! + off);
      }
      writes = box[2 * a]! <= box[2 * a + 1]!;
    }
    if (!writes) continue;
    const [lo0, lo1, lo2] = lo as [Int32Array, Int32Array, Int32Array], [hi0, hi1, hi2] = hi as [Int32Array, Int32Array, Int32Array];
    const g0 = Math.floor(oc / coutG);
    for (let icg = 0; icg < cinG; icg++) {
      const xPlane = n * Cin + g0 * cinG + icg, xBase = xPlane * inPlane;
      const wBase = (oc * cinG + icg) * kVol;
      grow(written, xPlane, box[0]!, box[1]!, box[2]!, box[3]!, box[4]!, box[5]!);
      for (let kd = 0; kd < K[0]; kd++) for (let kh = 0; kh < K[1]; kh++) for (let kw = 0; kw < K[2]; kw++) {
        const wv = wd[wBase + (kd * K[1] + kh) * K[2] + kw]!;
        const col = kw * D[2] - B[2]!;
        for (let od = lo0[kd]!; od <= hi0[kd]!; od++) {
          const id = od * S0 + kd * D[0] - B[0]!;
          for (let oh = lo1[kh]!; oh <= hi1[kh]!; oh++) {
            const r = (plane * O0 + od) * O1 + oh;
            const a = Math.max(nz.first[r]!, lo2[kw]!), b = Math.min(nz.last[r]!, hi2[kw]!);
            const xOff = xBase + (id * I1 + oh * S1 + kh * D[1] - B[1]!) * I2 + col;
            addScaledRow(dx, xOff + a * S2, S2, g, r * O2 + a, r * O2 + b, wv);
          }
        }
      }
    }
  }
  return written;
}

/**
 * dx[j + m·step] += w · g[k + m] for k + m = k … end, one element after the other. Unrolled by
 * four (the probe's hottest loop; about 1.5× faster in V8), which changes no result: each
 * element still gets exactly one product added.
 */
function addScaledRow(dx: Float, j: number, step: number, g: Float, k: number, end: number, w: number): void {
  for (; k + 3 <= end; k += 4, j += 4 * step) {
    dx[j]! += w * g[k]!;
    dx[j + step]! += w * g[k + 1]!;
    dx[j + 2 * step]! += w * g[k + 2]!;
    dx[j + 3 * step]! += w * g[k + 3]!;
  }
  for (; k <= end; k++, j += step) dx[j]! += w * g[k]!;
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
