/**
 * A string-keyed record without a prototype: `toString`, `constructor` and `__proto__` are
 * ordinary keys in it, so names from a spec can be stored and looked up safely.
 * test/hostile/lint.test.ts refuses `Record<string, T> = {}` in src/.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
