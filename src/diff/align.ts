/**
 * Lines up two models' layers for a diff: first by label (a layer named with `as` keeps its
 * identity), then by block and position. Each pass is a longest common subsequence over a
 * key; the layers a pass leaves unmatched between two matches go to the next, looser pass:
 *   1. identity, output shape and parameters all equal (unchanged layers);
 *   2. identity alone: the `as` label, else the block definitions and the kind (changed layers);
 *   3. the kind alone.
 * What is left over is removed (only in A) or added (only in B).
 */
import { pushAll } from "../util/array.js";

/** One row of an alignment: an index into A's layers, into B's, or both. */
export interface Pair {
  readonly a?: number;
  readonly b?: number;
}

/** Past this many cells, a pass skips the quadratic table and leaves the gap to the next pass. */
const MAX_CELLS = 4_000_000;

/** Longest common subsequence of two key lists, as index pairs in increasing order. */
function lcs(ka: readonly string[], kb: readonly string[]): [number, number][] {
  const n = ka.length;
  const m = kb.length;
  // Common prefix and suffix first: the usual case (one edit in a long model) costs nothing.
  let pre = 0;
  while (pre < n && pre < m && ka[pre] === kb[pre]) pre++;
  let suf = 0;
  while (suf < n - pre && suf < m - pre && ka[n - 1 - suf] === kb[m - 1 - suf]) suf++;
  const out: [number, number][] = [];
  for (let i = 0; i < pre; i++) out.push([i, i]);
  const rn = n - pre - suf;
  const rm = m - pre - suf;
  if (rn > 0 && rm > 0 && rn * rm <= MAX_CELLS) {
    // len[i][j]: LCS length of the middle parts from i and j onwards (flattened).
    const w = rm + 1;
    const len = new Uint32Array((rn + 1) * w);
    for (let i = rn - 1; i >= 0; i--) {
      for (let j = rm - 1; j >= 0; j--) {
        len[i * w + j] = ka[pre + i] === kb[pre + j] ? len[(i + 1) * w + j + 1]! + 1 : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < rn && j < rm) {
      if (ka[pre + i] === kb[pre + j]) {
        out.push([pre + i, pre + j]);
        i++;
        j++;
      } else if (len[(i + 1) * w + j]! >= len[i * w + j + 1]!) i++;
      else j++;
    }
  }
  for (let k = suf; k > 0; k--) out.push([n - k, m - k]);
  return out;
}

/**
 * Aligns two layer lists given each layer's keys, strictest first (all layers have the same
 * number of keys). Rows come in order; in a gap, A's removed layers precede B's added ones.
 */
export function align(keysA: readonly (readonly string[])[], keysB: readonly (readonly string[])[]): Pair[] {
  const levels = keysA[0]?.length ?? keysB[0]?.length ?? 0;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return refine(range(keysA.length), range(keysB.length), 0);

  function refine(ia: readonly number[], ib: readonly number[], level: number): Pair[] {
    if (ia.length === 0 || ib.length === 0 || level >= levels) {
      return [...ia.map((a) => ({ a })), ...ib.map((b) => ({ b }))];
    }
    const matches = lcs(ia.map((i) => keysA[i]![level]!), ib.map((i) => keysB[i]![level]!));
    const out: Pair[] = [];
    let pa = 0;
    let pb = 0;
    for (const [x, y] of [...matches, [ia.length, ib.length] as [number, number]]) {
      pushAll(out, refine(ia.slice(pa, x), ib.slice(pb, y), level + 1));
      if (x < ia.length && y < ib.length) out.push({ a: ia[x]!, b: ib[y]! });
      pa = x + 1;
      pb = y + 1;
    }
    return out;
  }
}
