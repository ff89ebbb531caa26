/**
 * Reference kernels that move or combine elements: concatenation, broadcasting add and
 * multiply (NumPy rules), upsampling (nearest; linear as align_corners=false), and maxout over
 * groups of channels — each with its gradient.
 */
import type { Float, Tensor } from "../tensor.js";
import { copyNonZero, emptyBoxes, setRegion, toVisit } from "./sparse.js";
import { ExecError, alloc, prod, to3 } from "./util.js";
import { maxOf } from "../../util/array.js";

/** Concatenates along full-shape axis `axis`; the other axes must agree. */
export function concatForward(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0]!;
  for (const x of xs) {
    if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i]))
      throw new ExecError(`cannot concatenate [${x.shape.join(", ")}] with [${first.shape.join(", ")}] along axis ${axis}`);
  }
  const outer = prod(first.shape.slice(0, axis)), inner = prod(first.shape.slice(axis + 1));
  const total = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const y = alloc(first.data, outer * total * inner);
  let at = 0;
  for (const x of xs) {
    const len = x.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) y.set(x.data.subarray(o * len, (o + 1) * len), o * total * inner + at);
    at += len;
  }
  const shape = [...first.shape];
  shape[axis] = total;
  return { shape, data: y };
}

/** Gradient of concatForward: dy split back into the operands' slices. */
export function concatBackward(xs: readonly Tensor[], axis: number, dy: Tensor): Tensor[] {
  if (axis === 1 && dy.shape.length >= 3) return concatChannelsBackward(xs, dy);
  const outer = prod(dy.shape.slice(0, axis)), inner = prod(dy.shape.slice(axis + 1)), total = dy.shape[axis]!;
  let at = 0;
  return xs.map((x) => {
    const len = x.shape[axis]! * inner;
    const dx = alloc(x.data, x.data.length);
    for (let o = 0; o < outer; o++) dx.set(dy.data.subarray(o * total * inner + at, o * total * inner + at + len), o * len);
    at += len;
    return { shape: [...x.shape], data: dx };
  });
}

/** concatBackward along the channel axis: each operand's planes are planes of dy, copied where dy is non-zero. */
function concatChannelsBackward(xs: readonly Tensor[], dy: Tensor): Tensor[] {
  const nz = toVisit(dy);
  const [D, H, W] = nz.dims, N = dy.shape[0]!, C = dy.shape[1]!;
  let at = 0;
  return xs.map((x) => {
    const Cx = x.shape[1]!, dx = alloc(x.data, x.data.length), region = emptyBoxes(N * Cx);
    for (let n = 0; n < N; n++) for (let c = 0; c < Cx; c++) {
      const p = n * C + at + c, q = n * Cx + c, o = p * 6;
      region.set(nz.box.subarray(o, o + 6), q * 6);
      for (let d = nz.box[o]!; d <= nz.box[o + 1]!; d++) for (let h = nz.box[o + 2]!; h <= nz.box[o + 3]!; h++) {
        const r = (p * D + d) * H + h, a = nz.first[r]!, b = nz.last[r]!;
        if (a <= b) dx.set(dy.data.subarray(r * W + a, r * W + b + 1), ((q * D + d) * H + h) * W + a);
      }
    }
    at += Cx;
    const out: Tensor = { shape: [...x.shape], data: dx };
    setRegion(out, region);
    return out;
  });
}

/** NumPy broadcast of full shapes that share the batch axis: align right, sizes equal or 1. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = maxOf(shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i, d = s[i]!;
      if (i === 0) { out[0] = Math.max(out[0]!, d); continue; } // the batch axis, always first
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) throw new ExecError(`shapes [${s.slice(1).join(", ")}] and [${out.slice(1).join(", ")}] do not broadcast`);
    }
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** For every element of `shape`, the flat offset of the broadcast operand of shape `src`. */
function broadcastIndex(shape: readonly number[], src: readonly number[]): Int32Array {
  // The operand's batch axis maps to the output's; its other axes align right.
  const aligned = [src[0]!, ...new Array<number>(shape.length - src.length).fill(1), ...src.slice(1)];
  const strides = new Array<number>(shape.length).fill(0);
  let st = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = aligned[i] === 1 ? 0 : st;
    st *= aligned[i]!;
  }
  const n = prod(shape);
  const map = new Int32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    map[k] = off;
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a]!++;
      off += strides[a]!;
      if (idx[a]! < shape[a]!) break;
      off -= strides[a]! * shape[a]!;
      idx[a] = 0;
    }
  }
  return map;
}

/** Element-wise sum or product of operands broadcast to one shape. */
export function elementwiseForward(xs: readonly Tensor[], op: "add" | "mul"): Tensor {
  const shape = broadcastShape(xs.map((x) => x.shape));
  const n = prod(shape);
  const y = alloc(xs[0]!.data, n);
  y.fill(op === "add" ? 0 : 1);
  for (const x of xs) {
    // An operand of the output's own shape is read in place; others through the broadcast map.
    if (sameShape(x.shape, shape)) {
      if (op === "add") for (let k = 0; k < n; k++) y[k]! += x.data[k]!;
      else for (let k = 0; k < n; k++) y[k]! *= x.data[k]!;
      continue;
    }
    const map = broadcastIndex(shape, x.shape);
    for (let k = 0; k < n; k++) {
      if (op === "add") y[k]! += x.data[map[k]!]!;
      else y[k]! *= x.data[map[k]!]!;
    }
  }
  return { shape, data: y };
}

