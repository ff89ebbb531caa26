/** pixel_shuffle and pixel_unshuffle in PyTorch's channel order, by hand; YOLOv2's reorg. */
import { describe, expect, it } from "vitest";
import { analyzed, iota, output, problems, verified } from "./fixtures.js";

describe("pixel_shuffle(r) and pixel_unshuffle(r)", () => {
  it("2-D: out[0, 2h + i, 2w + j] = x[2i + j, h, w] (PyTorch's order); unshuffle undoes it", () => {
    // x[c, 0, w] = 2·c + w on [4, 1, 2]. Row i = 0 reads channels 0 and 1, row 1 channels 2 and 3.
    const spec = `model m {
      input x: [4, 1, 2]
      output x -> pixel_shuffle(2)
    }`;
    expect(output(spec, iota(8))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect(output(spec.replace("pixel_shuffle(2)", "pixel_shuffle(2) -> pixel_unshuffle(2)"), iota(8))).toEqual(iota(8));
  });

  it("1-D: out[c, 3l + i] = x[3c + i, l]", () => {
    // x[c, l] = 2·c + l on [6, 2].
    expect(output(`model m {
      input x: [6, 2]
      output x -> pixel_shuffle(3)
    }`, iota(12))).toEqual([0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11]);
  });

  it("shapes: [C·r^d, S] ↔ [C, S·r] in 1-, 2- and 3-D; YOLOv2's reorg [64, 26, 26] → [256, 13, 13]; no counts", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [64, 26, 26]
      a = x -> pixel_unshuffle(2)
      b = a -> pixel_shuffle(4) -> reshape([64, 4, 13, 13])
      output b -> pixel_shuffle(2)
    }`);
    expect(diagnostics).toEqual([]);
    expect(layers.map((l) => l.outputShape)).toEqual([[256, 13, 13], [16, 52, 52], [64, 4, 13, 13], [8, 8, 26, 26]]);
    expect([layers[0]!, layers[1]!].flatMap((l) => [l.params, l.macs, l.flops])).toEqual(Array(6).fill(0n));
  });

  it("fields: shuffle is a nearest upsample by r (jump j/r); unshuffle a window K = S = r", () => {
    const { layers } = analyzed(`model m {
      input x: [2, 12, 12]
      a = x -> conv2d(8, 3) -> pixel_shuffle(2)
      output a -> conv2d(8, 3) -> pixel_unshuffle(2)
    }`);
    // 3/1 → shuffle: each output reads one unit (size 3, jump ½); a 3-wide conv there reads
    // output units 2u..2u+2, i.e. input units u and u + 1 (size 4); unshuffle groups outputs
    // 2v and 2v + 1, whose fields are the same units v..v + 1 (size 4, jump 1).
    expect(layers.map((l) => [l.rf.size[0], l.rf.jump[0]])).toEqual([[3, 1], [3, 0.5], [4, 0.5], [4, 1]]);
  });

  it("channels that are not a multiple of r^d, and sizes that do not divide by r, are coded errors", () => {
    expect(problems(`model m {
      input x: [6, 4, 4]
      output x -> pixel_shuffle(2)
    }`)).toEqual([["CS3015", "pixel_shuffle_1: 6 channels (input [6, 4, 4]) are not a multiple of r^2 = 4", "give the layer before it a multiple of 4 channels"]]);
    expect(problems(`model m {
      input x: [6, 5, 4]
      output x -> pixel_unshuffle(2)
    }`)).toEqual([["CS3015", "pixel_unshuffle_1: spatial sizes [5, 4] (input [6, 5, 4]) do not divide by r = 2", "crop or pad the input to multiples of 2"]]);
  });

  it("verify: every cell ✓, fields measured", () => {
    const v = verified(`model m {
      input x: [2, 12, 12]
      output x -> conv2d(8, 3) -> pixel_shuffle(2) -> conv2d(4, 3) -> pixel_unshuffle(2) -> conv2d(2, 3)
    }`);
    expect(v.failed).toEqual([]);
    expect(["pixel_shuffle_1", "conv2d_2", "pixel_unshuffle_1", "conv2d_3"].map((n) => v.rf[n]!.measured)).toEqual([[3, 3], [4, 4], [4, 4], [6, 6]]);
  });
});
