/** The probe measures fields over the first input: a layer on another input's path alone is not measured (·), not a false ✗. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { verify } from "../../src/verify/verify.js";

const text = `
model two_inputs {
  input a: [2, 16, 16]
  input b: [2, 16, 16]
  ya = a -> conv2d(2, 3, padding=1)
  yb = b -> conv2d(2, 3, padding=1) as on_b
  output add(ya, yb)
}`;

describe("a model with two inputs", () => {
  it("the conv on b is 'not measured' with the reason; the conv on a and the add measure 3 (one 3×3 conv)", () => {
    const c = compile({ file: "t.cnn", text });
    const r = verify(c.graph);
    expect(r.ok).toBe(true);
    const rf = (name: string) => r.models[0]!.layers.find((l) => l.name === name)!.cells.rf!;
    expect(rf("on_b").measured).toBe(null);
    expect(rf("on_b").note).toBe("not measured: it does not depend on the first input, a (fields are measured over the first input)");
    expect([rf("conv2d_1").measured, rf("add_1").measured]).toEqual([[3, 3], [3, 3]]);
  });
});
