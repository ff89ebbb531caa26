/**
 * Answers sent as changes to the previous one. Typing mostly leaves the table as it was (a
 * comment, a name, one number changes a few rows), yet every answer carried every row and
 * every layer's arguments and shapes: ResNet-50's answer takes 1.7 ms to copy between threads
 * (half in the worker, half on the page's thread, on the way to every keystroke's table),
 * DenseNet-121's 4.4 ms. The worker now sends a row or layer only when it differs from the
 * one at the same place in the answer it sent before (null stands for "as before"), and the
 * page rebuilds the whole answer from the one it received before. Messages between two
 * threads arrive in the order sent, so both sides always hold the same previous answer.
 */
import type { AnalysisResponse, WebLayer, WebModel, WebRow } from "./protocol.js";

/** An answer as sent: rows and layers equal to the previous answer's at the same index are null. */
export interface PackedResponse extends Omit<AnalysisResponse, "models"> {
  /** The seq of the answer this one is changes to (undefined: the first answer, sent whole). */
  readonly base: number | undefined;
  readonly models: readonly PackedModel[];
}
export interface PackedModel extends Omit<WebModel, "rows" | "layers"> {
  readonly rows: readonly (WebRow | null)[];
  readonly layers: readonly (WebLayer | null)[];
}

/** Plain data (what an answer holds: strings, numbers, bigints, booleans, arrays, records) equal by value. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let keys = 0;
  for (const k in ra) {
    if (!Object.hasOwn(rb, k) || !same(ra[k], rb[k])) return false;
    keys++;
  }
  for (const _ in rb) keys--;
  return keys === 0;
}

/** Worker side: `next` as changes to `prev` (the answer sent before; undefined: none). */
export function pack(prev: AnalysisResponse | undefined, next: AnalysisResponse): PackedResponse {
  return {
    ...next,
    base: prev?.seq,
    models: next.models.map((m, i) => {
      const p = prev?.models[i];
      return {
        ...m,
        rows: m.rows.map((r, j) => (p && same(r, p.rows[j]) ? null : r)),
        layers: m.layers.map((l, j) => (p && same(l, p.layers[j]) ? null : l)),
      };
    }),
  };
}

/** Page side: the whole answer from its changes and the answer received before. */
export function unpack(prev: AnalysisResponse | undefined, r: PackedResponse): AnalysisResponse {
  if (r.base !== prev?.seq) throw new Error(`answer ${r.seq} is changes to answer ${r.base}, not to ${prev?.seq}`);
  const { base: _, ...rest } = r;
  return {
    ...rest,
    models: r.models.map((m, i) => {
      const p = prev?.models[i];
      const from = <T>(x: T | null, j: number, old: readonly T[] | undefined): T => {
        if (x !== null) return x;
        if (!old || j >= old.length) throw new Error(`answer ${r.seq}: row or layer ${j} of model ${i} is "as before", but there is no such one before`);
        return old[j]!;
      };
      return { ...m, rows: m.rows.map((x, j) => from(x, j, p?.rows)), layers: m.layers.map((x, j) => from(x, j, p?.layers)) };
    }),
  };
}
