/**
 * Shared tails of the receptive-field probe's backward passes. In the probe's copy every term
 * of a backward pass is positive (see rf.ts), so where a gradient is non-zero upstream of a
 * node depends only on where the node's gradient is non-zero, not on its values. When a pass
 * reaches a node through which every path to the input goes (a cut: its gradient is the only
 * one pending) with exactly the non-zero set an earlier pass had there, the rest of the pass
 * would reach exactly the input elements the earlier one reached: its measurement is reused
 * instead of being computed again. DenseNet-121's layers inside a dense block (batch norm,
 * relu and 1×1 conv after a concat) mostly meet an earlier pass within a node or two.
 *
 * Only small non-zero sets are kept (the matches happen near the seed, where the set is
 * still small), and the whole memo is bounded (its share of the memory plan, memory_plan.ts).
 */
import type { Tensor } from "./tensor.js";
import { nonZero } from "./kernels/sparse.js";

/** Largest non-zero set (elements, over the batch) a pass is compared and recorded at. */
const MAX_SET = 8192;
/** Bytes the memo keeps at most by default; beyond its limit, nothing more is recorded. */
export const MEMO_BYTES = 16 * 1024 * 1024;
/** Bytes counted per recorded state besides its 4 per element (the objects around it). */
const STATE_OVERHEAD = 128;

/** A gradient's non-zero set at a node: the flat indices, ascending. */
export interface CutState {
  readonly node: number;
  readonly length: number;
  readonly hash: number;
  readonly set: Int32Array;
}

export class TailMemo<R> {
  private readonly table = new Map<string, { state: CutState; result: R }[]>();
  private bytes = 0;

  /** `limit`: the bytes it may keep (states and the objects around them). */
  constructor(private readonly limit = MEMO_BYTES) {}

  /** The non-zero set of g at node, or undefined when it has more than MAX_SET elements. */
  state(node: number, g: Tensor): CutState | undefined {
    const set: number[] = [];
    if (g.shape.length < 3) {
      for (let i = 0; i < g.data.length; i++) if (g.data[i] !== 0 && set.push(i) > MAX_SET) return undefined;
    } else {
      const nz = nonZero(g);
      const [D, H, W] = nz.dims;
      for (let p = 0; p * 6 < nz.box.length; p++) {
        const o = p * 6;
        for (let d = nz.box[o]!; d <= nz.box[o + 1]!; d++) for (let h = nz.box[o + 2]!; h <= nz.box[o + 3]!; h++) {
          const r = (p * D + d) * H + h;
          for (let i = r * W + nz.first[r]!; i <= r * W + nz.last[r]!; i++) if (g.data[i] !== 0 && set.push(i) > MAX_SET) return undefined;
        }
      }
    }
    let hash = node | 0;
    for (const i of set) hash = Math.imul(hash ^ i, 0x01000193);
    return { node, length: g.data.length, hash, set: Int32Array.from(set) };
  }

  /** The result recorded for exactly this state, if any. */
  get(s: CutState): R | undefined {
    for (const e of this.table.get(key(s)) ?? []) {
      if (e.state.set.length === s.set.length && e.state.set.every((v, i) => v === s.set[i])) return e.result;
    }
    return undefined;
  }

  /** Records the result reached from each of the states, while the memo has room. */
  set(states: readonly CutState[], result: R): void {
    for (const s of states) {
      const b = 4 * s.set.length + STATE_OVERHEAD;
      if (this.bytes + b > this.limit) return;
      if (this.get(s) !== undefined) continue;
      this.bytes += b;
      const k = key(s);
      const list = this.table.get(k);
      if (list) list.push({ state: s, result });
      else this.table.set(k, [{ state: s, result }]);
    }
  }
}

function key(s: CutState): string {
  return `${s.node}:${s.length}:${s.hash}`;
}
