/**
 * Nested passes through the probe's stem. Below the *stem cut* (the last node of the chain
 * that starts at the model input, each node with one input and one consumer: DenseNet's and
 * ResNet's stem up to the first max pool) every backward pass runs the same chain of layers,
 * at the input's full resolution, where most of a deep unit's pass is spent.
 *
 * The probe's gradients are positive, so the input elements a set S of non-zero elements at
 * the cut reaches are the union of those each element reaches: reach(S) = reach(S′) ∪
 * reach(S ∖ S′). When the previous pass had a set S′ ⊆ S at the cut (fields grow from layer to
 * layer), the pass zeroes S′ there and propagates only the ring S ∖ S′; the measured field is
 * the union with what S′ reached. Extents and holes are read from per-axis projections (an
 * input index is hit when some element with that index on that axis is non-zero), and the
 * projection of a union is the union of the projections, so the previous pass's projections
 * are all that is kept. Each batch element is treated on its own.
 */
import type { Tensor } from "./tensor.js";
import { emptyBoxes, grow, nonZero, setRegion } from "./kernels/sparse.js";
import { to3 } from "./kernels/util.js";

/** Per axis, which input indices some non-zero element of one batch element has (the field's projection). */
export type Projection = readonly Uint8Array[];

/** The stem cut of a model restricted to `only`: undefined when the input has several consumers at once. */
export function stemCut(inputs: readonly number[], nodes: readonly { readonly id: number; readonly inputs: readonly number[] }[], only: ReadonlySet<number>): number | undefined {
  if (inputs.length !== 1) return undefined;
  const consumers = new Map<number, number[]>();
  for (const n of nodes) {
    if (!only.has(n.id)) continue;
    for (const i of n.inputs) {
      const list = consumers.get(i);
      if (list) list.push(n.id);
      else consumers.set(i, [n.id]);
    }
  }
  let id = inputs[0]!, cut: number | undefined;
  for (;;) {
    const next = consumers.get(id) ?? [];
    if (next.length !== 1 || nodes[next[0]!]!.inputs.length !== 1) return cut;
    id = cut = next[0]!;
  }
}

export class StemRing {
  /** The previous pass's non-zero indices at the cut, per batch element (within the element). */
  private prevSet: (Int32Array | undefined)[] = [];
  private prevProj: (Projection | undefined)[] = [];
  private curSet: Int32Array[] = [];
  /** Per batch element: the pass propagates only its ring (the previous projections are added). */
  private reduced: boolean[] = [];
  private reached = false;
  /** Passes in a row that reached the cut without a subset to reduce by, and how many were skipped since. */
  private misses = 0;
  private skipped = 0;

  constructor(readonly cut: number) {}

  /** Starts a pass. */
  begin(): void {
    this.reached = false;
    this.reduced = [];
    this.curSet = [];
  }

  /**
   * At the cut: records g's non-zero set per batch element and, when the previous pass's set
   * is a subset of it in some element, returns what is left to propagate from the cut in two
   * seeds: the ring S ∖ S′ left and right of the middle column of S′'s box (elements not
   * reduced go whole into the first). Two, because a backward kernel visits each row from its
   * first to its last non-zero element: a hollow ring in one seed would cost the full box.
   * Undefined: nothing reduced, the pass goes on as it is.
   */
  atCut(g: Tensor, alloc: () => Tensor): [Tensor, Tensor] | undefined {
    // Where sets do not nest (units that move from pass to pass, as after a transposed conv),
    // recording them is wasted: after 8 misses in a row, only every 8th pass tries. (A record
    // stays valid whenever it was made; skipping one only makes the ring wider.)
    if (this.misses >= 8 && ++this.skipped % 8 !== 0) return undefined;
    this.reached = true;
    const N = g.shape[0]!, per = g.data.length / N, data = g.data;
    const W = g.shape.length >= 3 ? g.shape.at(-1)! : per;
    // The non-zero indices per batch element, in typed arrays: counted, then written.
    const count = new Int32Array(N);
    const nz = g.shape.length < 3 ? undefined : nonZero(g);
    const visit = (f: (b: number, i: number) => void) => {
      if (!nz) {
        for (let i = 0; i < data.length; i++) if (data[i] !== 0) f(Math.floor(i / per), i);
        return;
      }
      const C = g.shape[1]!, [D, H] = nz.dims, planes = nz.box.length / 6;
      for (let p = 0; p < planes; p++) {
        const o = p * 6, b = Math.floor(p / C);
        for (let d = nz.box[o]!; d <= nz.box[o + 1]!; d++) for (let h = nz.box[o + 2]!; h <= nz.box[o + 3]!; h++) {
          const r = (p * D + d) * H + h;
          for (let i = r * W + nz.first[r]!; i <= r * W + nz.last[r]!; i++) if (data[i] !== 0) f(b, i);
        }
      }
    };
    visit((b) => count[b]!++);
    const sets = Array.from(count, (n) => new Int32Array(n));
    count.fill(0);
    visit((b, i) => (sets[b]![count[b]!++] = i - b * per));
    const mid: number[] = [];
    for (let b = 0; b < N; b++) {
      this.curSet[b] = sets[b]!;
      mid.push(W);
      const prev = this.prevSet[b];
      if (!prev || !this.prevProj[b] || prev.length === 0 || !prev.every((i) => data[b * per + i] !== 0)) continue;
      this.reduced[b] = true;
      let lo = W, hi = -1;
      for (const i of prev) {
        lo = Math.min(lo, i % W);
        hi = Math.max(hi, i % W);
      }
      mid[b] = (lo + hi + 1) >> 1;
    }
    if (!this.reduced.some((v) => v)) {
      this.misses++;
      return undefined;
    }
    this.misses = 0;
    const left = alloc(), right = alloc();
    // Every element of the set, then S′ cleared where it was reduced (S′ ⊆ S there); the boxes
    // of what was written, for the kernels to visit only that.
    const C = g.shape.length >= 3 ? g.shape[1]! : 1, plane = per / C;
    const [, H] = to3(g.shape.slice(2), 1);
    const boxes = [emptyBoxes(N * C), emptyBoxes(N * C)] as const;
    for (let b = 0; b < N; b++) {
      for (const i of this.curSet[b]!) {
        const side = i % W < mid[b]! ? 0 : 1, k = b * per + i;
        (side === 0 ? left : right).data[k] = data[k]!;
        const c = Math.floor(i / plane), q = i % plane, w = q % W, h = Math.floor(q / W) % H, d = Math.floor(q / (W * H));
        grow(boxes[side], b * C + c, d, d, h, h, w, w);
      }
      if (this.reduced[b]) for (const i of this.prevSet[b]!) left.data[b * per + i] = right.data[b * per + i] = 0;
    }
    setRegion(left, boxes[0]);
    setRegion(right, boxes[1]);
    return [left, right];
  }

  /**
   * After the pass: batch element b's projections, given those of what the pass reached (`own`):
   * with the previous pass's added where its ring alone was propagated. Records them and the
   * set at the cut for the next pass (when this pass reached the cut).
   */
  finish(own: readonly Projection[]): Projection[] {
    const out = own.map((p, b) => (this.reduced[b] ? p.map((h, a) => or(h, this.prevProj[b]![a]!)) : p));
    if (this.reached) {
      this.prevSet = this.curSet;
      this.prevProj = out;
    }
    return out;
  }
}

/** The element-wise or of two projections of one axis. */
export function or(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = Uint8Array.from(a);
  for (let i = 0; i < o.length; i++) o[i]! |= b[i]!;
  return o;
}
