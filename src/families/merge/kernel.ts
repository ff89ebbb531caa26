/**
 * Reference kernels that combine tensors: concatenation and broadcasting add and multiply
 * (NumPy rules), each with its gradient.
 */
import type { Tensor } from "../../exec/tensor.js";
import { copyNonZero, emptyBoxes, setRegion, toVisit } from "../../exec/kernels/sparse.js";
import { ExecError, alloc, prod } from "../../exec/kernels/util.js";
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

/** Element-wise sum or product of operands broadcast to one shape, and of the number `constant` if given. */
export function elementwiseForward(xs: readonly Tensor[], op: "add" | "mul", constant?: number): Tensor {
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
  if (constant !== undefined) {
    if (op === "add") for (let i = 0; i < n; i++) y[i]! += constant;
    else for (let i = 0; i < n; i++) y[i]! *= constant;
  }
  return { shape, data: y };
}

/**
 * Gradients of elementwiseForward: dy (times the other factors and the number `constant` for mul),
 * summed over broadcast axes; a number added changes no gradient.
 */
export function elementwiseBackward(xs: readonly Tensor[], op: "add" | "mul", dy: Tensor, constant?: number): Tensor[] {
  const shape = dy.shape, n = prod(shape);
  // A sum's operand of the output's own shape receives dy as it is (no broadcast axis to sum over).
  if (op === "add" && xs.every((x) => sameShape(x.shape, shape))) return xs.map((x) => copyNonZero(dy, alloc(x.data, x.data.length)));
  const maps = xs.map((x) => broadcastIndex(shape, x.shape));
  const scale = op === "mul" && constant !== undefined ? constant : 1;
  return xs.map((x, i) => {
    const dx = alloc(x.data, x.data.length);
    for (let k = 0; k < n; k++) {
      let g = dy.data[k]! * scale;
      if (op === "mul") for (let j = 0; j < xs.length; j++) if (j !== i) g *= xs[j]!.data[maps[j]![k]!]!;
      dx[maps[i]![k]!]! += g;
    }
    return { shape: [...x.shape], data: dx };
  });
}
