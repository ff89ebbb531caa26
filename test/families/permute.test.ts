/** permute: axes reordered as PyTorch's x.permute(0, *[a + 1 for a in order]), by hand. */
import { describe, expect, it } from "vitest";
import { field } from "../../src/report/units.js";
import { analyzed, iota, output, problems, verified } from "./fixtures.js";

describe("permute([order])", () => {
  it("[2, 0, 1] on [2, 1, 3]: y[w, c, 0] = x[c, 0, w]", () => {
    // x[c, 0, w] = 3·c + w; y is [3, 2, 1]: for each w, the two channels.
    expect(output(`model m {
      input x: [2, 1, 3]
      output x -> permute([2, 0, 1])
    }`, iota(6))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("shapes reorder, no params, MACs or FLOPs; the identity keeps the field, any other order leaves none (—)", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [4, 10, 12]
      a = x -> conv2d(4, 3) -> permute([0, 1, 2])
      b = a -> permute([0, 2, 1])
      output b -> permute([1, 0, 2])
    }`);
    expect(diagnostics).toEqual([]);
    expect(layers.map((l) => l.outputShape)).toEqual([[4, 8, 10], [4, 8, 10], [4, 10, 8], [10, 4, 8]]);
    expect(layers.slice(1).flatMap((l) => [l.params, l.macs, l.flops])).toEqual(Array(9).fill(0n));
    expect(layers.map((l) => field(l.rf))).toEqual(["3/1", "3/1", "not spatial", "not spatial"]);
  });

  it("an order that is not a reordering of every axis is a coded error", () => {
    expect(problems(`model m {
      input x: [4, 5, 5]
      output x -> permute([0, 2])
    }`)).toEqual([["CS3015", "permute_1: order [0, 2] is not a reordering of the 3 axes of [4, 5, 5]", "list each of 0 to 2 once (0 = channels), e.g. [2, 1, 0]"]]);
  });

  it("verify: every cell ✓ (the probe keeps every channel when channels move); fields after a permute are not measured", () => {
    const v = verified(`model m {
      input x: [3, 8, 8]
      output x -> conv2d(4, 3) -> permute([1, 0, 2]) -> conv2d(2, 3) -> global_avgpool
    }`);
    expect(v.failed).toEqual([]);
    expect(v.rf["conv2d_1"]!.measured).toEqual([3, 3]);
    expect(v.rf["permute_1"]).toMatchObject({ predicted: "not spatial", measured: null });
  });
});
