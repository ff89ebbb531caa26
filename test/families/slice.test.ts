/** slice and select: Python's indexing, by hand on inputs whose values name their positions. */
import { describe, expect, it } from "vitest";
import { field } from "../../src/report/units.js";
import { analyzed, iota, output, problems, verified } from "./fixtures.js";

describe("slice(start, end, step=1, axis=0)", () => {
  it("keeps channels 1..2 of 4 (end -1), then W indices 1, 3, 5 of 6 (start -5, end 10 clamped, step 2)", () => {
    // x[c, 0, w] = 6·c + w; channels 1 and 2, columns 1, 3, 5.
    const y = output(`model m {
      input x: [4, 1, 6]
      output x -> slice(1, -1) -> slice(-5, 10, step=2, axis=2)
    }`, iota(24));
    expect(y).toEqual([7, 9, 11, 13, 15, 17]);
  });

  it("shapes follow Python: [-3:100] keeps 3 of 10, [0:8:3] keeps 0, 3, 6, [-100:2] keeps 2; no params, MACs or FLOPs", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [10, 8, 8]
      a = x -> slice(-3, 100)
      b = a -> slice(0, 8, step=3, axis=-1)
      output b -> slice(-100, 2, axis=1)
    }`);
    expect(diagnostics).toEqual([]);
    expect(layers.map((l) => l.outputShape)).toEqual([[3, 8, 8], [3, 8, 3], [3, 2, 3]]);
    expect(layers.flatMap((l) => [l.params, l.macs, l.flops])).toEqual(Array(9).fill(0n));
    // Memory sees the copy: batch 1 · 3·8·3 floats · 4 bytes.
    expect(layers[1]!.activationBytes).toBe(3n * 8n * 3n * 4n);
  });

  it("a spatial slice moves the field's start to the first kept unit and multiplies the jump by the step", () => {
    // conv 3×3: size 3, jump 1, start 1 (centre of unit 0). Keeping H units 1, 3, 5, 7:
    // unit 0 is old unit 1 (centre 2), neighbours 2 apart; W is untouched.
    const { layers } = analyzed(`model m {
      input x: [2, 12, 12]
      output x -> conv2d(4, 3) -> slice(1, 9, step=2, axis=1)
    }`);
    expect(layers[1]!.rf).toMatchObject({ size: [3, 3], jump: [2, 1], start: [2, 1], global: false });
  });

  it("a global pooling after a slice sees only the rows the slice kept", () => {
    // Rows 2..5 of 8 after a 1×1 conv: the pooled unit depends on input rows 2..5 (4 rows), all 8 columns.
    const { layers } = analyzed(`model m {
      input x: [2, 8, 8]
      output x -> conv2d(2, 1) -> slice(2, 6, axis=1) -> global_avgpool
    }`);
    expect(layers[2]!.rf).toMatchObject({ size: [4, 8], global: true });
  });

  it("an empty slice and an axis outside the tensor are coded errors with the numbers", () => {
    expect(problems(`model m {
      input x: [4, 5, 5]
      output x -> slice(3, 1)
    }`)).toEqual([["CS3015", "slice_1: [3:1] of the 4 channels of [4, 5, 5] is empty", "indices run from 0 to 3 (or -4 to -1 from the end), and end is exclusive"]]);
    expect(problems(`model m {
      input x: [4, 5, 5]
      output x -> slice(0, 2, axis=3)
    }`).map((p) => [p[0], p[1]])).toEqual([["CS3011", "slice_1: axis 3 is outside the 3 axes of [4, 5, 5]"]]);
  });

  it("verify: every cell ✓, spatial slices measured", () => {
    const v = verified(`model m {
      input x: [4, 12, 12]
      output x -> conv2d(8, 3) -> slice(2, -1) -> slice(1, 9, step=2, axis=1) -> conv2d(4, 3)
    }`);
    expect(v.failed).toEqual([]);
    expect(["conv2d_1", "slice_1", "slice_2", "conv2d_2"].map((n) => v.rf[n]!.measured)).toEqual([[3, 3], [3, 3], [3, 3], [7, 5]]);
  });
});

describe("select(index, axis=0)", () => {
  it("keeps one position and removes the axis: row -1 of [3, 2, 4], then channel 2", () => {
    // x[c, h, w] = 8·c + 4·h + w; row 1 of each channel: 8·c + 4 + w.
    const row = `model m {
      input x: [3, 2, 4]
      output x -> select(-1, axis=1)
    }`;
    expect(output(row, iota(24))).toEqual([4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23]);
    expect(output(row.replace("select(-1, axis=1)", "select(2)"), iota(24))).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
  });

  it("the axes after the selected one move down, so the field is no longer spatial (—); a TCN's last step is [C]", () => {
    const { layers, diagnostics } = analyzed(`model m {
      input x: [4, 10, 10]
      a = x -> conv2d(4, 3) -> select(0)
      output a -> select(-1, axis=-1)
    }`);
    expect(diagnostics).toEqual([]);
    expect(layers.map((l) => l.outputShape)).toEqual([[4, 8, 8], [8, 8], [8]]);
    expect(field(layers[1]!.rf)).toBe("not spatial");
    expect(layers[2]!.rf.size).toEqual([]);
    expect(field(layers[2]!.rf)).toBe("not spatial");
  });

  it("an index outside the axis is a coded error", () => {
    expect(problems(`model m {
      input x: [4, 5, 5]
      output x -> select(5, axis=1)
    }`)).toEqual([["CS3015", "select_1: index 5 is outside axis 1 of [4, 5, 5], which has 5 positions", "use 0 to 4, or -5 to -1 from the end"]]);
  });

  it("verify: every cell ✓; the field after a spatial select is not measured", () => {
    const v = verified(`model m {
      input x: [4, 12, 12]
      output x -> conv2d(8, 3) -> select(3) -> conv1d(4, 3) -> select(2, axis=1) -> dense(2)
    }`);
    expect(v.failed).toEqual([]);
    expect([v.rf["select_1"], v.rf["dense_1"]]).toMatchObject([{ predicted: "not spatial", measured: null }, { predicted: "global", measured: null }]);
  });
});
