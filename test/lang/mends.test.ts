/**
 * The diagnostics issue 11 mends: the missing `->`, PyTorch syntax, a channels-last input.
 * The baselines in test/invalid/ fix their positions and codes; here, their words and hints.
 */
import { describe, expect, test } from "vitest";
import { compileCase } from "../diagnostics/baseline.js";
import { convSpecForm } from "../../src/ast/pytorch.js";
import { compile } from "../../src/graph/compile.js";
import { looksChannelsLast } from "../../src/analysis/layout.js";
import { analyze } from "../../src/analysis/analyze.js";
import { readFileSync } from "node:fs";

const shown = (name: string) => compileCase(name).result.diagnostics.map((d) => [d.message, d.hint]);

describe("mended diagnostics", () => {
  test("missing-arrow.cnn: one error, at the line that lacks its ->", () => {
    expect(shown("missing-arrow.cnn")).toEqual([[
      "a chain continues with '->': 'conv2d' on this line starts no statement",
      "put -> at the start of this line (-> conv2d(...)) or at the end of the line above",
    ]]);
  });
  test("a misspelt statement word after a chain is not taken for a missing ->", () => {
    const c = compile({ file: "t.cnn", text: "model m {\n  input x: [3, 8, 8]\n  y = x -> relu\n  inptu z: [3]\n  output y\n}\n" });
    expect(c.diagnostics.map((d) => d.message).some((m) => m.includes("a chain continues"))).toBe(false);
    expect(c.diagnostics.length).toBeGreaterThan(0);
  });
  test("chain-in-merge.cnn: one error at the '->' inside add(...), with the binding that says it; no echoes", () => {
    expect(shown("chain-in-merge.cnn")).toEqual([[
      "a chain cannot stand inside add(...): its arguments are tensor names or values, not chains",
      "bind the chain first, t = x -> conv2d(8, 1) -> relu, then write add(t, a)",
    ]]);
  });
  test("a chain as a later argument of concat: the hint keeps the other arguments in place", () => {
    const c = compile({ file: "t.cnn", text: "model m {\n  input x: [3, 8, 8]\n  a = x -> relu\n  output concat(a, x -> maxpool(3, stride=1, padding=1), axis=0)\n}\n" });
    expect(c.diagnostics.map((d) => [d.code, d.hint])).toEqual([["CS1002", "bind the chain first, t = x -> maxpool(3, stride=1, padding=1), then write concat(a, t, axis=0)"]]);
  });
  test("pytorch-syntax.cnn: each PyTorch call once, with its ConvSpec form; the one in a comment is left alone", () => {
    expect(shown("pytorch-syntax.cnn")).toEqual([
      ["nn.Conv2d(...) is PyTorch, not ConvSpec", "this is PyTorch's Conv2d; in ConvSpec write conv2d(64, kernel=3, padding=1, bias=false); input channels and features are inferred from the tensor piped in"],
      ["nn.ReLU(...) is PyTorch, not ConvSpec", "this is PyTorch's ReLU; in ConvSpec write relu"],
      ["torch.nn.Linear(...) is PyTorch, not ConvSpec", "this is PyTorch's Linear; in ConvSpec write dense(10); input channels and features are inferred from the tensor piped in"],
    ]);
  });
  test("pytorch-class-name.cnn: Conv2d(3, 64, 3) → conv2d(64, 3); BatchNorm2d(64) → batchnorm", () => {
    expect(shown("pytorch-class-name.cnn").map((x) => x[1])).toEqual([
      "this is PyTorch's Conv2d; in ConvSpec write conv2d(64, 3); input channels and features are inferred from the tensor piped in",
      "this is PyTorch's BatchNorm2d; in ConvSpec write batchnorm; input channels and features are inferred from the tensor piped in",
    ]);
  });
  test("channels-last.cnn: the warning names the axis read as channels and gives the channels-first shape", () => {
    expect(shown("channels-last.cnn")).toEqual([[
      "input image [224, 224, 3] looks channels-last: conv2d_1 reads its first axis, 224, as 224 channels",
      "ConvSpec is channels first, without the batch axis: input image: [3, 224, 224]",
    ]]);
  });
  test("convSpecForm: tuples become lists, in_channels go, names follow ConvSpec", () => {
    expect(convSpecForm("ConvTranspose2d", "64, 32, kernel_size=(2, 2), stride=2")).toBe("deconv2d(32, kernel=[2, 2], stride=2)");
    expect(convSpecForm("MaxPool2d", "3, 2, 1")).toBe("maxpool2d(3, 2, 1)");
    expect(convSpecForm("LeakyReLU", "negative_slope=0.2, inplace=True")).toBe("leaky_relu(slope=0.2)");
    expect(convSpecForm("Linear", "in_features=512, out_features=10")).toBe("dense(units=10)");
    expect(convSpecForm("Frobnicate", "1")).toBeUndefined();
  });
  test("what looks channels-last: [224, 224, 3], [32, 32, 3], [28, 28, 1], [16000, 1]; not [3, 224, 224], [64, 8, 2], [512, 7, 7], [16, 16, 4]", () => {
    expect([[224, 224, 3], [32, 32, 3], [28, 28, 1], [16000, 1]].map(looksChannelsLast)).toEqual([true, true, true, true]);
    expect([[3, 224, 224], [64, 8, 2], [512, 7, 7], [16, 16, 4]].map(looksChannelsLast)).toEqual([false, false, false, false]);
  });
});

