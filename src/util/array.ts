/**
 * Loops for what `maxOf(xs)` and `out.push(...xs)` would do: spreading an array into a
 * call copies every element onto the stack, and an array sized by a spec (150k layers, 130k
 * merge operands, 130k diagnostics) overflows it. test/hostile/lint.test.ts keeps spreads out.
 */

/** Largest of `xs` (`-Infinity` when empty, as `Math.max()`). */
export function maxOf(xs: Iterable<number>): number {
  let m = -Infinity;
  for (const x of xs) if (x > m || Number.isNaN(x)) m = x;
  return m;
}

/** Smallest of `xs` (`Infinity` when empty, as `Math.min()`). */
export function minOf(xs: Iterable<number>): number {
  let m = Infinity;
  for (const x of xs) if (x < m || Number.isNaN(x)) m = x;
  return m;
}

/** Appends every item of `items` to `out` (`out.push(...items)` without the stack limit). */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}
