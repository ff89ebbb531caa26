import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";

function rfOf(text: string, label: string) {
  const c = compile({ file: "t.cnn", text });
  expect(c.diagnostics).toEqual([]);
  const a = analyze(c.graph);
  return a.models[0]!.layers.find((l) => l.name === label)!.rf;
}

describe("fields of layers that normalise over many positions", () => {
  it("in=[2,9,9] conv3 p1 → layernorm: every output depends on the whole sample (mean, variance)", () => {
    const rf = rfOf("model m {\n input x: [2, 9, 9]\n output x -> conv2d(3, 3, padding=1) -> layernorm(axes=all) as ln\n}", "ln");
    expect(rf.global).toBe(true);
    expect(rf.size).toEqual([9, 9]);
  });

  it("in=[2,9,9] conv3 p1 → softmax(axis=2): the W axis is whole (9), H keeps the conv's 3", () => {
    const rf = rfOf("model m {\n input x: [2, 9, 9]\n output x -> conv2d(3, 3, padding=1) -> softmax(axis=2) as sm\n}", "sm");
    expect(rf.size).toEqual([3, 9]);
    expect(rf.global).toBe(false);
  });

  it("softmax over channels (the default) leaves the spatial field alone: 3×3", () => {
    const rf = rfOf("model m {\n input x: [2, 9, 9]\n output x -> conv2d(3, 3, padding=1) -> softmax as sm\n}", "sm");
    expect(rf.size).toEqual([3, 3]);
  });

  // A layer norm over H makes every output unit depend on every row: along H each unit's field
  // is the whole input (rows 0..15), the same for all units, so the jump along H is 0.
  //   conv2d_1 3x3 p1:        W: size 3, jump 1, unit 0 centre 0 ([-1, 1])
  //   layernorm axes=[0, 1]:  H: rows 0..15 → size 16, centre 7.5, jump 0
  //   c2 3x3 p1:              H: 16 + (3 − 1)·0 = 16, jump 0; W: 3 + 2·1 = 5, jump 1
  //   p maxpool 2:            H: 16 + 1·0 = 16, jump 0;       W: 5 + 1·1 = 6, jump 2
  // (Before the fix c2 was 18×5 and p 19×6: fields past the 16-row input.)
  const lnThenWindows = "model m {\n input x: [3, 16, 16]\n output x -> conv2d(4, 3, padding=1) -> layernorm(axes=[0, 1]) as ln -> conv2d(4, 3, padding=1) as c2 -> maxpool(2) as p\n}";
  it("in=[3,16,16] conv3 p1 → layernorm(axes=[0,1]) → conv3 p1 → maxpool 2: H stays the whole 16 rows", () => {
    const ln = rfOf(lnThenWindows, "ln"), c2 = rfOf(lnThenWindows, "c2"), p = rfOf(lnThenWindows, "p");
    expect([ln.size, ln.jump, ln.start]).toEqual([[16, 3], [0, 1], [7.5, 0]]);
    expect([c2.size, c2.jump, c2.start]).toEqual([[16, 5], [0, 1], [7.5, 0]]);
    expect([p.size, p.jump, p.start]).toEqual([[16, 6], [0, 2], [7.5, 0.5]]);
  });

  // conv 3x3 stride 2 without padding on 16 rows: 7 outputs, the last window covers rows 12..14,
  // so row 15 is never read; the layer norm over H then sees rows 0..14: size 15, centre 7.
  it("in=[1,16,16] conv3 s2 → layernorm(axes=[0,1]): the whole axis is the 15 rows read (row 15 never is)", () => {
    const rf = rfOf("model m {\n input x: [1, 16, 16]\n output x -> conv2d(2, 3, stride=2) -> layernorm(axes=[0, 1]) as ln -> conv2d(2, 3, padding=1) as c\n}", "c");
    expect([rf.size, rf.jump, rf.start]).toEqual([[15, 7], [0, 2], [7, 1]]);
  });

  // softmax along W has the same rule: W whole (16, jump 0); the conv after it adds nothing along W.
  it("in=[3,16,16] conv3 p1 → softmax(axis=2) → conv3 p1: W stays 16, H grows 3 → 5", () => {
    const rf = rfOf("model m {\n input x: [3, 16, 16]\n output x -> conv2d(4, 3, padding=1) -> softmax(axis=2) -> conv2d(4, 3, padding=1) as c\n}", "c");
    expect([rf.size, rf.jump]).toEqual([[5, 16], [1, 0]]);
  });

  // A residual around a conv on the normalised map: along H both operands see rows 0..15 at
  // every unit (hull 16, jump 0); along W the wider operand's 5. No misalignment warning.
  it("add(layernorm(axes=[0,1]) path, conv3 of it): H whole (16, jump 0), W 5, no CS3012", () => {
    const text = "model m {\n input x: [3, 16, 16]\n y = x -> conv2d(4, 3, padding=1) -> layernorm(axes=[0, 1])\n z = y -> conv2d(4, 3, padding=1)\n output add(y, z) as s\n}";
    const c = compile({ file: "t.cnn", text });
    const a = analyze(c.graph);
    expect(a.diagnostics.map((d) => d.code)).toEqual([]);
    const rf = a.models[0]!.layers.find((l) => l.name === "s")!.rf;
    expect([rf.size, rf.jump]).toEqual([[16, 5], [0, 1]]);
  });
});