describe("a number bound in a body (blind trial finding 5)", () => {
  const diagnostics = (text: string) => compile({ file: "t.cnn", text }).diagnostics.map((d) => [d.code, d.message, d.hint]);
  const block = (line: string) => `block b(planes, groups=32) {\n  input x\n  ${line}\n  output x -> conv2d(w, 1)\n}\nmodel m {\n  input x: [64, 8, 8]\n  output x -> b(64)\n}\n`;

  test("number-binding.cnn: one error for the line (no parser echoes), the header with the number as a default", () => {
    expect(shown("number-binding.cnn").map((d) => [d[0], d[1]])).toEqual([[
      "w = planes * width_per_group / 64 * groups: a binding takes a chain (w = x -> ...); block bottleneck cannot bind a number",
      "make w a parameter with a default, which may use the parameters before it: block bottleneck(planes, width_per_group=4, groups=32, w=planes * width_per_group / 64 * groups); or write planes * width_per_group / 64 * groups where w is used",
    ]]);
  });

  test("the header the hint gives compiles: w = 64 · 4 / 64 · 32 = 128, params by hand", () => {
    const text = readFileSync(new URL("../invalid/number-binding.cnn", import.meta.url), "utf8")
      .replace("block bottleneck(planes, width_per_group=4, groups=32)", "block bottleneck(planes, width_per_group=4, groups=32, w=planes * width_per_group / 64 * groups)")
      .replace("  w = planes * width_per_group / 64 * groups\n", "");
    const c = compile({ file: "t.cnn", text });
    expect(c.diagnostics).toEqual([]);
    // 1×1 64→128: 8,192 weights; 3×3 grouped 128→128, 32 groups: 128 · (128 / 32) · 9 = 4,608.
    expect(analyze(c.graph).models[0]!.totals.params).toBe(8_192n + 4_608n);
  });

  test("forms the parser reads as a chain (w = planes * 4, w = planes): the same error, and no 'unknown name w' at its use", () => {
    expect(diagnostics(block("w = planes * 4"))).toEqual([["CS1002", "w = planes * 4: a binding takes a chain (w = x -> ...); block b cannot bind a number",
      "make w a parameter with a default, which may use the parameters before it: block b(planes, groups=32, w=planes * 4); or write planes * 4 where w is used"]]);
    expect(diagnostics(block("w = planes")).map((d) => d[1])).toEqual(["w = planes: a binding takes a chain (w = x -> ...); block b cannot bind a number"]);
    expect(diagnostics(block("w = (planes + 1) / 2")).map((d) => d[1])).toEqual(["w = (planes + 1) / 2: a binding takes a chain (w = x -> ...); block b cannot bind a number"]);
  });

  test("in a model: write the expression where it is used", () => {
    expect(diagnostics("model m {\n  input x: [3, 8, 8]\n  w = 16 / 2\n  output x -> conv2d(w, 1)\n}\n")).toEqual([["CS1002", "w = 16 / 2: a binding takes a chain (w = x -> ...); a model cannot bind a number", "write 16 / 2 where w is used (a model binds tensors only)"]]);
  });

  test("left alone: a chain with a repeat, an unknown tensor that is no parameter, another unknown name", () => {
    expect(diagnostics("block b(planes) {\n  input x\n  y = x -> relu * 2\n  output y -> conv2d(planes, 1)\n}\nmodel m {\n  input x: [64, 8, 8]\n  output x -> b(64)\n}\n")).toEqual([]);
    // w is a tensor here (had z been bound, conv2d(w, 1) would be the same CS2028): both stay.
    expect(diagnostics(block("w = z")).map((d) => [d[0], d[1]])).toEqual([["CS2009", 'unknown tensor "z"'], ["CS2028", 'unknown name "w"']]);
    const other = diagnostics("block b(planes) {\n  input x\n  w = planes * 2\n  output x -> conv2d(w, 1) -> conv2d(v, 1)\n}\nmodel m {\n  input x: [64, 8, 8]\n  output x -> b(64)\n}\n");
    expect(other.map((d) => [d[0], d[1]])).toEqual([["CS1002", "w = planes * 2: a binding takes a chain (w = x -> ...); block b cannot bind a number"], ["CS2028", 'unknown name "v"']]);
  });
});
