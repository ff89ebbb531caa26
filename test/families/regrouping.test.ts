/** The fuzz's seed for the 1.1 regrouping layers (bench/fuzz-cases.ts) is valid, and verify agrees on it. */
import { expect, it } from "vitest";
import { REGROUPING_SPEC } from "../../bench/fuzz-cases.js";
import { analyzed, verified } from "./fixtures.js";

it("the regrouping seed analyzes without a diagnostic and every verify cell is ✓", () => {
  const a = analyzed(REGROUPING_SPEC);
  expect(a.diagnostics.map((d) => d.message)).toEqual([]);
  expect(a.layers.at(-1)!.outputShape).toEqual([10]);
  expect(verified(REGROUPING_SPEC).failed).toEqual([]);
});
