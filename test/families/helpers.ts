/** Helpers the family tests share. */
import { expect } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { verify, type VerifyResult } from "../../src/verify/verify.js";

/** Verifies every model of a spec text, expecting no error and every cell and total ✓. */
export function verifyAllCells(text: string): VerifyResult {
  const v = verify(compile({ file: "t.cnn", text }).graph);
  expect(v.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  for (const mc of v.models) {
    const bad = mc.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([k, c]) => `${l.name}.${k}: ${JSON.stringify(c)}`));
    expect(bad).toEqual([]);
    expect(Object.entries(mc.totals).filter(([, c]) => !c.ok)).toEqual([]);
  }
  return v;
}
