/**
 * `step * N` with N = 0 (the identity: zero repeats pass the chain's tensor through), so a
 * stage written `ir(...) -> ir_res(...) * (n - 1)` works for n = 1, as torchvision's MNASNet
 * `_stack` does. Every figure is PyTorch's (test/fixtures/blind/truths.json) or computed by
 * hand in the comments.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { run } from "../analysis/helpers.js";

/** Compile and analyze: the diagnostics of both, as [code, message, hint]. */
function diagnose(text: string): [string, string, string | undefined][] {
  const c = compile({ file: "t.cnn", text });
  const a = c.graph.models.length > 0 ? analyze(c.graph).diagnostics : [];
  return [...c.diagnostics, ...a].map((d) => [d.code, d.message, d.hint]);
}

// torchvision's MNASNet blocks: 1×1 expand, k×k depthwise, 1×1 project (no biases, batchnorm after each).
const MNAS = `block cbr(c, k=1, stride=1, groups=1) {
  input x
  output x -> conv2d(c, k, stride=stride, padding=k // 2, groups=groups, bias=false) -> batchnorm -> relu
}
block ir(cin, c, k, stride, t) {
  input x
  output x -> cbr(cin * t) -> cbr(cin * t, k, stride=stride, groups=cin * t) -> conv2d(c, 1, bias=false) -> batchnorm
}
block ir_res(c, k, t) {
  input x
  y = x -> ir(c, c, k, 1, t)
  output add(x, y)
}
block stack(cin, c, k, stride, t, n) {
  input x
  output x -> ir(cin, c, k, stride, t) -> ir_res(c, k, t) * (n - 1)
}
`;

