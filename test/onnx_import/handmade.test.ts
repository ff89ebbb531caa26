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

/**
 * Malformed instance norms, group norms, adaptive pools and channel max pools: each is CS4802
 * naming the reason (with an identity standing in so the rest analyzes), never a throw and
 * never a wrong layer.
 */
describe("malformed normalisation and pooling patterns are CS4802", () => {
  const cfloats = (out: string, v: number[]) => node("Constant", [], [out], [{ name: "value_floats", type: 6, floats: v }]);
  const ones = (n: number) => new Array<number>(n).fill(1);
  const zeros = (n: number) => new Array<number>(n).fill(0);
  /** One node's import: its CS4802 messages and the analyzed model's params and output shape. */
  function imported(nodes: unknown[], inits: unknown[], dims: number[], opset = 17) {
    const r = importOnnx(model(nodes, inits, io("x", ["N", ...dims]), "y", opset));
    const m = analyze(r.graph).models[0]!;
    return { warn: r.diagnostics.filter((d) => d.code === "CS4802").map((d) => d.message), params: m.totals.params, out: m.outputs.output, text: r.text };
  }

  it("InstanceNormalization: a scale of the wrong rank, a missing initializer, weight beside constant, a constant other than 1, a [N, C] input", () => {
    const cases: [unknown[], unknown[], number[], RegExp][] = [
      [[node("InstanceNormalization", ["x", "s", "b"], ["y"])], [weight("s", [4, 1]), weight("b", [4])], [4, 5, 5], /scale \[4, 1\] and shift \[4\] are not one value per channel of 4/],
      [[node("InstanceNormalization", ["x", "s", "nowhere"], ["y"])], [weight("s", [4])], [4, 5, 5], /"nowhere"\) is neither an initializer nor a constant/],
      [[cfloats("b", zeros(4)), node("InstanceNormalization", ["x", "s", "b"], ["y"])], [weight("s", [4])], [4, 5, 5], /one of scale and shift is a weight, the other a constant/],
      [[cfloats("s", [1, 2, 1, 1]), cfloats("b", zeros(4)), node("InstanceNormalization", ["x", "s", "b"], ["y"])], [], [4, 5, 5], /not 1 and 0/],
      [[node("InstanceNormalization", ["x", "s", "b"], ["y"])], [weight("s", [4]), weight("b", [4])], [4], /with a spatial axis/],
    ];
    for (const [nodes, inits, dims, reason] of cases) {
      const got = imported(nodes, inits, dims);
      expect(got.warn).toHaveLength(1);
      expect(got.warn[0]).toMatch(/^ONNX InstanceNormalization node "y" \(inputs /);
      expect(got.warn[0]).toMatch(reason);
      expect(got.params).toBe(0n); // the identity stand-in holds no weights
      expect(got.out).toEqual(dims);
    }
  });

  it("GroupNorm's Reshape/InstanceNormalization/Reshape: groups not dividing C, γ not per channel", () => {
    // [6, 2, 2] grouped by 4 is [4, 6]: a valid Reshape, but each group mixes channels of two.
    const gn = (g: number, tail: unknown[] = []) => [
      node("Reshape", ["x", "t1"], ["r1"]), cfloats("s", ones(g)), cfloats("b", zeros(g)),
      node("InstanceNormalization", ["r1", "s", "b"], ["n"]), node("Shape", ["x"], ["t2"]), node("Reshape", ["n", "t2"], [tail.length ? "r2" : "y"]), ...tail,
    ];
    const t1 = i64("t1", [0, 4, -1]);
    const bad = imported(gn(4), [t1], [6, 2, 2]);
    expect(bad.warn).toEqual([expect.stringMatching(/^ONNX convspec\.groupnorm node "n" .*4 groups do not divide the 6 channels/)]);
    expect(bad.out).toEqual([6, 2, 2]);
    // The same with 8 channels is groupnorm(4) (PyTorch's GroupNorm(4, 8, affine=False) without its Mul/Add).
    expect(imported(gn(4), [t1], [8, 2, 2]).text).toMatch(/x -> groupnorm\(4, affine=false\)/);
    // γ, β as [8] on [N, 8, 2, 2] broadcast along W, not per channel.
    const affine = [node("Mul", ["r2", "gamma"], ["m"]), node("Add", ["m", "beta"], ["y"])];
    const flat = imported(gn(4, affine), [t1, weight("gamma", [8]), weight("beta", [8])], [8, 2, 2]);
    expect(flat.warn).toEqual([expect.stringMatching(/scale \[8\] and shift \[8\] are not one value per channel of 8/)]);
    // As [8, 1, 1] they are groupnorm(4)'s γ and β: 2·8 params, as PyTorch's.
    const ok = imported(gn(4, affine), [t1, weight("gamma", [8, 1, 1]), weight("beta", [8, 1, 1])], [8, 2, 2]);
    expect(ok.warn).toEqual([]);
    expect(ok.params).toBe(16n);
    expect(ok.text).toMatch(/x -> groupnorm\(4\)/);
  });

  it("adaptive cells that are not PyTorch's bins, and a channel max whose Reshape splits a spatial axis", () => {
    // Along W = 14 into 2: PyTorch's bins are [0, 7) and [7, 14).
    const pool = (b: number[], opset = 17, w = 14) => {
      const inits = [i64("ax", [3]), i64("lo0", [b[0]!]), i64("hi0", [b[1]!]), i64("lo1", [b[2]!]), i64("hi1", [b[3]!])];
      // From opset 18 the Reduce ops take their axes as an input.
      const reduce = (i: number) => (opset >= 18 ? node("ReduceMean", [`s${i}`, "ax"], [`m${i}`]) : node("ReduceMean", [`s${i}`], [`m${i}`], [ints("axes", [3]), int("keepdims", 1)]));
      const nodes = [
        ...[0, 1].flatMap((i) => [node("Slice", ["x", `lo${i}`, `hi${i}`, "ax"], [`s${i}`]), reduce(i)]),
        node("Concat", ["m0", "m1"], ["y"], [int("axis", 3)]),
      ];
      return imported(nodes, inits, [4, 6, w], opset);
    };
    expect(pool([0, 7, 7, 14]).text).toMatch(/x -> adaptive_avgpool\(\[6, 2\]\)/);
    expect(pool([0, 7, 7, 14], 18).text).toMatch(/x -> adaptive_avgpool\(\[6, 2\]\)/);
    // They are not the bins of W = 16 (the slices leave its last two columns out).
    expect(pool([0, 7, 7, 14], 17, 16).warn).toEqual([expect.stringMatching(/slices \[0, 7, 7, 14\] along axis 3 are not the adaptive bins of 16 into 2/)]);
    // [0, 5) and [5, 14) are no adaptive pool: the cells import one by one as before (a crop each,
    // then a mean over one axis of two, which has no layer: CS4802 each).
    const cells = pool([0, 5, 5, 14]);
    expect(cells.text).not.toMatch(/adaptive/);
    expect(cells.warn).toEqual([expect.stringMatching(/^ONNX ReduceMean .*not every spatial axis/), expect.stringMatching(/^ONNX ReduceMean .*not every spatial axis/)]);
    // Reshape [N, 4, 2, 3, 2] of [N, 8, 3, 2] then max over axis 2 is maxout; [N, 8, 3, 1, 2] is not.
    const maxout = (target: number[], dims: number[]) =>
      imported([node("Reshape", ["x", "t"], ["r"]), node("ReduceMax", ["r"], ["y"], [ints("axes", [2]), int("keepdims", 0)])], [i64("t", target)], dims);
    expect(maxout([0, 4, 2, 3, 2], [8, 3, 2]).text).toMatch(/x -> channel_maxpool\(2\)/);
    const split = maxout([0, 8, 3, 1, 2], [8, 3, 2]);
    expect(split.warn).toEqual([expect.stringMatching(/does not split the 8 channels of \[1, 8, 3, 2\]/)]);
  });
});
