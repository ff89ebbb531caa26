/** a, b = x -> split(...): one tensor per part, equal parts or given sizes, by hand. */
import { describe, expect, it } from "vitest";
import { analyzed, iota, output, problems, verified } from "./fixtures.js";

describe("a, b = x -> split(sections, axis=0)", () => {
  it("ShuffleNetV2's channel split: [116, 28, 28] → two [58, 28, 28]; given sizes [24, 40]; no counts", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [116, 28, 28]
      a, b = x -> split(2)
      y = b -> conv2d(58, 1)
      c, d = y -> split([24, 34])
      output concat(a, c, d)
    }`);
    expect(diagnostics).toEqual([]);
    expect(layers.map((l) => [l.name, l.outputShape])).toEqual([
      ["split_1", [58, 28, 28]], ["split_2", [58, 28, 28]], ["conv2d_1", [58, 28, 28]],
      ["split_3", [24, 28, 28]], ["split_4", [34, 28, 28]], ["concat_1", [116, 28, 28]],
    ]);
    expect([0, 1, 3, 4].flatMap((i) => [layers[i]!.params, layers[i]!.macs, layers[i]!.flops])).toEqual(Array(12).fill(0n));
  });

  it("each name gets its part: channels 0..1 and 2..3; along W, columns 0 and 1..2", () => {
    // x[c, 0, w] = 3·c + w on [4, 1, 3].
    const spec = (split: string, pick: string) => `model m {
      input x: [4, 1, 3]
      ${split}
      output ${pick} -> identity
    }`;
    expect(output(spec("a, b = x -> split(2)", "a"), iota(12))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(output(spec("a, b = x -> split(2)", "b"), iota(12))).toEqual([6, 7, 8, 9, 10, 11]);
    expect(output(spec("a, b = x -> split([1, 2], axis=-1)", "b"), iota(12))).toEqual([1, 2, 4, 5, 7, 8, 10, 11]);
  });

  it("a split that does not divide, sizes that do not add up, and a name count that differs are coded errors", () => {
    expect(problems(`model m {
      input x: [30, 8, 8]
      a, b, c, d = x -> split(4)
      output concat(a, b, c, d)
    }`)).toContainEqual(["CS3015", "split_1: the 30 channels of [30, 8, 8] do not split into 4 equal parts", "4 must divide 30, or give the sizes: split([8, 8, 7, 7])"]);
    expect(problems(`model m {
      input x: [60, 8, 8]
      a, b = x -> split([24, 40])
      output concat(a, b)
    }`)).toContainEqual(["CS3015", "split_1: sizes [24, 40] add up to 64, not to the 60 channels of [60, 8, 8]", "give sizes that add up to 60"]);
    expect(problems(`model m {
      input x: [60, 8, 8]
      a, b, c = x -> split(2)
      output concat(a, b, c)
    }`).map((p) => [p[0], p[1]])).toContainEqual(["CS2080", "a, b, c name 3 tensors, but split(2) gives 2 parts"]);
    expect(problems(`model m {
      input x: [60, 8, 8]
      output x -> split(2)
    }`).map((p) => [p[0], p[1], p[2]])).toEqual([["CS2080", "split gives several tensors, one per part", "name them on the left: a, b = x -> split(...)"]]);
    expect(problems(`model m {
      input x: [60, 8, 8]
      a, b = x -> conv2d(4, 1)
      output concat(a, b)
    }`).map((p) => p[0])).toContain("CS2080");
  });

  it("verify: every cell ✓ (the probe keeps every channel for a channel split)", () => {
    const v = verified(`model m {
      input x: [4, 12, 12]
      y = x -> conv2d(8, 3)
      a, b = y -> split(2)
      c = b -> conv2d(4, 3)
      l, r = c -> split([3, 5], axis=2)
      d = concat(r, l, axis=2)
      e = a -> conv2d(4, 3)
      output concat(d, e)
    }`);
    expect(v.failed).toEqual([]);
    expect(["split_1", "conv2d_2", "split_3", "split_4"].map((n) => v.rf[n]!.measured)).toEqual([[3, 3], [5, 5], [5, 5], [5, 5]]);
  });
});