describe("a repeat of zero", () => {
  test("a stage of one block, ir(...) -> ir_res(...) * (n - 1) with n = 1: the plain call's figures, by hand", () => {
    // ir(16, 24, 3, 2, 3) on 16×8×8, expansion 16·3 = 48:
    //   1×1 16→48: 768 weights, 48·8·8 = 3,072 outputs × 16 = 49,152 MACs; batchnorm 2·48 = 96 (+ 96 buffers)
    //   3×3 depthwise, stride 2, padding 1 → 48×4×4: 48·9 = 432 weights, 768 outputs × 9 = 6,912 MACs; batchnorm 96 (+ 96)
    //   1×1 48→24 → 24×4×4: 1,152 weights, 384 outputs × 48 = 18,432 MACs; batchnorm 48 (+ 48)
    //   params 768 + 96 + 432 + 96 + 1,152 + 48 = 2,592, buffers 240, MACs 49,152 + 6,912 + 18,432 = 74,496
    const one = run(`${MNAS}model m {\n  input x: [16, 8, 8]\n  output x -> stack(16, 24, 3, 2, 3, 1)\n}\n`);
    const plain = run(`${MNAS}model m {\n  input x: [16, 8, 8]\n  output x -> ir(16, 24, 3, 2, 3)\n}\n`);
    for (const r of [one, plain]) {
      expect(r.diagnostics).toEqual([]);
      expect(r.model.totals.trainableParams).toBe(2_592n);
      expect(r.model.totals.nonTrainableParams).toBe(240n);
      expect(r.model.totals.macs).toBe(74_496n);
      expect(r.model.outputs.output).toEqual([24, 4, 4]);
      expect(r.model.layers.length).toBe(8);
    }
    // n = 2 adds ir_res(24, 3, 3) at 4×4, expansion 72: 1×1 24·72 = 1,728 + bn 144, depthwise
    // 72·9 = 648 + bn 144, 1×1 72·24 = 1,728 + bn 48 → 4,440 params; MACs 16 positions ×
    // (72·24 + 72·9 + 24·72) = 16 · 4,104 = 65,664.
    const two = run(`${MNAS}model m {\n  input x: [16, 8, 8]\n  output x -> stack(16, 24, 3, 2, 3, 2)\n}\n`);
    expect(two.model.totals.trainableParams).toBe(2_592n + 4_440n);
    expect(two.model.totals.macs).toBe(74_496n + 65_664n);
  });

  test("mnasnet0_75 with its last stage written stack(..., 1): torchvision's params, buffers and MACs", () => {
    const file = new URL("../fixtures/blind/mnasnet0_75.cnn", import.meta.url);
    const original = readFileSync(file, "utf8");
    const plain = /-> ir\((make_divisible\(192 \* alpha, 8\), make_divisible\(320 \* alpha, 8\), 3, 1, 6)\)[^\n]*/;
    expect(original).toMatch(plain);
    const text = original.replace(plain, "-> stack($1, 1)");
    const truth = JSON.parse(readFileSync(new URL("../fixtures/blind/truths.json", import.meta.url), "utf8")).mnasnet0_75;
    const r = run(text);
    expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(r.model.totals.trainableParams).toBe(BigInt(truth.params));
    expect(r.model.totals.nonTrainableParams).toBe(BigInt(truth.buffers));
    expect(r.model.totals.macs).toBe(BigInt(truth.sizes["3x224x224"].macs));
    expect(r.model.asserts.every((a) => a.pass)).toBe(true);
  });

  test("a literal * 0 is the identity with a warning (CS2050), said once for a block body however many calls", () => {
    const text = "model m {\n  input x: [3, 16, 16]\n  output x -> conv2d(8, 3) * 0 -> relu\n}\n";
    expect(diagnose(text)).toEqual([[
      "CS2050", "conv2d(8, 3) * 0 repeats nothing: the tensor passes through unchanged",
      "delete the step; a count computed from a block's parameters, as in * (n - 1), may be 0 without this warning",
    ]]);
    const r = run(text);
    expect(r.model.outputs.output).toEqual([3, 16, 16]);
    expect(r.model.layers.map((l) => l.name)).toEqual(["relu_1"]);
    expect(r.model.totals.params).toBe(0n);
    const twice = "block b() {\n  input x\n  output x -> relu * 0\n}\nmodel m {\n  input x: [3, 16, 16]\n  output x -> b -> b -> conv2d(4, 1)\n}\n";
    expect(diagnose(twice).map((d) => d[0])).toEqual(["CS2050"]);
    const allowed = "model m {\n  input x: [3, 16, 16]\n  allow CS2050\n  output x -> relu * 0 -> conv2d(4, 1)\n}\n";
    expect(diagnose(allowed)).toEqual([]);
  });

  test("* 0 as L: L names the tensor passing through, with no layers (its shape and field, 0 params)", () => {
    // conv2d(8, 3, padding=1) on 3×16×16: 8×16×16, 8·3·9 + 8 = 224 params, field 3.
    const r = run(`block b(n) {
  input x
  output x -> relu * n
}
model m {
  input x: [3, 16, 16]
  output x -> conv2d(8, 3, padding=1) -> b(0) as none -> conv2d(4, 1)
  assert shape(none) == [8, 16, 16]
  assert params(none) == 0
  assert layers(none) == 0
  assert macs(none) == 0
  assert rf(none) == 3
  assert params == 224 + 36
}
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true, true, true, true, true, true]);
    const labelled = run("block b(n) {\n  input x\n  output x -> conv2d(8, 1) * n as rep\n}\nmodel m {\n  input x: [3, 16, 16]\n  output x -> relu as r -> b(0)\n  assert shape(rep) == [3, 16, 16]\n  assert params(rep) == 0\n}\n");
    expect(labelled.diagnostics).toEqual([]);
    expect(labelled.model.asserts.map((a) => a.pass)).toEqual([true, true]);
  });

  test("a negative or fractional count is still CS2016, with its value", () => {
    const block = (count: string, arg: string) => `block b(c, n) {\n  input x\n  output x -> conv2d(c, 3, padding=1) * ${count}\n}\nmodel m {\n  input x: [3, 16, 16]\n  output x -> b(8, ${arg})\n}\n`;
    const codes = (text: string) => diagnose(text).map((d) => [d[0], d[1], d[2]]);
    expect(codes(block("(n - 1)", "0"))).toEqual([["CS2016", "a repeat count must be an integer ≥ 0, got -1", "a step runs 0 or more times; this count comes from the arguments: check them (* 0 passes the tensor through unchanged)"]]);
    expect(codes(block("(n / 2)", "3"))).toEqual([["CS2016", "a repeat count must be an integer ≥ 0, got 1.5", "write a whole number, e.g. * 2"]]);
    expect(codes(block("(0 - 2)", "1"))).toEqual([["CS2016", "a repeat count must be an integer ≥ 0, got -2", "a step runs 0 or more times; to leave it out, delete it"]]);
    // A count from a parameter that comes out 0 is one case of many: no warning.
    expect(codes(block("n", "0"))).toEqual([]);
  });

  test("a step repeated 0 times is still checked: its layer, arguments and tensor names", () => {
    const codes = (steps: string) => diagnose(`model m {\n  input x: [3, 16, 16]\n  output x -> ${steps} -> conv2d(4, 1)\n}\n`).map((d) => d[0]);
    expect(codes("conv2x(8, 3) * 0")).toEqual(["CS2050", "CS2001"]);
    expect(codes("conv2d(8, 3, paddin=1) * 0")).toEqual(["CS2050", "CS2002"]);
    expect(codes("add(nowhere) * 0")).toEqual(["CS2050", "CS2009"]);
  });

  test("a block with several results repeated 0 times is CS2047, as any repeat of it", () => {
    const down = "block down(c) {\n  input x\n  output skip = x -> conv2d(c, 3, padding=1)\n  output down = skip -> maxpool(2)\n}\n";
    const inChain = diagnose(`${down}model m {\n  input x: [3, 16, 16]\n  output x -> down(8) * (1 - 1) -> relu\n}\n`);
    expect(inChain.map((d) => [d[0], d[1]])).toEqual([["CS2047", "block down gives 2 results (skip, down): a repeat (* N) has no one tensor to pass from one call to the next"]]);
    const bound = diagnose(`${down}model m {\n  input x: [3, 16, 16]\n  s, d = x -> down(8) * (1 - 1)\n  output concat(s, d)\n}\n`);
    expect(bound.map((d) => [d[0], d[1]])).toEqual([["CS2047", "block down gives 2 results (skip, down): a repeat (* N) has no one tensor to pass from one call to the next"]]);
  });
});