/** Gradients of elementwiseForward: dy (times the other factors for mul), summed over broadcast axes. */
export function elementwiseBackward(xs: readonly Tensor[], op: "add" | "mul", dy: Tensor): Tensor[] {
  const shape = dy.shape, n = prod(shape);
  // A sum's operand of the output's own shape receives dy as it is (no broadcast axis to sum over).
  if (op === "add" && xs.every((x) => sameShape(x.shape, shape))) return xs.map((x) => copyNonZero(dy, alloc(x.data, x.data.length)));
  const maps = xs.map((x) => broadcastIndex(shape, x.shape));
  return xs.map((x, i) => {
    const dx = alloc(x.data, x.data.length);
    for (let k = 0; k < n; k++) {
      let g = dy.data[k]!;
      if (op === "mul") for (let j = 0; j < xs.length; j++) if (j !== i) g *= xs[j]!.data[maps[j]![k]!]!;
      dx[maps[i]![k]!]! += g;
    }
    return { shape: [...x.shape], data: dx };
  });
}

/** Interpolation taps of one upsampled axis: for each output index, source indices and weights. */
type Taps = { idx: number[]; w: number[] }[];

/**
 * Taps for scale s on an axis of size n. Nearest: floor(i/s). Linear, align_corners=false
 * (PyTorch): source x = (i + ½)/s − ½ clamped at 0, between floor(x) and the next index.
 */
export function upsampleTaps(n: number, s: number, linear: boolean): Taps {
  const taps: Taps = [];
  for (let i = 0; i < n * s; i++) {
    if (!linear) { taps.push({ idx: [Math.floor(i / s)], w: [1] }); continue; }
    const x = Math.max(0, (i + 0.5) / s - 0.5);
    const i0 = Math.min(Math.floor(x), n - 1), i1 = Math.min(i0 + 1, n - 1), l = x - i0;
    taps.push({ idx: [i0, i1], w: [1 - l, l] });
  }
  return taps;
}

/** Visits (output offset, input offset, weight) of a separable per-axis interpolation. */
function sweepTaps(x: Tensor, axes: readonly Taps[], visit: (o: number, i: number, w: number) => void): number[] {
  const dims = x.shape.length - 2;
  const one: Taps = [{ idx: [0], w: [1] }];
  const T = [...new Array<Taps>(3 - dims).fill(one), ...axes];
  const I = to3(x.shape.slice(2), 1);
  const O = T.map((t) => t.length);
  const planes = x.shape[0]! * x.shape[1]!, inPlane = prod(I), outPlane = prod(O);
  for (let d = 0; d < O[0]!; d++) for (let h = 0; h < O[1]!; h++) for (let w = 0; w < O[2]!; w++) {
    const td = T[0]![d]!, th = T[1]![h]!, tw = T[2]![w]!, o = (d * O[1]! + h) * O[2]! + w;
    for (let a = 0; a < td.idx.length; a++) for (let b = 0; b < th.idx.length; b++) for (let c = 0; c < tw.idx.length; c++) {
      const wt = td.w[a]! * th.w[b]! * tw.w[c]!;
      const off = (td.idx[a]! * I[1] + th.idx[b]!) * I[2] + tw.idx[c]!;
      for (let p = 0; p < planes; p++) visit(p * outPlane + o, p * inPlane + off, wt);
    }
  }
  return [x.shape[0]!, x.shape[1]!, ...O.slice(3 - dims)];
}

/** Upsamples the spatial axes of x with per-axis taps. */
export function upsampleForward(x: Tensor, axes: readonly Taps[]): Tensor {
  const y = alloc(x.data, x.shape[0]! * x.shape[1]! * prod(axes.map((t) => t.length)));
  const shape = sweepTaps(x, axes, (o, i, w) => { y[o]! += w * x.data[i]!; });
  return { shape, data: y };
}

/** Gradient of upsampleForward: every output's gradient flows back along its taps. */
export function upsampleBackward(x: Tensor, axes: readonly Taps[], dy: Tensor): Tensor {
  const dx = alloc(x.data, x.data.length);
  sweepTaps(x, axes, (o, i, w) => { dx[i]! += w * dy.data[o]!; });
  return { shape: [...x.shape], data: dx };
}

/** Maxout: y[n, g] = max over channels g·k … g·k + k − 1 of x[n]. */
export function channelMaxForward(x: Tensor, k: number): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  if (C % k !== 0) throw new ExecError(`${C} channels do not split into groups of ${k}`);
  const plane = x.data.length / (N * C), G = C / k;
  const y = alloc(x.data, N * G * plane);
  for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) for (let i = 0; i < plane; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, x.data[(n * C + g * k + j) * plane + i]!);
    y[(n * G + g) * plane + i] = m;
  }
  return { shape: [N, G, ...x.shape.slice(2)], data: y };
}

/** Gradient of channelMaxForward: to the first maximum, or with `spread` to every channel of the group. */
export function channelMaxBackward(x: Tensor, k: number, dy: Tensor, spread = false): Tensor {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const plane = x.data.length / (N * C), G = C / k;
  const dx: Float = alloc(x.data, x.data.length);
  for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) for (let i = 0; i < plane; i++) {
    const gy = dy.data[(n * G + g) * plane + i]!;
    let best = -1, m = -Infinity;
    for (let j = 0; j < k; j++) {
      const at = (n * C + g * k + j) * plane + i;
      if (spread) dx[at]! += gy;
      else if (x.data[at]! > m) { m = x.data[at]!; best = at; }
    }
    if (!spread && best >= 0) dx[best]! += gy;
  }
  return { shape: [...x.shape], data: dx };
}
