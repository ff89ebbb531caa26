/**
 * ConvSpec 1.1 expressions: `//`, `%`, floor ceil round min max make_divisible, in block
 * arguments, layer arguments and asserts. Every expected value is worked out by hand beside it.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { applyFunction, applyOp } from "../../src/graph/arith.js";
import { run } from "../analysis/helpers.js";

/** The out_channels a one-conv model gets when its width is written as `expr`. */
function width(expr: string): number {
  const r = run(`model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(${expr}, 1)\n}\n`);
  return r.model.outputs.output![0]!;
}

function errors(text: string): string[] {
  return compile({ file: "t.cnn", text }).diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
}

describe("floor division and remainder, as Python's", () => {
  test("7 // 2 = 3, 7 % 2 = 1; -7 // 2 = -4 (floor, not truncation), -7 % 2 = 1 (so -4·2 + 1 = -7)", () => {
    expect([applyOp("//", 7n, 2n), applyOp("%", 7n, 2n), applyOp("//", -7n, 2n), applyOp("%", -7n, 2n)]).toEqual([3n, 1n, -4n, 1n]);
    expect(applyOp("%", 7n, -2n)).toBe(-1n); // Python: 7 % -2 = -1, the divisor's sign
  });
  test("reals: 7.5 // 2 = 3 (a whole number), 7.5 % 2 = 1.5", () => {
    expect([applyOp("//", 7.5, 2n), applyOp("%", 7.5, 2n)]).toEqual([3n, 1.5]);
  });
  test("division by zero is an error, for // and % too", () => {
    for (const op of ["/", "//", "%"] as const) expect(applyOp(op, 1n, 0n)).toEqual({ error: "division by zero" });
    expect(errors("model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(8 // 0, 1)\n}\n")[0]).toMatch(/^CS2027 division by zero/);
  });
  test("in layer arguments: conv2d(100 // 3) has 33 channels, conv2d(100 % 7 + 1) has 3", () => {
    expect(width("100 // 3")).toBe(33);
    expect(width("100 % 7 + 1")).toBe(3); // 100 = 14·7 + 2
  });
  test("precedence: 2 + 9 // 2 * 3 = 2 + (4 * 3) = 14 (// binds like * and /, left to right)", () => {
    expect(width("2 + 9 // 2 * 3")).toBe(14);
  });
});

describe("floor, ceil, round, min, max", () => {
  test("floor(2.5) = 2, ceil(2.5) = 3, round(2.5) = 2 and round(3.5) = 4 (halves to even, as Python), round(2.6) = 3", () => {
    expect([applyFunction("floor", [2.5]), applyFunction("ceil", [2.5]), applyFunction("round", [2.5]), applyFunction("round", [3.5]), applyFunction("round", [2.6])])
      .toEqual([2n, 3n, 2n, 4n, 3n]);
    expect([applyFunction("floor", [-2.5]), applyFunction("ceil", [-2.5])]).toEqual([-3n, -2n]);
  });
  test("min(4, 9) = 4, max(4, 9, 6) = 9, on mixed integers and reals", () => {
    expect([applyFunction("min", [4n, 9n]), applyFunction("max", [4n, 9n, 6n]), applyFunction("max", [2.5, 2n])]).toEqual([4n, 9n, 2.5]);
  });
  test("in layer arguments: conv2d(ceil(64 * 0.3)) = ceil(19.2) = 20 channels; max(8, 64 // 16) = 8", () => {
    expect(width("ceil(64 * 0.3)")).toBe(20);
    expect(width("max(8, 64 // 16)")).toBe(8);
    expect(width("round(64 * 0.75)")).toBe(48);
  });
  test("in block arguments and defaults: a bottleneck's mid width min(c, 4 * c // 3)", () => {
    const r = run(`block b(c, mid=min(c, 4 * c // 3)) {\n  input x\n  output x -> conv2d(mid, 1) -> conv2d(c, 1)\n}\nmodel t {\n  input x: [3, 8, 8]\n  output x -> b(30) as blk\n  assert shape(conv2d_1) == [30, 8, 8]\n}\n`);
    // 4 * 30 // 3 = 120 // 3 = 40; min(30, 40) = 30
    expect(r.layer("conv2d_1").outputShape).toEqual([30, 8, 8]);
  });
  test("a count that is not whole is still CS2006: conv2d(64 * 0.3) = 19.2 channels", () => {
    const e = errors("model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(64 * 0.3, 1)\n}\n");
    expect(e.length).toBe(1);
    expect(e[0]).toMatch(/^CS2006 .*19\.2/);
  });
  test("a wrong argument count names the function", () => {
    expect(errors("model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(floor(1, 2), 1)\n}\n")[0]).toMatch(/^CS2027 floor\(\.\.\.\) takes 1 argument, got 2/);
    expect(errors("model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(min(3), 1)\n}\n")[0]).toMatch(/^CS2027 min\(\.\.\.\) takes 2 or more arguments, got 1/);
  });
});

