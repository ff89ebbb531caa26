/**
 * Padding that copies the input has PyTorch's size limits (blind tester's B2). F.pad with
 * mode="reflect" raises "Padding size should be less than the corresponding input dimension"
 * unless pad < N on each side (the mirror skips the edge element, so it has N − 1 elements to
 * copy); mode="circular" raises "Padding value causes wrapping around more than once" unless
 * pad ≤ N; replicate and zeros take any size. nn.Conv2d(padding_mode=...) pads with F.pad first.
 */
import { describe, expect, test } from "vitest";
import { codes, run } from "../analysis/helpers.js";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verifyAllCells } from "./helpers.js";

/** The analyzer's diagnostics of one model (compile errors are not expected). */
function diagnostics(body: string) {
  const c = compile({ file: "t.cnn", text: `model m {\n${body}\n}\n` });
  return [...c.diagnostics, ...analyze(c.graph).diagnostics].filter((d) => d.severity === "error");
}

describe("reflect and circular padding no larger than PyTorch allows (CS3020)", () => {
  test("conv2d(padding=5, padding_mode=reflect) on 4×4: 5 ≥ 4 along H, the first axis over", () => {
    const d = diagnostics("  input x: [4, 4, 4]\n  output x -> conv2d(4, 3, padding=5, padding_mode=reflect)");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([[
      "CS3020",
      "conv2d_1: padding_mode=reflect pads 5 along H, but the input has 4 there; PyTorch's reflect needs padding < input size (it mirrors without repeating the edge)",
      "pad at most 3 along H, or padding_mode=replicate, which takes any size",
    ]]);
    // The span is the layer call (line 3, column 15 in the rendered form).
    const text = "model m {\n  input x: [4, 4, 4]\n  output x -> conv2d(4, 3, padding=5, padding_mode=reflect)\n}\n";
    expect(d[0]!.span!.start).toBe(text.indexOf("conv2d("));
  });

  test("pad(4, mode=reflect) on 4: 4 is not < 4; pad(3) passes (reflect copies x[3..1] before, x[2..0] after)", () => {
    const d = diagnostics("  input x: [1, 4]\n  output x -> pad(4, mode=reflect)");
    expect(d.map((x) => [x.code, x.message])).toEqual([["CS3020", "pad_1: mode=reflect pads 4 along L, but the input has 4 there; PyTorch's reflect needs padding < input size (it mirrors without repeating the edge)"]]);
    expect(codes(run("model m {\n  input x: [1, 4]\n  output x -> pad(3, mode=reflect) as p\n}\n"))).toEqual([]);
    expect(run("model m {\n  input x: [1, 4]\n  output x -> pad(3, mode=reflect) as p\n}\n").layer("p").outputShape).toEqual([1, 10]);
  });

  test("circular: 5 on 4 wraps twice (CS3020, naming the after side of [1, 5]); 4 on 4 wraps once and passes", () => {
    const d = diagnostics("  input x: [1, 4, 6]\n  output x -> conv2d(1, 3, padding=[[1, 5], [0, 0]], padding_mode=circular)");
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([[
      "CS3020",
      "conv2d_1: padding_mode=circular pads 5 after along H, but the input has 4 there; PyTorch's circular needs padding ≤ input size (it wraps around once at most)",
      "pad at most 4 along H, or padding_mode=replicate, which takes any size",
    ]]);
    expect(diagnostics("  input x: [1, 4]\n  output x -> pad(5, mode=circular)").map((x) => x.code)).toEqual(["CS3020"]);
    // pad: 4 + 4 + 4 = 12 along each axis; the conv pads 4 more per side (circular, 4 ≤ 12): (12 + 8 − 3)/1 + 1 = 18.
    expect(run("model m {\n  input x: [1, 4, 4]\n  output x -> pad(4, mode=circular) -> conv2d(1, 3, padding=4, padding_mode=circular) as c\n}\n").layer("c").outputShape).toEqual([1, 18, 18]);
  });

  test("padding=same resolves first: reflect with k=9 on 4 pads 4 per side (4 ≥ 4), on 5 passes", () => {
    expect(diagnostics("  input x: [1, 4]\n  output x -> conv1d(1, 9, padding=same, padding_mode=reflect)").map((x) => x.code)).toEqual(["CS3020"]);
    expect(diagnostics("  input x: [1, 5]\n  output x -> conv1d(1, 9, padding=same, padding_mode=reflect)")).toEqual([]);
  });

  test("replicate and zeros take any size: pad 9 on 4 → 22", () => {
    expect(run("model m {\n  input x: [1, 4]\n  output x -> pad(9, mode=replicate) -> conv1d(1, 3, padding=9) as c\n}\n").layer("c").outputShape).toEqual([1, 38]);
  });

  test("at the limits the runtime agrees with the analyzer: verify passes", () => {
    verifyAllCells("model m {\n  input x: [1, 4, 4]\n  output x -> pad(3, mode=reflect) -> conv2d(1, 3, padding=4, padding_mode=circular)\n}\n");
  });
});
