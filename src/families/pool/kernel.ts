/**
 * Reference pooling: max, average and power-average (Lp) over sliding windows, and adaptive /
 * global pooling over PyTorch's bins, with their gradients. Windows are listed per axis as the
 * input positions they cover, found by sliding over the padded extent (never from the analyzer).
 */
import type { Tensor } from "../../exec/tensor.js";
import { emptyBoxes, grow, setRegion, toVisit } from "../../exec/kernels/sparse.js";
import { alloc, to3 } from "../../exec/kernels/util.js";

/** The windows of one axis: for each output index, the input positions inside it and its padded size. */
export interface AxisWindows {
  readonly pos: readonly (readonly number[])[];
  /** Window positions inside the padded extent [−before, N + after): avgpool's count_pad divisor. */
  readonly padCount: readonly number[];
}

/**
 * Windows of a pooling axis. Starts s (in padded coordinates) step by the stride while the
 * dilated window fits the padded size Np; with ceil mode a last partial window is kept when it
 * still covers uncovered elements (s < Np − eff + S) and does not start in the right padding
 * (s < before + N), as PyTorch.
 */
export function slidingWindows(n: number, k: number, s: number, d: number, before: number, after: number, ceil: boolean): AxisWindows {
  const np = before + n + after;
  const eff = d * (k - 1) + 1;
  const pos: number[][] = [];
  const padCount: number[] = [];
  for (let st = 0; ; st += s) {
    const fits = st + eff <= np;
    const partial = ceil && st < np - eff + s && st < before + n;
    if (!fits && !partial) break;
    const inside: number[] = [];
    let padded = 0;
    for (let j = 0; j < k; j++) {
      const p = st + j * d - before;
      if (p < n + after) padded++;
      if (p >= 0 && p < n) inside.push(p);
    }
    pos.push(inside);
    padCount.push(padded);
  }
  return { pos, padCount };
}

/** Adaptive pooling bins (PyTorch): bin i covers [floor(i·N/out), ceil((i+1)·N/out)). */
export function adaptiveWindows(n: number, out: number): AxisWindows {
  const pos: number[][] = [];
  for (let i = 0; i < out; i++) {
    const a = Math.floor((i * n) / out), b = Math.ceil(((i + 1) * n) / out);
    pos.push(Array.from({ length: b - a }, (_, j) => a + j));
  }
  return { pos, padCount: pos.map((p) => p.length) };
}

export type PoolOp = "max" | "avg" | "lp";

export interface PoolOptions {
  readonly op: PoolOp;
  /** Average: divide by the padded window size (PyTorch's count_include_pad) instead of the inside count. */
  readonly countPad?: boolean;
  /** Lp pooling's power. */
  readonly p?: number;
}

const single: AxisWindows = { pos: [[0]], padCount: [1] };

/** Visits every (output element, its window's flat input offsets, divisor) of a pooling. */
function sweep(x: Tensor, axes: readonly AxisWindows[], opt: PoolOptions, visit: (o: number, offs: number[], base: number, div: number) => void): number[] {
  const dims = x.shape.length - 2;
  const I = to3(x.shape.slice(2), 1);
  const A = [...new Array<AxisWindows>(3 - dims).fill(single), ...axes];
  const O = A.map((a) => a.pos.length);
  const planes = x.shape[0]! * x.shape[1]!, inPlane = I[0] * I[1] * I[2], outPlane = O[0]! * O[1]! * O[2]!;
  const offs: number[] = [];
  for (let od = 0; od < O[0]!; od++) for (let oh = 0; oh < O[1]!; oh++) for (let ow = 0; ow < O[2]!; ow++) {
    offs.length = 0;
    for (const d of A[0]!.pos[od]!) for (const h of A[1]!.pos[oh]!) for (const w of A[2]!.pos[ow]!) offs.push((d * I[1] + h) * I[2] + w);
    const div = opt.countPad ? A[0]!.padCount[od]! * A[1]!.padCount[oh]! * A[2]!.padCount[ow]! : offs.length;
    const o = (od * O[1]! + oh) * O[2]! + ow;
    for (let pl = 0; pl < planes; pl++) {
      visit(pl * outPlane + o, offs, pl * inPlane, div);
    }
  }
  return [x.shape[0]!, x.shape[1]!, ...O.slice(3 - dims)];
}

