/**
 * resize and fractional upsample: PyTorch's F.interpolate (align_corners=false) computed by
 * hand from its formulas (aten/src/ATen/native/UpSample.h), on inputs 0, 1, 2, ...
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { analyzed, iota, output, problems, verified } from "./fixtures.js";

describe("resize(size= | scale=, mode=)", () => {
  it("nearest 4 → 6: source ⌊o · 4/6⌋ = 0, 0, 1, 2, 2, 3", () => {
    expect(output(`model m {
      input x: [1, 4]
      output x -> resize(size=[6])
    }`, iota(4))).toEqual([0, 0, 1, 2, 2, 3]);
  });

  it("linear by 2.5 on 3: ⌊7.5⌋ = 7 outputs at x = (o + ½)/2.5 − ½ = 0.4·o − 0.3, clamped to [0, 2]", () => {
    expect(output(`model m {
      input x: [1, 3]
      output x -> resize(scale=2.5, mode=linear)
    }`, iota(3))).toEqual([0, 0.1, 0.5, 0.9, 1.3, 1.7, 2]);
  });

  it("bicubic 4 → 2 along W (A = −0.75): x = 0.5 and 2.5, weights −3/32, 19/32, 19/32, −3/32, indices clamped", () => {
    // o = 0 reads [0 (clamped −1), 0, 1, 2]: 19/32 − 6/32 = 13/32; o = 1 reads [1, 2, 3, 3]:
    // −3/32 + 38/32 + 57/32 − 9/32 = 83/32.
    expect(output(`model m {
      input x: [1, 1, 4]
      output x -> resize(size=[1, 2], mode=bicubic)
    }`, iota(4))).toEqual([13 / 32, 83 / 32]);
  });

  it("upsample(2, mode=bicubic) is nn.Upsample(scale_factor=2, mode='bicubic'): values printed by torch 1.13 on 0..3", () => {
    // torch.nn.Upsample(scale_factor=(1, 2), mode="bicubic")(torch.arange(4.).view(1, 1, 1, 4))
    const y = output(`model m {
      input x: [1, 1, 4]
      output x -> upsample([1, 2], mode=bicubic)
    }`, iota(4));
    const torch = [-0.10546875, 0.19140625, 0.66796875, 1.296875, 1.703125, 2.33203125, 2.80859375, 3.10546875];
    expect(y.length).toBe(torch.length);
    y.forEach((v, i) => expect(v).toBeCloseTo(torch[i]!, 6));
  });

  it("shapes ⌊N · scale⌋ per axis or the given size; FLOPs per output 0 / 2^(d+1) − 1 / 2·4^d − 1; no params or MACs", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [2, 5, 7]
      a = x -> resize(scale=[0.5, 1.5])
      b = x -> resize(size=[4, 6], mode=bilinear)
      c = x -> resize(size=[4, 6], mode=bicubic)
      a1 = a -> flatten
      b1 = b -> flatten
      c1 = c -> flatten
      output concat(a1, b1, c1)
    }`);
    // Flattened paths on different grids: only the misalignment warning (CS3012).
    expect(diagnostics.map((d) => d.code)).toEqual(["CS3012"]);
    expect(layers.slice(0, 3).map((l) => l.outputShape)).toEqual([[2, 2, 10], [2, 4, 6], [2, 4, 6]]);
    // 48 outputs: bilinear 4 multiplies + 3 adds, bicubic 16 multiplies + 15 adds each.
    expect(layers.slice(0, 3).map((l) => l.flops)).toEqual([0n, 48n * 7n, 48n * 31n]);
    expect(layers.slice(0, 3).flatMap((l) => [l.params, l.macs])).toEqual(Array(6).fill(0n));
  });

  it("fields: a fractional linear scale blends two neighbours (3 → 4 wide, jump 1/2.5); nearest keeps the size", () => {
    const { layers } = analyzed(`model m {
      input x: [2, 20, 20]
      a = x -> conv2d(2, 3) -> resize(scale=2.5, mode=bilinear)
      b = x -> conv2d(2, 3) -> resize(scale=0.6)
      output oa = a
      output ob = b
    }`);
    expect(layers[1]!.rf).toMatchObject({ size: [4, 4], jump: [0.4, 0.4] });
    expect(layers[3]!.rf.size).toEqual([3, 3]);
    expect(layers[3]!.rf.jump.map((j) => Math.round(j * 1e9) / 1e9)).toEqual([5 / 3, 5 / 3].map((j) => Math.round(j * 1e9) / 1e9));
  });

  it("both or neither of size and scale, and a scale that leaves no position, are coded errors", () => {
    const bad = (call: string) => problems(`model m {
      input x: [2, 4, 4]
      output x -> ${call}
    }`);
    expect(bad("resize(size=[2, 2], scale=2)")).toEqual([["CS3015", "resize_1: resize takes one of size, scale and like=, not size and scale", "resize(size=[h, w]), resize(scale=2) or resize(like=t)"]]);
    expect(bad("resize(mode=bilinear)")[0]!.slice(0, 2)).toEqual(["CS3015", "resize_1: resize needs a size, a scale or like="]);
    expect(bad("resize(scale=0.2)")).toEqual([["CS3015", "resize_1: scale 0.2 gives ⌊4 · 0.2⌋ = 0 along spatial axis 1 of [2, 4, 4]", "a scale of at least 0.25 keeps one position"]]);
  });
});

describe("upsample(scale) with a fractional scale", () => {
  it("nearest by 1.5 on 4: ⌊6⌋ outputs at ⌊o / 1.5⌋ = 0, 0, 1, 2, 2, 3; shape ⌊N · 1.5⌋", () => {
    expect(output(`model m {
      input x: [1, 4]
      output x -> upsample(1.5)
    }`, iota(4))).toEqual([0, 0, 1, 2, 2, 3]);
    expect(analyzed(`model m {
      input x: [3, 5, 7]
      output x -> upsample(1.5, mode=bilinear)
    }`).layers[0]!.outputShape).toEqual([3, 7, 10]);
  });
});

it("verify: every cell ✓ through fractional resampling, fields measured exactly per position", () => {
  const v = verified(`model m {
    input x: [2, 12, 12]
    a = x -> conv2d(4, 3) -> resize(scale=2.5, mode=bilinear) -> conv2d(2, 3)
    b = x -> conv2d(4, 3) -> upsample(1.5) -> conv2d(2, 3) -> resize(scale=[1.5, 2], mode=bicubic)
    output oa = a
    output ob = b
  }`);
  expect(v.failed).toEqual([]);
  expect(["resize_1", "conv2d_2", "upsample_1", "conv2d_4"].map((n) => v.rf[n]!.measured)).toEqual([[4, 4], [5, 5], [3, 3], [5, 5]]);
});

describe("resize(like=t)", () => {
  const deeplab = `model m {
    input image: [3, 32, 32]
    f = image -> conv2d(8, 3, stride=2, padding=1) -> conv2d(8, 3, stride=2, padding=1)
    p = f -> global_avgpool -> conv2d(8, 1) -> resize(like=f, mode=bilinear)
    output concat(f, p) -> conv2d(4, 1)
  }`;

  it("an image-pooling branch follows the feature map at every input size (32 → 8, 52 → 13)", () => {
    for (const [n, m] of [[32, 8], [52, 13]] as const) {
      const a = analyze(compile({ file: "t.cnn", text: deeplab }, { inputShapes: { image: [3, n, n] } }).graph);
      expect(a.diagnostics).toEqual([]);
      expect(a.models[0]!.layers.find((f) => f.name === "resize_1")!.outputShape).toEqual([8, m, m]);
    }
  });

  it("copies the one pooled value to every position: bilinear from a 1×1 map", () => {
    // A 1×1 map resized: every output reads source index 0 with weight 1.
    expect(output(`model m {
      input x: [1, 2, 3]
      p = x -> global_avgpool
      output p -> resize(like=x, mode=bilinear)
    }`, iota(6))).toEqual(Array(6).fill(2.5));
  });

  it("like= with a scale is a coded error naming both", () => {
    expect(problems(`model m {
      input x: [2, 4, 4]
      output x -> resize(scale=2, like=x)
    }`)[0]!.slice(0, 2)).toEqual(["CS3015", "resize_1: resize takes one of size, scale and like=, not scale and like"]);
  });

  it("verify: every cell ✓", () => {
    expect(verified(deeplab).failed).toEqual([]);
  });
});
