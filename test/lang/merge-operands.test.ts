/**
 * Diagnostics a new user met writing specs from LANGUAGE.md alone (the blind trial of issue 11):
 * a constant factor or a nested merge as a merge operand, a block asked for two results, a
 * named block output, dense on a map. Each says what ConvSpec takes, with the user's own text.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";

const diagnostics = (text: string) => {
  const c = compile({ file: "t.cnn", text });
  const a = c.diagnostics.some((d) => d.severity === "error") ? [] : analyze(c.graph).diagnostics;
  return [...c.diagnostics, ...a].map((d) => ({ code: d.code, message: d.message, hint: d.hint }));
};

describe("merge operands that are not tensor names", () => {
  test("mul(y, 0.2) is a number operand (an extension beyond 1.1): no error", () => {
    const d = diagnostics("model m {\n  input x: [8, 16, 16]\n  y = x -> conv2d(8, 3, padding=1)\n  z = mul(y, 0.2)\n  output add(z, x)\n}\n");
    expect(d).toEqual([]);
  });
  test("add(mul(y, 0.2), x): y is used (no CS2023), and the hint binds the nested merge by its text", () => {
    const d = diagnostics("model m {\n  input x: [8, 16, 16]\n  y = x -> conv2d(8, 3, padding=1)\n  output add(mul(y, 0.2), x)\n}\n");
    expect(d.map((x) => [x.code, x.hint])).toEqual([["CS2040", "bind the operand first: t = mul(y, 0.2), then add(t, x)"]]);
  });
  test("add(x, [1, 2]): a list is no operand; the hint declares a fixed tensor", () => {
    const d = diagnostics("model m {\n  input x: [8, 16, 16]\n  output add(x, [1, 2])\n}\n");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([["CS2040", "add: operand 2 must be a tensor name or a number, got a list", "a merge operand is a tensor name; to combine with a fixed tensor, declare it: buffer s: [...], then add(..., s)"]]);
  });
  test("add(concat(a, b), x): bind the nested merge by its own text, the other operands kept", () => {
    const d = diagnostics("model m {\n  input x: [8, 16, 16]\n  a = x -> slice(0, 4)\n  b = x -> slice(4, 8)\n  output add(concat(a, b), x)\n}\n");
    expect(d.map((x) => [x.code, x.hint])).toEqual([["CS2040", "bind the operand first: t = concat(a, b), then add(t, x)"]]);
  });
});

describe("blocks have one output", () => {
  const block = `block wlayer(c) {
  input x
  a, b = x -> conv1d(2 * c, 2, padding=1) -> split(2)
  z = mul(a, b)
  output out = add(x, z)
}
`;
  test("y, s = x -> block(...): says a block gives one tensor (not 'end with split'), and the input is not reported unused", () => {
    const d = diagnostics(`${block}model m {\n  input wave: [8, 100]\n  y1, s1 = wave -> wlayer(4)\n  output add(y1, s1)\n}\n`);
    expect(d.map((x) => [x.code, x.message])).toEqual([["CS2080", "y1, s1 name 2 tensors, but block wlayer gives one result"]]);
    // A block with several named outputs gives several (an extension beyond 1.1, test/lang/block-results.test.ts).
    expect(d[0]!.hint).toBe("name each of the block's outputs (output a = ..., output b = ...): the call then gives one result per name, y1, s1 = x -> wlayer(...)");
  });
  test("a named block output: the hint writes the chain as given (output add(x, z)), not 'output add -> ...'", () => {
    const d = diagnostics(`${block}model m {\n  input wave: [8, 100]\n  output wave -> wlayer(4)\n}\n`);
    expect(d.filter((x) => x.code === "CS2041").map((x) => x.hint)).toEqual(["write: output add(x, z)"]);
  });
});

describe("dense on a map", () => {
  test("[56, 56, 40] → dense(160): flatten to classify, or a 1×1 conv channels first for nn.Linear on channels", () => {
    const d = diagnostics("model m {\n  input x: [56, 56, 40]\n  output x -> dense(160)\n}\n");
    expect(d.map((x) => [x.code, x.hint])).toEqual([["CS3005", "to classify the whole map, add `flatten` before it (56·56·40 = 125440 features); for PyTorch's nn.Linear on each position's channels (channels-last), keep the map channels first and write conv2d(160, 1), with the same params and MACs"]]);
  });
});

describe("PyTorch habits in arguments and expressions", () => {
  test("batchnorm(16), groupnorm(4, 16): eps = 16 by position warns CS2046, the hint drops the count; eps=2 by name and 1e-3 by position do not", () => {
    const d = diagnostics("model m {\n  input x: [16, 8, 8]\n  output x -> batchnorm(16) -> groupnorm(4, 16) -> batchnorm(1e-3) -> groupnorm(4, eps=2)\n}\n");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([
      ["CS2046", "batchnorm: eps = 16, given by position, is not the small number eps usually is", "ConvSpec takes the channel count from the input, so PyTorch's count is not written: batchnorm; if 16 is meant, write eps=16"],
      ["CS2046", "groupnorm: eps = 16, given by position, is not the small number eps usually is", "ConvSpec takes the channel count from the input, so PyTorch's count is not written: groupnorm(4); if 16 is meant, write eps=16"],
    ]);
  });
  test("attention(64, 4): the type error on qkv_bias says 64 is likely the channel count", () => {
    const d = diagnostics("model m {\n  input x: [64, 16]\n  output x -> attention(64, 4)\n}\n");
    expect(d.map((x) => [x.code, x.hint])).toEqual([["CS2006", "attention(64, 4) reads 4 as qkv_bias; if 64 is PyTorch's channel count (ConvSpec takes it from the input), write attention(4)"]]);
  });
  test("bias=False, ceil=True, TRUE: CS2006 with the lower-case spelling as the hint, for every boolean argument", () => {
    const d = diagnostics("model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(8, 3, bias=False) -> maxpool(2, ceil=True) -> deconv2d(4, 2, bias=TRUE)\n}\n");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([
      ["CS2006", "conv2d: bias must be true or false, got the word False", "ConvSpec booleans are lower case: false"],
      ["CS2006", "maxpool: ceil must be true or false, got the word True", "ConvSpec booleans are lower case: true"],
      ["CS2006", "deconv2d: bias must be true or false, got the word TRUE", "ConvSpec booleans are lower case: true"],
    ]);
  });
  test("False through a block parameter, and inside a block (where unknown words are otherwise read as names): the same hint", () => {
    const block = "block b(c, use_bias=true) {\n  input x\n  output x -> conv2d(c, 3, bias=use_bias) -> conv2d(c, 1, bias=False)\n}\n";
    const d = diagnostics(`${block}model m {\n  input x: [3, 8, 8]\n  output x -> b(4, use_bias=False)\n}\n`);
    expect(d.map((x) => [x.code, x.hint])).toEqual([["CS2006", "ConvSpec booleans are lower case: false"], ["CS2006", "ConvSpec booleans are lower case: false"]]);
    // Another word keeps its message: "maybe" is no boolean in any case.
    expect(diagnostics("model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(8, 3, bias=maybe)\n}\n").map((x) => [x.code, x.hint])).toEqual([["CS2006", undefined]]);
  });
  test("2 ** i: one error naming the missing power operator, spanning '**'", () => {
    const c = compile({ file: "t.cnn", text: "model m {\n  input x: [4, 64]\n  output x -> conv1d(4, 3, dilation=2 ** 3)\n}\n" });
    expect(c.diagnostics.map((x) => [x.code, x.message, x.span!.end - x.span!.start])).toEqual([["CS1002", "ConvSpec has no power operator '**'", 2]]);
  });
});

describe("a tensor used before the line that binds it", () => {
  test("one CS2009 at the use, with the binding as a note; no 'did you mean', no CS2023 for it", () => {
    const c = compile({ file: "t.cnn", text: "model m {\n  input x: [3, 8, 8]\n  y = z -> relu\n  z = x -> conv2d(4, 3)\n  output y\n}\n" });
    expect(c.diagnostics.map((d) => [d.code, d.hint, d.related?.map((r) => [r.message, r.span.start])])).toEqual([[
      "CS2009", "\"z\" is bound on a later line: bindings come before their uses, so move that line above this one",
      [["\"z\" is bound here, after its use", 49]], // the offset of "z =" on line 4
    ]]);
  });
  test("a merge operand bound later says the same", () => {
    const d = diagnostics("model m {\n  input x: [3, 8, 8]\n  y = add(x, z)\n  z = x -> relu\n  output y\n}\n");
    expect(d.map((x) => [x.code, x.hint])).toEqual([["CS2009", "\"z\" is bound on a later line: bindings come before their uses, so move that line above this one"]]);
  });
});

describe("an error inside a block names the call that made it", () => {
  test("the 4th of five res(c) calls gets 16 channels where it adds 8: a note at res(8) on line 13 (res_4)", () => {
    const text = "block res(c) {\n  input x\n  y = x -> conv2d(c, 3, padding=1)\n  output add(x, y)\n}\nmodel m {\n  input x: [8, 16, 16]\n  output x\n    -> res(8)\n    -> res(8)\n    -> conv2d(16, 1)\n    -> res(16)\n    -> res(8)\n    -> res(16)\n}\n";
    const c = compile({ file: "t.cnn", text });
    const d = analyze(c.graph).diagnostics.filter((x) => x.code === "CS3006");
    expect(d.length).toBe(1);
    const note = d[0]!.related!.at(-1)!;
    expect(note.message).toBe("in the call of block res that made res_4");
    expect(text.slice(note.span.start, note.span.end)).toBe("res(8)");
    expect(text.slice(0, note.span.start).split("\n").length).toBe(13);
  });
});

describe("arithmetic on a list parameter", () => {
  test("(k - 1) / 2 with k = [1, 7]: CS2027 with a hint (padding=same, or a padding parameter of its own)", () => {
    const c = compile({ file: "t.cnn", text: "block fac(c, k=[1, 7]) {\n  input x\n  output x -> conv2d(c, k, padding=(k - 1) / 2)\n}\nmodel m {\n  input x: [3, 17, 17]\n  output x -> fac(8)\n}\n" });
    expect(c.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([["CS2027", "'-' needs numbers, got the list [1, 7]", "a list takes no arithmetic (it is passed on whole: kernel=k); for a padding, write padding=same or pass the padding as a list parameter of its own"]]);
  });
});

describe("an unknown merge where a chain starts", () => {
  test("matmul(q, k): CS2001 (not 'unknown tensor'), the hint lists the merges, and q, k are not reported unused", () => {
    const d = diagnostics("model m {\n  input x: [64, 8, 8]\n  q = x -> conv2d(8, 1)\n  k = x -> conv2d(8, 1)\n  output matmul(q, k)\n}\n");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([["CS2001", "unknown layer or block \"matmul\"", "a chain starts from a tensor or a merge, and ConvSpec's merges are concat, add, mul"]]);
  });
});

describe("pad's value with a mode that does not use it", () => {
  test("pad(1, value=0.5): CS3019, value ignored with mode=zeros, hint mode=constant; with mode=constant nothing", () => {
    const d = diagnostics("model m {\n  input x: [3, 8, 8]\n  output x -> pad(1, value=0.5) -> pad(1, mode=constant, value=0.5)\n}\n");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([["CS3019", "pad_1: value=0.5 is ignored with mode=zeros, which pads with zeros", "write mode=constant to pad with 0.5"]]);
  });
});

describe("PyTorch argument names", () => {
  test("in_channels: delete it (not 'did you mean out_channels'); kernel_size, ceil_mode, negative_slope: the ConvSpec name", () => {
    const c = compile({ file: "t.cnn", text: "model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(in_channels=3, out_channels=8, kernel=3) -> conv2d(8, kernel_size=3) -> maxpool(2, ceil_mode=true) -> leaky_relu(negative_slope=0.2)\n}\n" });
    expect(c.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["CS2002", "delete it: input channels are inferred from the tensor piped in"],
      ["CS2002", "PyTorch's kernel_size is kernel in ConvSpec: write kernel=..."],
      ["CS2002", "PyTorch's ceil_mode is ceil in ConvSpec: write ceil=..."],
      ["CS2002", "PyTorch's negative_slope is slope in ConvSpec: write slope=..."],
    ]);
  });
});
