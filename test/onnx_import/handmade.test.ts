/**
 * Hand-built ONNX graphs (encoded with the exporter's protobuf descriptor) for what the PyTorch
 * fixtures do not show: a channels-last input (tf2onnx/Keras), the Shape → Gather → Unsqueeze
 * → Concat → Reshape flatten of older exporters, Clip bounds as attributes, and an operator
 * with no record. Expected counts are worked out by hand in each case.
 */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { encodeModel } from "../../src/onnx/proto.js";
import { importOnnx } from "../../src/onnx/import/import.js";

type Attr = Record<string, unknown>;
const node = (opType: string, input: string[], output: string[], attribute: Attr[] = [], name = output[0]) => ({ opType, input, output, attribute, name });
const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
const int = (name: string, v: number) => ({ name, type: 2, i: v });
const float = (name: string, v: number) => ({ name, type: 1, f: v });
const weight = (name: string, dims: number[]) => ({ name, dims, dataType: 1 });
const i64 = (name: string, v: number[]) => ({ name, dims: [v.length], dataType: 7, int64Data: v });
const io = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } });

function model(nodes: unknown[], initializer: unknown[], input: unknown, output: string, opset = 13): Uint8Array {
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: "", version: opset }], graph: { name: "g", node: nodes, initializer, input: [input], output: [io(output, [])] } });
}