describe("make_divisible, torchvision's _make_divisible(v, divisor)", () => {
  // new_v = max(d, int(v + d / 2) // d * d); if new_v < 0.9 * v: new_v += d
  const md = (v: number | bigint, d = 8n) => applyFunction("make_divisible", [v, d]);
  test("MobileNetV2 ×0.35 (torchvision mobilenet_v2(width_mult=0.35)): every width, by hand", () => {
    // 32·0.35 = 11.2: int(15.2) = 15, 15 // 8 · 8 = 8, max(8, 8) = 8; 8 < 0.9·11.2 = 10.08, so 16
    expect(md(32 * 0.35)).toBe(16n);
    // 16·0.35 = 5.6: int(9.6) = 9 → 8; 8 ≥ 5.04: 8
    expect(md(16 * 0.35)).toBe(8n);
    // 24·0.35 = 8.4: int(12.4) = 12 → 8; 8 ≥ 7.56: 8
    expect(md(24 * 0.35)).toBe(8n);
    // 64·0.35 = 22.4: int(26.4) = 26 → 24; 24 ≥ 20.16: 24
    expect(md(64 * 0.35)).toBe(24n);
    // 96·0.35 = 33.6: int(37.6) = 37 → 32; 32 ≥ 30.24: 32
    expect(md(96 * 0.35)).toBe(32n);
    // 160·0.35 = 56: int(60) = 60 → 56
    expect(md(160 * 0.35)).toBe(56n);
    // 320·0.35 = 112: int(116) = 116 → 112
    expect(md(320 * 0.35)).toBe(112n);
  });
  test("MobileNetV2 ×1.4: 32·1.4 = 44.8 → int(48.8) = 48 → 48; 24·1.4 = 33.6 → 32; last 1280·1.4 = 1792", () => {
    expect([md(32 * 1.4), md(24 * 1.4), md(1280 * 1.4)]).toEqual([48n, 32n, 1792n]);
  });
  test("integers exactly: make_divisible(10, 8): int(14) = 14 → 8; 8 < 9, so 16; make_divisible(3, 8) = max(8, 0) = 8", () => {
    expect([md(10n), md(3n), md(12n), md(20n)]).toEqual([16n, 8n, 16n, 24n]);
    // 12: int(16) = 16 → 16. 20: int(24) = 24 → 24.
  });
  test("in a spec: conv2d(make_divisible(32 * 0.35, 8)) has 16 channels; asserts can use it too", () => {
    expect(width("make_divisible(32 * 0.35, 8)")).toBe(16);
    const r = run(`model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(make_divisible(96 * 0.35, 8), 1) as c\n  assert shape(c) == [make_divisible(96 * 0.35, 8), 8, 8]\n  assert params == 3 * 32 + 32\n  assert params // 8 == 16\n  assert params % 100 == 28\n  assert max(params, 1) == 128\n}\n`);
    expect(r.model.asserts.map((a) => [a.pass, a.actual, a.expected])).toEqual([
      [true, "[32, 8, 8]", "[32, 8, 8]"], [true, "128", "128"], [true, "16", "16"], [true, "28", "28"], [true, "128", "128"],
    ]);
  });
  test("a divisor that is not a whole number ≥ 1 is an error", () => {
    expect(errors("model t {\n  input x: [3, 8, 8]\n  output x -> conv2d(make_divisible(20, 0.5), 1)\n}\n")[0]).toMatch(/^CS2027 make_divisible needs a divisor/);
  });
});

describe("the fuzz corpus's 1.1 spec (bench/fuzz-cases.ts) is itself clean", () => {
  test("lang11: no diagnostics, every assert holds", async () => {
    const { LANG_1_1_SPEC } = await import("../../bench/fuzz-cases.js");
    const r = run(LANG_1_1_SPEC);
    expect(r.diagnostics).toEqual([]);
    // scale(32): w = make_divisible(32 · 0.75 = 24, 8) = 24 channels; gamma 24 params, shift 24 buffers.
    expect(r.layer("conv2d_2").outputShape).toEqual([24, 16, 16]);
    expect(r.model.totals.nonTrainableParams).toBe(24n);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true, true, true]);
  });
});
