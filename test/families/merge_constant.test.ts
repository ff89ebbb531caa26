/**
 * A number as an operand of add and mul (an extension beyond ConvSpec 1.1): ESRGAN's residual
 * scaling `x * 0.2 + y`, EDSR's res_scale. No params; one operation per element; the field of
 * the tensor operand.
 */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { run } from "../../src/exec/runtime.js";
import type { Tensor } from "../../src/exec/tensor.js";
import { model } from "../exec/helpers.js";
import { verifyAllCells } from "./helpers.js";

const analyzeText = (text: string) => analyze(compile({ file: "t.cnn", text }).graph);
const codes = (text: string) => {
  const c = compile({ file: "t.cnn", text });
  return c.diagnostics.map((d) => [d.code, d.message, d.hint]);
};
const f64 = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

/** ESRGAN's RRDB residual, `out * 0.2 + x`, and EDSR's res_scale as a block parameter. */
const RESIDUALS = `
block rdb(c, res_scale) {
  input x
  y = x -> conv2d(c, 3, padding=1)
  s = mul(y, res_scale)
  output add(s, x)
}
model m {
  input x: [8, 10, 10]
  y = x -> conv2d(8, 3, padding=1) -> conv2d(8, 3, padding=1)
  s = mul(y, 0.2)
  a = add(s, x)
  output a -> rdb(8, 0.1)
}`;

describe("mul(y, 0.2), add(y, 1): a number among the operands", () => {
  it("no params; one FLOP per output element; the tensor operand's field", () => {
    const r = analyzeText(RESIDUALS);
    expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const m = r.models[0]!;
    const mul = m.layers.filter((l) => l.kind === "mul");
    // [8, 10, 10] = 800 elements: one multiply each; no params (torch: a Python float, no nn.Parameter).
    expect(mul.map((l) => [l.params, l.macs, l.flops])).toEqual([[0n, 0n, 800n], [0n, 0n, 800n]]);
    // Three 3×3 convs (conv params 8·8·9 + 8 = 584 each) and nothing else.
    expect(m.totals.params).toBe(3n * 584n);
    // Two 3×3 stride-1 convs: field 5; the mul keeps it.
    expect(mul[0]!.rf.size).toEqual([5, 5]);
  });

  it("computes y·0.2, y + 1/6, −0.5·x and a·b·3 (values by hand)", () => {
    const m = model(`model m {
      input x: [2, 2]
      a = mul(x, 0.2)
      b = add(x, 1 / 6)
      c = x -> mul(-0.5)
      d = mul(x, x, 3)
      output concat(a, b, c, d)
    }`);
    const y = Array.from(run(m, { precision: "f64", inputs: { x: f64([1, 2, 2], [1, -2, 3, 0.5]) } }).outputs.output!.data);
    const want = [
      0.2, -0.4, 0.6, 0.1, // x · 0.2
      1 + 1 / 6, -2 + 1 / 6, 3 + 1 / 6, 0.5 + 1 / 6, // x + 1/6
      -0.5, 1, -1.5, -0.25, // x · −0.5
      3, 12, 27, 0.75, // x · x · 3
    ];
    want.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it("mul(x, x, 3) counts two multiplies per element; add(a, b, 2) two adds", () => {
    const m = analyzeText(`model m {
      input x: [4, 5]
      a = mul(x, x, 3)
      output add(a, x, 2)
    }`).models[0]!;
    // 20 elements · 2 operations each, for both.
    expect(m.layers.map((l) => l.flops)).toEqual([40n, 40n]);
  });

  it("verify: every cell ✓, the field measured through the scaled residual", () => {
    const v = verifyAllCells(RESIDUALS);
    // Two 3×3 convs: 5; the block's conv after the residual (field 5, x's own 1): 5 + 2 = 7.
    expect(v.models[0]!.layers.filter((l) => l.kind === "mul").map((l) => l.cells.rf.measured)).toEqual([[5, 5], [7, 7]]);
  });

  it("errors: no tensor, two numbers, a number in concat, a non-number parameter", () => {
    const head = "model m {\n  input x: [4, 5]\n";
    expect(codes(`${head}  y = mul(0.5, 2)\n  output add(x, y)\n}\n`)).toEqual([
      ["CS2029", "mul: needs at least one tensor operand", "name two or more bound tensors, or a tensor and one number: mul(a, b), mul(a, 0.5)"],
    ]);
    expect(codes(`${head}  output mul(x, 0.5, 2)\n}\n`)).toEqual([
      ["CS2029", "mul: takes at most one number, got 2", "fold the numbers (0.5, 2) into one operand"],
    ]);
    expect(codes(`${head}  output mul(x)\n}\n`)).toEqual([
      ["CS2029", "mul: needs at least two operands, got 1", "name two or more bound tensors, or a tensor and one number: mul(a, b), mul(a, 0.5)"],
    ]);
    expect(codes(`${head}  output concat(x, 2)\n}\n`)).toEqual([
      ["CS2040", "concat: operand 2 must be a tensor name, got a number (2)", "concat takes tensors only; a number may be an operand of add and mul, as in mul(y, 0.2)"],
    ]);
    expect(codes(`block b(flagged) {\n  input x\n  output mul(x, flagged)\n}\n${head}  output x -> b(true)\n}\n`)).toEqual([
      ["CS2040", "mul: operand 2 must be a tensor name or a number, got true", "mul's operands are tensor names and at most one number"],
    ]);
  });
});
