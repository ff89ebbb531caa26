/**
 * Border units after an interpolating resample: PyTorch (align_corners=false) clamps the source
 * coordinate (bilinear: x = max(0, (o + ½)/s − ½), upper neighbour min(i + 1, n − 1); bicubic:
 * each tap index clamped to [0, n − 1]), so a unit whose taps fall off an end of its input reads
 * only the real units among them. The analyzer's per-phase fields extrapolate past the ends
 * (docs/verify.md, "Border units after a resample"), so there a probed unit may measure less
 * than its phase predicts: compared ≤, while the widest is compared exactly.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";
import { probeFields } from "../../src/verify/probe.js";

const text = `
model border {
  input x: [1, 24, 24]
  output x -> crop(4) -> upsample(1.5, mode=bilinear) as r -> conv2d(2, 3) as c -> resize(size=[17, 17], mode=bicubic) as r2
}`;

describe("a bicubic resize reading a bilinear upsample of a crop", () => {
  const c = compile({ file: "b.cnn", text });
  const m = c.graph.models[0]!;
  const a = analyze(c.graph).models[0]!;
  const id = m.nodes.find((n) => n.label === "r2")!.id;

  // Unit 1 of r2 along either axis, by hand (input rows; the crop keeps rows 4..19 as units 0..15):
  //   r2 bicubic 22 → 17: x = (1 + ½)·22/17 − ½ = 1.44, taps i − 1 .. i + 2 = c units 0..3
  //   c 3x3 valid: c units 0..3 read r units 0..5
  //   r bilinear ×1.5 of 16: r unit 0: x = ½/1.5 − ½ = −1/6, clamped to 0 → crop unit 0 (row 4);
  //                          r unit 5: x = 5.5/1.5 − ½ = 3.17 → crop units 3, 4 (rows 7, 8)
  //   measured: rows 4..8, extent 5. The phase pattern extrapolates r unit 0 to crop units −1, 0
  //   (rows 3, 4), so it predicts rows 3..8, extent 6.
  it("the probe measures 5 rows for border unit 1 where its phase predicts 6", () => {
    const p = probeFields(m, a, 1 << 30, () => {})!;
    const units = p.fields.get(id)!.units;
    const k = units.findIndex((u) => u.unit[0] === 1);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(units[k]!.lo[0]).toBe(4);
    expect(units[k]!.hi[0]).toBe(8);
    expect(p.expected.get(id)![k]![0]).toBe(6);
    expect(p.resampled.has(id)).toBe(true);
  });

  it("verify passes: border units ≤ their prediction, the widest measured equals the widest predicted", () => {
    const r = verify(c.graph);
    const cell = r.models[0]!.layers.find((l) => l.name === "r2")!.cells.rf!;
    expect(cell.ok).toBe(true);
    expect(cell.measured).toEqual(cell.predicted);
  });
});
