/** crop (the inverse of pad) and center_crop (torchvision's centring, round half to even), by hand. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { analyzed, iota, output, problems, verified } from "./fixtures.js";

describe("crop(amount)", () => {
  it("[[1, 2], 1] on [1, 4, 5] keeps row 1 and columns 1..3", () => {
    // x[0, h, w] = 5·h + w.
    expect(output(`model m {
      input x: [1, 4, 5]
      output x -> crop([[1, 2], 1])
    }`, iota(20))).toEqual([6, 7, 8]);
  });

  it("undoes pad: pad(2) -> crop(2) is the identity; shapes N − before − after; no counts", () => {
    const spec = `model m {
      input x: [1, 3, 2]
      output x -> pad(2, mode=reflect) -> crop(2)
    }`;
    expect(output(spec, iota(6))).toEqual(iota(6));
    const { layers } = analyzed(`model m {
      input x: [3, 10, 12]
      output x -> crop([[1, 2], [0, 5]]) -> crop(1)
    }`);
    expect(layers.map((l) => l.outputShape)).toEqual([[3, 7, 7], [3, 5, 5]]);
    expect(layers.flatMap((l) => [l.params, l.macs, l.flops])).toEqual(Array(6).fill(0n));
  });

  it("moves the field's start by the units cropped before (conv 3: start 1 → 1 + 2, 1 + 1)", () => {
    const { layers } = analyzed(`model m {
      input x: [2, 10, 10]
      output x -> conv2d(2, 3) -> crop([[2, 0], [1, 1]])
    }`);
    expect(layers[1]!.rf).toMatchObject({ size: [3, 3], jump: [1, 1], start: [3, 2] });
  });

  it("a crop larger than the input is a coded error with the numbers", () => {
    expect(problems(`model m {
      input x: [2, 5, 5]
      output x -> crop([[3, 3], 0])
    }`)).toEqual([["CS3015", "crop_1: cropping 3 + 3 from 5 leaves -1 along H of the input [2, 5, 5]", "remove at most 4 in all along that axis"]]);
  });
});

describe("center_crop(size)", () => {
  it("offsets round((N − size)/2), halves to even as torchvision: 1.5 → 2, 1 → 1; 2.5 → 2, 3.5 → 4", () => {
    // x[0, h, w] = 4·h + w on [1, 5, 4]: rows 2..3, columns 1..2.
    expect(output(`model m {
      input x: [1, 5, 4]
      output x -> center_crop([2, 2])
    }`, iota(20))).toEqual([9, 10, 13, 14]);
    // x[0, h, w] = 8·h + w on [1, 6, 8]: row 2, column 4.
    expect(output(`model m {
      input x: [1, 6, 8]
      output x -> center_crop(1)
    }`, iota(48))).toEqual([20]);
  });

  it("the original U-Net's skip: [64, 568, 568] → [64, 392, 392], its fields starting 88 units in", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [64, 568, 568]
      output x -> center_crop(392)
    }`);
    expect(diagnostics).toEqual([]);
    expect(layers[0]!.outputShape).toEqual([64, 392, 392]);
    expect(layers[0]!.rf).toMatchObject({ size: [1, 1], start: [88, 88] });
  });

  it("a window larger than the input is a coded error", () => {
    expect(problems(`model m {
      input x: [2, 5, 5]
      output x -> center_crop([6, 2])
    }`)).toEqual([["CS3015", "center_crop_1: a window of 6 does not fit in 5 along H of the input [2, 5, 5]", "center_crop takes sizes up to the input's [5, 5]; pad first to grow a tensor"]]);
  });
});

it("verify: every cell ✓; a global pooling after crops sees only the region they kept", () => {
  const v = verified(`model m {
    input x: [2, 12, 12]
    output x -> conv2d(4, 3) -> crop([[1, 0], 2]) -> center_crop([3, 2]) -> global_avgpool
  }`);
  expect(v.failed).toEqual([]);
  // conv rows 1..9 → crop 1 before: rows 1..9 of conv (9 rows) → centre 3 of 9 starts at 3: conv
  // rows 4..6 read input rows 4..8 (5); columns: conv cols 2..7 → centre 2 of 6 starts at 2:
  // conv cols 4..5 read input 4..7 (4).
  expect(v.rf["global_avgpool_1"]).toMatchObject({ predicted: [5, 4], measured: [5, 4], ok: true });
});

describe("center_crop(like=t)", () => {
  const unet = `model m {
    input x: [1, 20, 20]
    s = x -> conv2d(4, 3) -> conv2d(4, 3)
    d = s -> maxpool(2) -> conv2d(8, 3) -> conv2d(8, 3) -> deconv2d(4, 2, stride=2)
    c = s -> center_crop(like=d)
    output concat(c, d) -> conv2d(2, 3)
  }`;

  it("crops a U-Net skip to the upsampled map at every input size (20 → 16 vs 8; 28 → 24 vs 16)", () => {
    // 20: s 16, d: 8 → 6 → 4 → 8; 28: s 24, d: 12 → 10 → 8 → 16.
    for (const [n, skip, up] of [[20, 16, 8], [28, 24, 16]] as const) {
      const a = analyze(compile({ file: "t.cnn", text: unet }, { inputShapes: { x: [1, n, n] } }).graph);
      expect(a.diagnostics).toEqual([]);
      const l = a.models[0]!.layers;
      expect(l.find((f) => f.name === "conv2d_2")!.outputShape).toEqual([4, skip, skip]);
      expect(l.find((f) => f.name === "center_crop_1")!.outputShape).toEqual([4, up, up]);
    }
  });

  it("like= a tensor of another rank, like= with a size, and like= an unknown name are coded errors", () => {
    const spec = (call: string) => `model m {
      input x: [2, 8, 8]
      f = x -> flatten
      output x -> ${call}
    }`;
    expect(problems(spec("center_crop(like=f)")).filter((p) => p[0] !== "CS2023")).toEqual([[
      "CS3001", "center_crop_1: center_crop expects like= a tensor of the input's rank 3 ([2, 8, 8]), got [128] from flatten_1",
      "like= takes the spatial size of a tensor with as many axes as the input",
    ]]);
    expect(problems(spec("center_crop(4, like=x)")).map((p) => p[1])).toContain("center_crop_1: center_crop takes a size or like=, not both");
    expect(problems(spec("center_crop(like=g)")).map((p) => [p[0], p[1]])).toContainEqual(["CS2009", 'unknown tensor "g"']);
  });

  it("verify: every cell ✓ with the skip cropped like the upsampled map", () => {
    expect(verified(unet).failed).toEqual([]);
  });
});
