/** mish, softplus and swish (silu's other name): activations beyond ConvSpec 1.1. */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { run } from "../../src/exec/runtime.js";
import type { Tensor } from "../../src/exec/tensor.js";
import { model } from "../exec/helpers.js";
import { verifyAllCells } from "./helpers.js";

const f64 = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

describe("mish, softplus, swish", () => {
  it("compute PyTorch's F.mish, F.softplus and F.silu (values by hand)", () => {
    const m = model(`model m {
      input x: [3]
      a = x -> softplus
      b = x -> mish
      c = x -> swish
      output concat(a, b, c)
    }`);
    const y = Array.from(run(m, { precision: "f64", inputs: { x: f64([1, 3], [0, 1, -1]) } }).outputs.output!.data);
    const e = Math.E;
    // softplus: ln 2, ln(1 + e), ln(1 + 1/e).
    const sp = [Math.log(2), Math.log(1 + e), Math.log(1 + 1 / e)];
    // mish = x·tanh(softplus(x)): 0, tanh(ln(1 + e)), −tanh(ln(1 + 1/e)); swish = x / (1 + e^−x).
    const want = [...sp, 0, Math.tanh(sp[1]!), -Math.tanh(sp[2]!), 0, 1 / (1 + 1 / e), -1 / (1 + e)];
    want.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it("FLOPs per element: softplus 3 (exp, add, log), mish 5 (softplus, tanh, multiply), swish silu's 5; no params", () => {
    const r = analyze(compile({ file: "t.cnn", text: `model m {
      input x: [4, 5, 5]
      output x -> softplus -> mish -> swish
    }` }).graph);
    const m = r.models[0]!;
    // 100 elements each.
    expect(m.layers.map((l) => [l.kind, l.params, l.flops])).toEqual([["softplus", 0n, 300n], ["mish", 0n, 500n], ["silu", 0n, 500n]]);
  });

  it("verify: every cell ✓ after a conv, the field the conv's", () => {
    const v = verifyAllCells(`model m {
      input x: [2, 7, 7]
      output x -> conv2d(3, 3) -> mish -> softplus -> swish
    }`);
    expect(v.models[0]!.layers.map((l) => l.cells.rf.measured)).toEqual([[3, 3], [3, 3], [3, 3], [3, 3]]);
  });
});
