/**
 * ConvSpec 1.1 learnable tensors: `param NAME: [dims]` (trainable) and `buffer NAME: [dims]`,
 * taken by merges like any tensor, broadcast as PyTorch broadcasts.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { run as execute } from "../../src/exec/runtime.js";
import { verify } from "../../src/verify/verify.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { seededParams } from "../../src/onnx/weights.js";
import { crossCheck } from "../onnx/crosscheck.js";
import { run } from "../analysis/helpers.js";

const LAYER_SCALE = `block layer_scale(c, init=1e-6) {
  input x
  param gamma: [c, 1, 1]          # trainable: c params, no MACs
  output mul(x, gamma)
}
model scaled {
  input x: [96, 56, 56]
  output x -> layer_scale(96)
  assert params == 96
}
`;

const graphOf = (text: string) => {
  const c = compile({ file: "t.cnn", text });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c.graph;
};

describe("layer_scale (LANGUAGE.md)", () => {
  test("96 trainable params, no MACs, no activation bytes for gamma; the asserts hold", () => {
    const r = run(LAYER_SCALE);
    expect(r.diagnostics).toEqual([]);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true]);
    const gamma = r.layer("gamma");
    expect([gamma.kind, gamma.outputShape, gamma.params, gamma.macs, gamma.activationBytes]).toEqual(["param", [96, 1, 1], 96n, 0n, 0n]);
    expect(r.model.totals.trainableParams).toBe(96n);
    // mul: one product per output element, 96·56·56 = 301,056 FLOPs; its output 301,056 floats.
    expect(r.model.totals.flops).toBe(301_056n);
    expect(r.model.totals.activationBytes).toBe(301_056n * 4n);
    // training (sgd): params 96·4 B + their gradients 96·4 B + saved input and output 2·301,056·4 B
    expect(r.model.totals.trainingBytes).toBe(384n + 384n + 2n * 1_204_224n);
    // The field is the input's own (a param depends on no input position).
    expect(r.layer("mul_1").rf.size).toEqual([1, 1]);
  });
  test("params(layer_scale_1) counts gamma; gamma's field prints as —", () => {
    const r = run(LAYER_SCALE.replace("assert params == 96", "assert params(layer_scale_1) == 96\n  assert shape(layer_scale_1) == [96, 56, 56]"));
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true, true]);
  });
  test("verify at batch 2: the runtime allocates gamma (96 params), broadcasts it, and every cell agrees", () => {
    const g = graphOf(LAYER_SCALE.replace("[96, 56, 56]", "[96, 6, 6]").replace("assert params == 96", ""));
    const v = verify(g, { batch: 2 });
    const gamma = v.models[0]!.layers.find((l) => l.name === "gamma")!;
    expect([gamma.cells.params.measured, gamma.cells.shape.measured, gamma.cells.bytes.measured]).toEqual([96, [1, 96, 1, 1], 0]);
    expect(v.ok).toBe(true);
  });
  test("the runtime's product is x · gamma per channel", () => {
    const m = graphOf(`model t {\n  input x: [2, 1, 3]\n  param g: [2, 1, 1]\n  output mul(x, g)\n}\n`).models[0]!;
    const x = { shape: [1, 2, 1, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const gid = m.nodes.find((n) => n.label === "g")!.id;
    const r = execute(m, { inputs: { x }, params: new Map([[gid, { value: { shape: [2, 1, 1], data: Float32Array.from([10, -1]) } }]]) });
    expect([...r.outputs.output!.data]).toEqual([10, 20, 30, -4, -5, -6]);
  });
  test("ONNX: gamma is an initializer [1, 96, 1, 1]; onnxruntime agrees at batch 2", async () => {
    const m = graphOf(LAYER_SCALE.replace("[96, 56, 56]", "[96, 5, 4]").replace("assert params == 96", "")).models[0]!;
    const { params } = seededParams(m, 0);
    const r = exportOnnx(m, params!);
    expect(r.diagnostics).toEqual([]);
    expect(await crossCheck(m, 1, 2)).toBeLessThan(1e-5);
  });
});

describe("buffers, diagnostics", () => {
  test("a buffer counts as a buffer (non-trainable), not a parameter", () => {
    const r = run(`model t {\n  input x: [4, 5, 5]\n  buffer mean: [4, 1, 1]\n  param w: [4, 5, 5]\n  y = add(x, mean)\n  output mul(y, w)\n  assert params == 100\n  assert non_trainable_params == 4\n}\n`);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true, true]);
    expect([r.model.totals.trainableParams, r.model.totals.nonTrainableParams]).toEqual([100n, 4n]);
    // parameter memory: (100 + 4) · 4 bytes
    expect(r.model.totals.paramBytes).toBe(416n);
  });
  test("a param no output uses: CS2043, and it is left out of the totals", () => {
    const c = compile({ file: "t.cnn", text: `model t {\n  input x: [4, 5, 5]\n  param unused: [4, 1, 1]\n  output x -> relu\n}\n` });
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['CS2043 param "unused" is used by no output']);
    expect(analyze(c.graph).models[0]!.totals.params).toBe(0n);
  });
  test("a shape that does not broadcast names both operands (CS3006)", () => {
    const c = compile({ file: "t.cnn", text: `model t {\n  input x: [4, 5, 5]\n  param g: [3, 1, 1]\n  output mul(x, g)\n}\n` });
    const a = analyze(c.graph);
    expect(a.diagnostics.map((d) => d.code)).toEqual(["CS3006"]);
    expect(a.diagnostics[0]!.message).toMatch(/\[4, 5, 5\] \(input x\) and \[3, 1, 1\] \(g\)/);
  });
  test("a bad shape is CS2026 naming the param; `param` stays usable as a name elsewhere", () => {
    const c = compile({ file: "t.cnn", text: `model t {\n  input x: [4, 5, 5]\n  param g: [4, 0]\n  output mul(x, g)\n}\n` });
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['CS2026 param "g": every size must be an integer ≥ 1, got 0']);
    const ok = run(`block b(param, buffer=2) {\n  input allow\n  output allow -> conv2d(param * buffer, 1)\n}\nmodel t {\n  input x: [4, 5, 5]\n  param = x -> relu\n  output param -> b(3)\n}\n`);
    expect(ok.model.outputs.output).toEqual([6, 5, 5]);
  });
});