/** Pools x [N, C, ...S] over the given per-axis windows. Max over an all-padding window is −∞. */
export function poolForward(x: Tensor, axes: readonly AxisWindows[], opt: PoolOptions): Tensor {
  const outN = x.shape[0]! * x.shape[1]! * axes.reduce((n, a) => n * a.pos.length, 1);
  const y = alloc(x.data, outN);
  const xd = x.data, p = opt.p ?? 2;
  const shape = sweep(x, axes, opt, (o, offs, base, div) => {
    if (opt.op === "max") {
      let m = -Infinity;
      for (const f of offs) if (xd[base + f]! > m) m = xd[base + f]!;
      y[o] = m;
    } else if (opt.op === "avg") {
      let s = 0;
      for (const f of offs) s += xd[base + f]!;
      y[o] = s / div;
    } else {
      let s = 0;
      for (const f of offs) s += Math.pow(xd[base + f]!, p);
      y[o] = Math.pow(s, 1 / p);
    }
  });
  return { shape, data: y };
}

/**
 * Gradient of poolForward. Max sends dy to the first maximum of its window; with `spread`
 * (the receptive-field probe) it sends dy to every element of the window, so no path is masked.
 *
 * Outputs whose gradient is zero are skipped (rows and plane boxes read from dy's values):
 * for max, average and spread they add exact zeros. Lp visits every output, as its factor
 * y^(1−p) may be infinite.
 */
export function poolBackward(x: Tensor, axes: readonly AxisWindows[], opt: PoolOptions, y: Tensor, dy: Tensor, spread = false): Tensor {
  const dx = alloc(x.data, x.data.length);
  const xd = x.data, yd = y.data, g = dy.data, p = opt.p ?? 2;
  const dims = x.shape.length - 2;
  const [, I1, I2] = to3(x.shape.slice(2), 1);
  const A = [...new Array<AxisWindows>(3 - dims).fill(single), ...axes];
  const [O0, O1, O2] = A.map((a) => a.pos.length) as [number, number, number];
  const planes = x.shape[0]! * x.shape[1]!, inPlane = x.data.length / planes;
  const nz = toVisit(dy, opt.op === "lp" && !spread);
  const [P0, P1, P2] = [A[0]!.pos, A[1]!.pos, A[2]!.pos];
  const written = emptyBoxes(planes);
  // The same visiting order as sweep: per output in memory order, its window in (d, h, w) order.
  for (let pl = 0; pl < planes; pl++) {
    const bx = pl * 6, base = pl * inPlane;
    for (let od = nz.box[bx]!; od <= nz.box[bx + 1]!; od++) for (let oh = nz.box[bx + 2]!; oh <= nz.box[bx + 3]!; oh++) {
      const r = (pl * O0 + od) * O1 + oh;
      for (let ow = nz.first[r]!; ow <= nz.last[r]!; ow++) {
        const o = r * O2 + ow, go = g[o]!, wd = P0[od]!, wh = P1[oh]!, ww = P2[ow]!;
        if (wd.length === 0 || wh.length === 0 || ww.length === 0) continue; // all padding: no input to send to
        const div = opt.countPad ? A[0]!.padCount[od]! * A[1]!.padCount[oh]! * A[2]!.padCount[ow]! : wd.length * wh.length * ww.length;
        // Window positions are listed in increasing order: the first and last bound it.
        grow(written, pl, wd[0]!, wd[wd.length - 1]!, wh[0]!, wh[wh.length - 1]!, ww[0]!, ww[ww.length - 1]!);
        let best = -1, m = -Infinity;
        const scale = opt.op === "lp" && yd[o] !== 0 ? go * Math.pow(yd[o]!, 1 - p) : 0;
        for (const d of wd) for (const h of wh) for (const w of ww) {
          const f = base + (d * I1 + h) * I2 + w;
          if (spread) dx[f]! += go;
          else if (opt.op === "max") { if (xd[f]! > m) { m = xd[f]!; best = f; } }
          else if (opt.op === "avg") dx[f]! += go / div;
          // d/dx_i (Σ x^p)^(1/p) = y^(1−p) · x_i^(p−1)
          else if (yd[o] !== 0) dx[f]! += scale * Math.pow(xd[f]!, p - 1);
        }
        if (!spread && opt.op === "max" && best >= 0) dx[best]! += go;
      }
    }
  }
  const out = { shape: [...x.shape], data: dx };
  setRegion(out, written);
  return out;
}