describe("hand-built graphs", () => {
  it("a channels-last input moved to NCHW first is declared [C, H, W]", () => {
    const bytes = model(
      [node("Transpose", ["x"], ["t"], [ints("perm", [0, 3, 1, 2])]), node("Conv", ["t", "w", "b"], ["c"], [ints("kernel_shape", [3, 3])]), node("Relu", ["c"], ["y"])],
      [weight("w", [8, 3, 3, 3]), weight("b", [8])],
      io("x", ["N", 32, 32, 3]),
      "y",
    );
    const r = importOnnx(bytes);
    expect(r.text).toContain("input x: [3, 32, 32]");
    const m = analyze(r.graph).models[0]!;
    expect(m.totals.params).toBe(8n * 3n * 9n + 8n); // 224
    expect(m.outputs.output).toEqual([8, 30, 30]);
  });

  it("Shape → Gather → Unsqueeze → Concat → Reshape folds into flatten; Clip(0, 6) attributes are relu6", () => {
    const bytes = model(
      [
        node("Clip", ["x"], ["r"], [float("min", 0), float("max", 6)]),
        node("Shape", ["r"], ["s"]),
        node("Gather", ["s", "zero"], ["n"], [int("axis", 0)]),
        node("Unsqueeze", ["n"], ["n1"], [ints("axes", [0])]),
        node("Concat", ["n1", "minus1"], ["shape"], [int("axis", 0)]),
        node("Reshape", ["r", "shape"], ["f"]),
        node("Gemm", ["f", "w", "b"], ["y"], [int("transB", 1)]),
      ],
      [{ name: "zero", dims: [], dataType: 7, int64Data: [0] }, i64("minus1", [-1]), weight("w", [10, 4 * 5 * 5]), weight("b", [10])],
      io("x", [1, 4, 5, 5]),
      "y",
      9,
    );
    const r = importOnnx(bytes);
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toMatch(/x -> relu6 -> flatten -> dense\(10\)/);
    expect(analyze(r.graph).models[0]!.totals.params).toBe(100n * 10n + 10n);
  });

  it("an operator with no record: CS4802 with op type, node name and input shapes; the rest still analyzes", () => {
    const bytes = model(
      [node("Conv", ["x", "w"], ["c"], [ints("kernel_shape", [3, 3])]), node("Frobnicate", ["c"], ["f"], [], "my/frob"), node("Conv", ["f", "w2"], ["y"], [ints("kernel_shape", [1, 1])])],
      [weight("w", [8, 3, 3, 3]), weight("w2", [4, 8, 1, 1])],
      io("x", [1, 3, 10, 10]),
      "y",
    );
    const r = importOnnx(bytes);
    const d = r.diagnostics.filter((x) => x.code === "CS4802");
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe('ONNX Frobnicate node "my/frob" (inputs [1, 8, 8, 8]) has no ConvSpec layer: the importer has no record for this operator');
    expect(d[0]!.severity).toBe("warning");
    const m = analyze(r.graph).models[0]!;
    expect(m.totals.params).toBe(8n * 27n + 4n * 8n); // both convs, no biases
    expect(m.outputs.output).toEqual([4, 8, 8]);
  });

  it("names that are ConvSpec keywords (PyTorch's default input name `input`) get a `_`", () => {
    const bytes = model([node("Relu", ["input"], ["output"], [], "model")], [], io("input", [1, 3, 4, 4]), "output");
    const r = importOnnx(bytes, { file: "dir/model.onnx" });
    expect(r.text).toContain("model model_ {");
    expect(r.text).toContain("input input_: [3, 4, 4]");
    expect(r.diagnostics).toEqual([]);
    expect(analyze(r.graph).models[0]!.outputs.output).toEqual([3, 4, 4]);
  });

  it("an output that another layer reads (an FPN level pooled into the next) stays an output, named", () => {
    // Conv c = output p5 (4·3 + 4 = 16 params), MaxPool p6 = pool(p5): both are graph outputs.
    const bytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 13 }],
      graph: {
        name: "levels",
        node: [node("Conv", ["x", "w", "b"], ["p5"], [ints("kernel_shape", [1, 1])]), node("MaxPool", ["p5"], ["p6"], [ints("kernel_shape", [1, 1]), ints("strides", [2, 2])])],
        initializer: [weight("w", [4, 3, 1, 1]), weight("b", [4])],
        input: [io("x", [1, 3, 6, 6])],
        output: [io("p5", []), io("p6", [])],
      },
    });
    const r = importOnnx(bytes);
    expect(r.diagnostics).toEqual([]);
    const m = analyze(r.graph).models[0]!;
    expect(m.outputs).toEqual({ p5: [4, 6, 6], p6: [4, 3, 3] });
    expect(m.totals.params).toBe(16n);
  });

  it("a second output (an auxiliary head) is kept as a named output, with its weights", () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 13 }],
      graph: {
        name: "two",
        node: [node("Conv", ["x", "w"], ["c"], [ints("kernel_shape", [1, 1])]), node("Relu", ["c"], ["y"]), node("Conv", ["c", "w2"], ["aux"], [ints("kernel_shape", [1, 1])])],
        initializer: [weight("w", [4, 3, 1, 1]), weight("w2", [100, 4, 1, 1])],
        input: [io("x", [1, 3, 5, 5])],
        output: [io("y", []), io("aux", [])],
      },
    });
    const r = importOnnx(bytes);
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toMatch(/output y = .*\n\s*output aux = /);
    const m = analyze(r.graph).models[0]!;
    expect(m.outputs).toEqual({ y: [4, 5, 5], aux: [100, 5, 5] });
    expect(m.totals.params).toBe(12n + 400n); // 4·3·1·1 + 100·4·1·1
  });

  it("view operators with impossible axes or orders are CS4802 with the rest analyzed, never a throw", () => {
    const bytes = model(
      [
        node("Slice", ["x", "s0", "s1", "ax7"], ["a"]), node("Transpose", ["a"], ["b"], [ints("perm", [0, 0, 1, 2])]),
        node("Gather", ["b", "i0"], ["c"], [int("axis", 9)]), node("Concat", ["c", "c"], ["d"], [int("axis", 5)]),
        node("Split", ["d"], ["e", "f"], [int("axis", -7)]), node("Relu", ["e"], ["y"]),
      ],
      [i64("s0", [0]), i64("s1", [1]), i64("ax7", [7]), { name: "i0", dims: [], dataType: 7, int64Data: [0] }],
      io("x", [1, 2, 3, 3]),
      "y",
    );
    const r = importOnnx(bytes);
    expect(r.diagnostics.filter((d) => d.code === "CS4802").map((d) => /ONNX (\w+)/.exec(d.message)![1])).toEqual(["Slice", "Transpose", "Gather", "Concat", "Split"]);
    expect(analyze(r.graph).models[0]!.outputs.output).toEqual([2, 3, 3]); // stand-ins keep the shape
  });

  it("x · relu6(x + 3) / 6 is hardswish, relu6(x + 3) / 6 alone hardsigmoid (Keras's decomposition)", () => {
    const scalar = (name: string, v: number) => ({ name, dims: [], dataType: 1, floatData: [v] });
    const bytes = model(
      [
        node("Add", ["x", "three"], ["a"]), node("Clip", ["a", "zero", "six"], ["c"]), node("Div", ["c", "six"], ["d"]), node("Mul", ["x", "d"], ["hs"]),
        node("Add", ["hs", "three"], ["a2"]), node("Clip", ["a2", "zero", "six"], ["c2"]), node("Mul", ["c2", "sixth"], ["y"]),
      ],
      [scalar("three", 3), scalar("zero", 0), scalar("six", 6), scalar("sixth", 1 / 6)],
      io("x", [1, 2, 3, 3]),
      "y",
    );
    const r = importOnnx(bytes);
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toMatch(/x -> hardswish -> hardsigmoid\n/);
  });

  it("a symbolic spatial size is CS4803 with a hint", () => {
    const r = importOnnx(model([node("Relu", ["x"], ["y"])], [], io("x", ["N", 3, "H", "W"]), "y"));
    expect(r.text).toBe("");
    expect(r.diagnostics.map((d) => d.code)).toContain("CS4803");
    expect(r.diagnostics.find((d) => d.code === "CS4803")!.message).toContain('input "x" has shape [N, 3, H, W]');
  });
});
