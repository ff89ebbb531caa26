/**
 * Padding: resolving a `padding` argument against the actual input sizes, and materializing
 * padded copies (zeros/constant, reflect, replicate, circular) with the matching backward.
 */
import type { ArgValue } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import type { Float } from "../../exec/tensor.js";
import { ExecError, alloc, prod, to3 } from "../../exec/kernels/util.js";

export interface Pads {
  readonly before: number[];
  readonly after: number[];
}

/** Window hyper-parameters a padding word needs (`same`, `full`), per spatial axis. */
export interface WindowArgs {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
}

/**
 * Resolves `padding` for inputs of the given spatial sizes. `valid` = 0; `full` = D(K−1) each
 * side; `same` as TensorFlow: out = ceil(N/S), total = max(0, (out−1)S + D(K−1)+1 − N), the odd
 * unit after; an integer pads both sides; a list gives one integer or [before, after] per axis.
 */
export function resolvePadding(v: ArgValue | undefined, sizes: readonly number[], w: WindowArgs): Pads {
  const d = sizes.length;
  const before = new Array<number>(d).fill(0);
  const after = new Array<number>(d).fill(0);
  if (v === undefined || v === null || v === "valid") return { before, after };
  for (let i = 0; i < d; i++) {
    const eff = w.dilation[i]! * (w.kernel[i]! - 1) + 1;
    if (v === "full") {
      before[i] = after[i] = eff - 1;
    } else if (v === "same") {
      const out = Math.ceil(sizes[i]! / w.stride[i]!);
      const total = Math.max(0, (out - 1) * w.stride[i]! + eff - sizes[i]!);
      before[i] = Math.floor(total / 2);
      after[i] = total - before[i]!;
    } else if (typeof v === "number") {
      before[i] = after[i] = v;
    } else if (Array.isArray(v)) {
      // One entry per spatial axis (the one per-axis rule, src/families/args.ts).
      if (v.length !== d) throw new ExecError(`padding has ${v.length} entries for ${d} spatial axes`);
      const item = v[i];
      if (typeof item === "number") before[i] = after[i] = item;
      else if (Array.isArray(item) && item.length === 2) {
        before[i] = item[0] as number;
        after[i] = item[1] as number;
      } else throw new ExecError(`padding has ${v.length} entries for ${d} spatial axes`);
    } else throw new ExecError(`unknown padding ${String(v)}`);
  }
  return { before, after };
}

export type PadMode = "zeros" | "constant" | "reflect" | "replicate" | "circular";

/** The source index of padded position `i` (may be outside [0, n)) on an axis of size n, or −1 for a constant. */
export function sourceIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "replicate":
      return i < 0 ? 0 : n - 1;
    case "circular":
      return ((i % n) + n) % n;
    case "reflect": {
      // Mirror without repeating the edge: period 2(n−1) (PyTorch's reflect for pad < n).
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const m = ((i % period) + period) % period;
      return m < n ? m : period - m;
    }
    default:
      return -1;
  }
}

/** Index maps per spatial axis: padded position → source position (−1 = the constant). */
function indexMaps(sizes: readonly number[], p: Pads, mode: PadMode): Int32Array[] {
  return sizes.map((n, a) => {
    const m = new Int32Array(p.before[a]! + n + p.after[a]!);
    for (let i = 0; i < m.length; i++) m[i] = sourceIndex(i - p.before[a]!, n, mode);
    return m;
  });
}

/** Visits every padded element with its flat source index (−1 for the constant). */
function forEachPadded(x: Tensor, p: Pads, mode: PadMode, visit: (dst: number, src: number) => void): number[] {
  const sizes = x.shape.slice(2);
  const maps = indexMaps(sizes, p, mode);
  const outSizes = maps.map((m) => m.length);
  const planes = x.shape[0]! * x.shape[1]!;
  const inPlane = prod(sizes);
  const outPlane = prod(outSizes);
  const d = sizes.length;
  const idx = new Array<number>(d).fill(0);
  for (let o = 0; o < outPlane; o++) {
    // Flat source offset within the plane, or −1 when any axis falls into constant padding.
    let src = 0;
    for (let a = 0; a < d; a++) {
      const s = maps[a]![idx[a]!]!;
      if (s < 0) { src = -1; break; }
      src = src * sizes[a]! + s;
    }
    for (let pl = 0; pl < planes; pl++) visit(pl * outPlane + o, src < 0 ? -1 : pl * inPlane + src);
    for (let a = d - 1; a >= 0; a--) {
      if (++idx[a]! < outSizes[a]!) break;
      idx[a] = 0;
    }
  }
  return [x.shape[0]!, x.shape[1]!, ...outSizes];
}

/**
 * Copies every input row (last axis) between x's layout and its padded layout: `toPadded`
 * writes x into the padded buffer, otherwise reads the padded buffer's interior back.
 */
function copyInterior(x: Float, padded: Float, shape: readonly number[], p: Pads, toPadded: boolean): void {
  const I = to3(shape.slice(2), 1);
  const B = to3(p.before, 0), A = to3(p.after, 0);
  const P = [0, 1, 2].map((a) => B[a]! + I[a]! + A[a]!);
  const planes = shape[0]! * shape[1]!;
  for (let pl = 0; pl < planes; pl++) for (let d = 0; d < I[0]; d++) for (let h = 0; h < I[1]; h++) {
    const src = ((pl * I[0] + d) * I[1] + h) * I[2];
    const dst = ((pl * P[0]! + d + B[0]!) * P[1]! + h + B[1]!) * P[2]! + B[2]!;
    if (toPadded) padded.set(x.subarray(src, src + I[2]), dst);
    else x.set(padded.subarray(dst, dst + I[2]), src);
  }
}

/** A padded copy of x [N, C, ...S]; `value` fills zeros/constant padding. */
export function padTensor(x: Tensor, p: Pads, mode: PadMode, value = 0): Tensor {
  const sizes = x.shape.slice(2);
  if ((mode === "zeros" || mode === "constant") && sizes.length <= 3) {
    const shape = [x.shape[0]!, x.shape[1]!, ...sizes.map((n, a) => n + p.before[a]! + p.after[a]!)];
    const out = alloc(x.data, prod(shape));
    if (value !== 0) out.fill(value);
    copyInterior(x.data, out, x.shape, p, true);
    return { shape, data: out };
  }
  const outN = x.shape[0]! * x.shape[1]! * prod(sizes.map((n, a) => n + p.before[a]! + p.after[a]!));
  const out = alloc(x.data, outN);
  const xd = x.data;
  const shape = forEachPadded(x, p, mode, (dst, src) => {
    out[dst] = src < 0 ? value : xd[src]!;
  });
  return { shape, data: out };
}

/** Gradient of padTensor: each padded element's gradient flows back to its source. */
export function padTensorBackward(x: Tensor, p: Pads, mode: PadMode, dy: Tensor): Tensor {
  const dx = alloc(x.data, x.data.length);
  if ((mode === "zeros" || mode === "constant") && x.shape.length <= 5) {
    copyInterior(dx, dy.data, x.shape, p, false);
    return { shape: [...x.shape], data: dx };
  }
  const g = dy.data;
  forEachPadded(x, p, mode, (dst, src) => {
    if (src >= 0) dx[src]! += g[dst]!;
  });
  return { shape: [...x.shape], data: dx };
}
