/**
 * ConvSpec 1.1 named and multiple outputs: `output p3 = CHAIN`, several per model; totals over
 * what some output needs; every stage (analysis, run, verify, ONNX, reports) sees each output.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { run as execute } from "../../src/exec/runtime.js";
import { verify } from "../../src/verify/verify.js";
import { analysisToJson } from "../../src/report/json.js";
import { renderCsv, renderTable } from "../../src/report/text.js";
import { diffModels } from "../../src/diff/diff.js";
import { crossCheck } from "../onnx/crosscheck.js";
import { run } from "../analysis/helpers.js";

const TWO_HEADS = `model two_heads {
  input image: [3, 256, 256]
  c3 = image -> conv2d(64, 3, stride=8, padding=1) -> relu
  c4 = c3 -> conv2d(128, 3, stride=2, padding=1) -> relu
  output p3 = c3 -> conv2d(32, 1)
  output p4 = c4 -> conv2d(32, 1)
  assert shape(p3) == [32, 32, 32]
  assert shape(p4) == [32, 16, 16]
  assert params == 1_792 + 73_856 + 2_080 + 4_128
}
`;

function compiled(text: string) {
  const c = compile({ file: "t.cnn", text });
  return { c, errors: c.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), warnings: c.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.code} ${d.message}`) };
}

describe("two_heads (LANGUAGE.md)", () => {
  test("analyzes with its asserts holding; outputs listed by name, in order", () => {
    const r = run(TWO_HEADS);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true, true, true]);
    expect(Object.entries(r.model.outputs)).toEqual([["p3", [32, 32, 32]], ["p4", [32, 16, 16]]]);
    // conv 3→64 k3: 3·64·9 + 64 = 1,792; 64→128 k3: 64·128·9 + 128 = 73,856; 64→32 k1: 2,048 + 32 = 2,080; 128→32 k1: 4,096 + 32 = 4,128
    expect(r.model.totals.params).toBe(1_792n + 73_856n + 2_080n + 4_128n);
    // MACs: 64·32²·27 + 128·16²·576 + 32·32²·64 + 32·16²·128 = 1,769,472 + 18,874,368 + 2,097,152 + 1,048,576
    expect(r.model.totals.macs).toBe(1_769_472n + 18_874_368n + 2_097_152n + 1_048_576n);
  });
  test("the runtime produces both outputs, and verify agrees on every cell", () => {
    const m = compiled(TWO_HEADS).c.graph.models[0]!;
    const r = execute(m, { batch: 2 });
    expect(Object.fromEntries(Object.entries(r.outputs).map(([k, t]) => [k, t.shape]))).toEqual({ p3: [2, 32, 32, 32], p4: [2, 32, 16, 16] });
    const v = verify({ models: [m] }, { batch: 2 });
    expect(v.ok).toBe(true);
    expect(v.models[0]!.totals.params.measured).toBe(81_856);
  });
  test("ONNX export has both graph outputs, and onnxruntime agrees with the runtime on each", async () => {
    const m = compiled(TWO_HEADS.replace("[3, 256, 256]", "[3, 64, 64]").replace(/  assert.*\n/g, "")).c.graph.models[0]!;
    expect(await crossCheck(m, 2, 2)).toBeLessThan(1e-4);
  });
  test("reports: the heading names both, JSON lists outputs by name, CSV and diff see both", () => {
    const c = compiled(TWO_HEADS).c;
    const a = analyze(c.graph);
    expect(renderTable(a.models[0]!).split("\n")[0]).toBe("model two_heads (t.cnn): image 3×256×256 → p3 32×32×32, p4 32×16×16");
    const doc = JSON.parse(JSON.stringify(analysisToJson(a, { sources: c.sources }))) as { models: { outputs: Record<string, number[]> }[] };
    expect(doc.models[0]!.outputs).toEqual({ p3: [32, 32, 32], p4: [32, 16, 16] });
    expect(renderCsv(a.models).split("\n").filter((l) => l.includes(",conv2d,")).length).toBe(4);
    const other = analyze(compiled(TWO_HEADS.replace("conv2d(32, 1)\n  output p4", "conv2d(48, 1)\n  output p4").replace(/  assert.*\n/g, "")).c.graph).models[0]!;
    expect(diffModels(a.models[0]!, other).outputs).toEqual([{ name: "p3", a: [32, 32, 32], b: [48, 32, 32] }, { name: "p4", a: [32, 16, 16], b: [32, 16, 16] }]);
  });
});

describe("what the outputs need", () => {
  const DEAD = `model m {
  input x: [3, 8, 8]
  a = x -> conv2d(4, 3, padding=1)
  aux = a -> conv2d(5, 1) -> relu
  output a -> relu
}
`;
  test("layers no output needs are left out of the totals; the unused binding's warning says so", () => {
    const { c, warnings } = compiled(DEAD);
    expect(warnings).toEqual(['CS2023 "aux" is bound but never used']);
    expect(c.diagnostics[0]!.hint).toBe("use it in a chain or a merge, or delete the line; until then, the layers only it needs are left out of the model");
    // With that warning allowed, CS2042 still names what is left out.
    expect(compiled(DEAD.replace("model m {", "model m {\n  allow CS2023")).warnings).toEqual([
      "CS2042 2 layers of model m feed no output and are left out of it: conv2d_2, relu_1",
    ]);
    const a = analyze(c.graph).models[0]!;
    // Only conv 3→4 k3 (3·4·9 + 4 = 112 params) and the output's relu remain.
    expect(a.layers.map((l) => l.name)).toEqual(["conv2d_1", "relu_2"]);
    expect(a.totals.params).toBe(112n);
  });
  test("an assert that names a left-out layer says so", () => {
    const { c, errors } = compiled(DEAD.replace("output a -> relu", "output a -> relu\n  assert shape(conv2d_2) == [5, 8, 8]"));
    expect(errors).toEqual(['CS2032 no layer, block call or tensor named "conv2d_2" in model m']);
    expect(c.diagnostics.find((d) => d.code === "CS2032")!.hint).toBe("conv2d_2 feeds no output, so it is left out of the model");
  });
  test("a named output binds its name: a later output may read it", () => {
    const r = run(`model fpn {\n  input x: [8, 16, 16]\n  output p5 = x -> conv2d(8, 1, stride=2)\n  up = p5 -> upsample(2)\n  output p4 = add(x, up)\n}\n`);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(Object.keys(r.model.outputs)).toEqual(["p5", "p4"]);
  });
  test("shape(output) is the unnamed output, or the one output; with several named ones it asks for a name", () => {
    expect(run(`model m {\n  input x: [3, 8, 8]\n  output y = x -> conv2d(4, 1)\n  assert shape(output) == [4, 8, 8]\n}\n`).model.asserts[0]!.pass).toBe(true);
    const { errors, c } = compiled(TWO_HEADS.replace("assert shape(p3)", "assert shape(output)"));
    expect(errors).toEqual(['CS2032 no layer, block call or tensor named "output" in model two_heads']);
    expect(c.diagnostics.find((d) => d.code === "CS2032")!.hint).toBe("the model has 2 outputs; name one: shape(p3), shape(p4)");
  });
  test("one unknown label in an assert leaves the model and its other asserts", () => {
    const { c, errors } = compiled(TWO_HEADS.replace("assert shape(p4)", "assert shape(p9)"));
    expect(errors).toEqual(['CS2032 no layer, block call or tensor named "p9" in model two_heads']);
    const a = analyze(c.graph).models[0]!;
    expect(a.asserts.map((x) => [x.assert.text, x.pass])).toEqual([
      ["assert shape(p3) == [32, 32, 32]", true], ["assert params == 1_792 + 73_856 + 2_080 + 4_128", true],
    ]);
  });
  test("two unnamed outputs: CS2018 asks for names; a repeated name is CS2010; a named block output is CS2041", () => {
    expect(compiled(`model m {\n  input x: [3, 8, 8]\n  output x -> relu\n  output x -> tanh\n}\n`).errors).toEqual(["CS2018 model m has more than one output"]);
    expect(compiled(`model m {\n  input x: [3, 8, 8]\n  output p = x -> relu\n  output p = x -> tanh\n}\n`).errors).toEqual(['CS2010 "p" is already bound in this model']);
    expect(compiled(`block b {\n  input x\n  output y = x -> relu\n}\nmodel m {\n  input x: [3, 8, 8]\n  output x -> b\n}\n`).errors)
      .toEqual(['CS2041 block b: a block has one output, which takes no name ("y")']);
  });
});
