/**
 * Reference transposed convolution (PyTorch's ConvTranspose{1,2,3}d) and its gradients. Each
 * input element scatters its kernel-weighted copy into a full buffer at stride spacing; the
 * buffer is as long as the last scatter reaches, plus output_padding zeros at the end, and the
 * padding is then cropped from each side. Every scattered product is one MAC.
 */
import type { Tensor } from "../../exec/tensor.js";
import type { MacCounter } from "../../exec/kernels/api.js";
import { ExecError, alloc, to3 } from "../../exec/kernels/util.js";

/** Hyper-parameters of a transposed convolution, one entry per spatial axis. */
export interface DeconvGeometry {
  readonly stride: readonly number[];
  readonly cropBefore: readonly number[];
  readonly cropAfter: readonly number[];
  readonly outputPadding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
}

interface Plan {
  N: number; Cin: number; Cout: number; cinG: number; coutG: number;
  I: number[]; K: number[]; S: number[]; D: number[]; F: number[]; O: number[]; B: number[]; dims: number;
}

function plan(x: Tensor, w: Tensor, p: DeconvGeometry): Plan {
  const [N, Cin] = [x.shape[0]!, x.shape[1]!];
  const G = p.groups;
  if (w.shape[0] !== Cin) throw new ExecError(`weight expects ${w.shape[0]} input channels, the input has ${Cin}`);
  const coutG = w.shape[1]!;
  const dims = x.shape.length - 2;
  const I = to3(x.shape.slice(2), 1), K = to3(w.shape.slice(2), 1), S = to3(p.stride, 1), D = to3(p.dilation, 1);
  const OP = to3(p.outputPadding, 0), B = to3(p.cropBefore, 0), A = to3(p.cropAfter, 0);
  // The last input element's scatter ends at (I−1)·S + D·(K−1); output_padding extends the end.
  const F = [0, 1, 2].map((a) => (I[a]! - 1) * S[a]! + D[a]! * (K[a]! - 1) + 1 + OP[a]!);
  const O = F.map((f, a) => f - B[a]! - A[a]!);
  if (O.some((o) => o <= 0)) throw new ExecError("the padding crops the whole output");
  return { N, Cin, Cout: coutG * G, cinG: Cin / G, coutG, I, K, S, D, F, O, B, dims };
}

/**
 * Visits every scatter row: `row(fOff, xOff, wOff, len, fStep)` adds len products of input
 * row elements (contiguous from xOff) into the full buffer at fOff + i·fStep.
 */
function sweep(pl: Plan, row: (fOff: number, xOff: number, wOff: number, len: number, fStep: number) => void): void {
  const { N, Cin, Cout, cinG, coutG, I, K, S, D, F } = pl;
  const inPlane = I[0]! * I[1]! * I[2]!, fPlane = F[0]! * F[1]! * F[2]!, kVol = K[0]! * K[1]! * K[2]!;
  for (let n = 0; n < N; n++) for (let ic = 0; ic < Cin; ic++) {
    const g = Math.floor(ic / cinG);
    for (let ocg = 0; ocg < coutG; ocg++) {
      const oc = g * coutG + ocg;
      const fBase = (n * Cout + oc) * fPlane, xBase = (n * Cin + ic) * inPlane, wBase = (ic * coutG + ocg) * kVol;
      for (let kd = 0; kd < K[0]!; kd++) for (let kh = 0; kh < K[1]!; kh++) for (let kw = 0; kw < K[2]!; kw++) {
        const wOff = wBase + (kd * K[1]! + kh) * K[2]! + kw;
        for (let id = 0; id < I[0]!; id++) for (let ih = 0; ih < I[1]!; ih++) {
          const fOff = fBase + ((id * S[0]! + kd * D[0]!) * F[1]! + ih * S[1]! + kh * D[1]!) * F[2]! + kw * D[2]!;
          row(fOff, xBase + (id * I[1]! + ih) * I[2]!, wOff, I[2]!, S[2]!);
        }
      }
    }
  }
}

/** Copies the uncropped window [B, B+O) of every plane of the full buffer (or back, for gradients). */
function crop(pl: Plan, full: Float32Array | Float64Array, out: Float32Array | Float64Array, toFull: boolean): void {
  const { F, O, B } = pl;
  const planes = pl.N * pl.Cout, fPlane = F[0]! * F[1]! * F[2]!, oPlane = O[0]! * O[1]! * O[2]!;
  for (let pIdx = 0; pIdx < planes; pIdx++) for (let d = 0; d < O[0]!; d++) for (let h = 0; h < O[1]!; h++) {
    const fo = pIdx * fPlane + ((d + B[0]!) * F[1]! + h + B[1]!) * F[2]! + B[2]!;
    const oo = pIdx * oPlane + (d * O[1]! + h) * O[2]!;
    for (let x = 0; x < O[2]!; x++) {
      if (toFull) full[fo + x] = out[oo + x]!;
      else out[oo + x] = full[fo + x]!;
    }
  }
}

/** Reference transposed convolution: x [N, Cin, ...I], w [Cin, Cout/G, ...K] → [N, Cout, ...O]. */
export function deconvForward(x: Tensor, w: Tensor, b: Tensor | undefined, p: DeconvGeometry, counter: MacCounter): Tensor {
  const pl = plan(x, w, p);
  const full = alloc(x.data, pl.N * pl.Cout * pl.F[0]! * pl.F[1]! * pl.F[2]!);
  const xd = x.data, wd = w.data;
  let macs = 0;
  sweep(pl, (fOff, xOff, wOff, len, step) => {
    const wv = wd[wOff]!;
    for (let i = 0; i < len; i++) full[fOff + i * step]! += wv * xd[xOff + i]!;
    macs += len;
  });
  counter.add(macs);
  const oPlane = pl.O[0]! * pl.O[1]! * pl.O[2]!;
  const y = alloc(x.data, pl.N * pl.Cout * oPlane);
  crop(pl, full, y, false);
  if (b) for (let i = 0; i < y.length; i++) y[i]! += b.data[Math.floor(i / oPlane) % pl.Cout]!;
  return { shape: [pl.N, pl.Cout, ...pl.O.slice(3 - pl.dims)], data: y };
}

/** Gradients of deconvForward with respect to x and w (the bias gradient is channelSums(dy)). */
export function deconvBackward(x: Tensor, w: Tensor, p: DeconvGeometry, dy: Tensor): { dx: Tensor; dw: Tensor } {
  const pl = plan(x, w, p);
  const dfull = alloc(x.data, pl.N * pl.Cout * pl.F[0]! * pl.F[1]! * pl.F[2]!);
  crop(pl, dfull, dy.data, true);
  const dx = alloc(x.data, x.data.length), dw = alloc(w.data, w.data.length);
  const xd = x.data, wd = w.data;
  sweep(pl, (fOff, xOff, wOff, len, step) => {
    const wv = wd[wOff]!;
    let acc = 0;
    for (let i = 0; i < len; i++) {
      const g = dfull[fOff + i * step]!;
      dx[xOff + i]! += wv * g;
      acc += g * xd[xOff + i]!;
    }
    dw[wOff]! += acc;
  });
  return { dx: { shape: [...x.shape], data: dx }, dw: { shape: [...w.shape], data: dw } };
}
