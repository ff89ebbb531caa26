/**
 * A global layer after strided windows that never read the input's last rows depends on less
 * than the whole input: predicted by hand, and measured by the gradient probe.
 */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { field } from "../../src/report/units.js";
import { verify } from "../../src/verify/verify.js";

// conv1d(k=2, s=3) on 9 positions: windows at 0, 3, 6 read positions 0..7; position 8 is
// never read ((9 − 2)/3 + 1 = 3.33 → 3). The pooled value depends on 8 of the 9 inputs.
// In 2-D, conv2d(k=3, s=2) on 10×9: (10 − 3)/2 + 1 = 4.5 → 4 windows read rows 0..8 (9 of 10);
// (9 − 3)/2 + 1 = 4 exactly, all 9 columns. Then maxpool(2) on 4×4 reads all of it, and
// dense after flatten mixes everything: rows 0..8, columns 0..8.
const text = `
model one {
  input x: [1, 9]
  output x -> conv1d(2, 2, stride=3) -> global_avgpool as g
}
model two {
  input x: [1, 10, 9]
  output x -> conv2d(2, 3, stride=2) -> maxpool(2) -> flatten -> dense(3) as d
}
model both {
  input x: [1, 10, 9]
  a = x -> conv2d(2, 3, stride=2) -> global_maxpool
  b = x -> conv2d(2, 3, padding=1) -> global_maxpool
  output add(a, b) as m
}`;

describe("fields of global layers after dropped rows", () => {
  const c = compile({ file: "d.cnn", text });
  it("compiles", () => expect(c.diagnostics).toEqual([]));
  const a = analyze(c.graph);
  const last = (i: number) => a.models[i]!.layers.at(-1)!;

  it("1-D: 8 of 9 inputs, centred at 3.5", () => {
    expect(last(0).rf.size).toEqual([8]);
    expect(last(0).rf.start).toEqual([3.5]);
    expect(field(last(0).rf)).toBe("global, 8 of 9");
  });
  it("2-D through maxpool, flatten and dense: 9 of 10 rows, all 9 columns", () => {
    expect(last(1).rf.size).toEqual([9, 9]);
    expect(field(last(1).rf)).toBe("global, 9 of 10×9");
  });
  it("a merge with a path that reads every row reads the whole input", () => {
    expect(last(2).rf.size).toEqual([10, 9]);
    expect(field(last(2).rf)).toBe("global");
  });
  it("the gradient probe measures the same regions", () => {
    const r = verify(c.graph, { analysis: a });
    const bad = r.models.flatMap((m) => m.layers.flatMap((l) => Object.entries(l.cells).filter(([, v]) => !v.ok).map(([q]) => `${m.name}.${l.name}.${q}`)));
    expect(bad).toEqual([]);
    expect(r.models[0]!.layers.find((l) => l.name === "g")!.cells.rf!.measured).toEqual([8]);
  });
});

// The first or last rows in a stride or dilation gap next to the padding: windows reach into
// the padding, yet the taps skip the input's end rows.
// (a) 5 rows, conv1d(k=2, d=2, s=2, p=1): padded 7, Keff = 2·(2 − 1) + 1 = 3,
//     out = (5 + 2 − 3)/2 + 1 = 3; windows start at −1, 1, 3 (input rows), taps at +0 and +2:
//     {−1, 1}, {1, 3}, {3, 5}; −1 and 5 are padding, so only rows 1 and 3 are read:
//     rows 1..3, 3 of 5, centred at 2.
// (b) 6 rows, conv1d(k=1, s=3, p=1): padded 8, out = ⌊(6 + 2 − 1)/3⌋ + 1 = 3; windows at
//     −1 (padding), 2, 5: rows 2..5, 4 of 6, centred at 3.5 (the last row is read, the first two not).
// (c) 2-D: 7×5, conv2d(k=3, s=3, p=1) then global max pool: rows: padded 9, out = (9 − 3)/3 + 1 = 3,
//     windows −1..1, 2..4, 5..7: row 7 is padding, rows 0..6 all read (7 of 7); columns: padded 7,
//     out = ⌊(7 − 3)/3⌋ + 1 = 2, windows −1..1, 2..4: columns 0..4 all read (5 of 5) — nothing
//     narrows; then conv2d(k=1, s=2) on the 3×2 output reads units 0 and 2 of 3 rows (input rows
//     −1..1 and 5..7, i.e. 0..1 and 5..6) and unit 0 of 2 columns (input columns −1..1, i.e. 0..1):
//     rows 0..6 (7), columns 0..1 (2).
const gaps = `
model a {
  input x: [1, 5]
  output x -> conv1d(1, 2, stride=2, dilation=2, padding=1) -> global_avgpool as g
}
model b {
  input x: [1, 6]
  output x -> conv1d(1, 1, stride=3, padding=1) -> global_avgpool as g
}
model c {
  input x: [1, 7, 5]
  output x -> conv2d(1, 3, stride=3, padding=1) -> conv2d(1, 1, stride=2) -> global_maxpool as g
}`;

describe("global fields whose first or last rows fall in a gap next to the padding", () => {
  const c = compile({ file: "g.cnn", text: gaps });
  it("compiles", () => expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]));
  const a = analyze(c.graph);
  const g = (i: number) => a.models[i]!.layers.at(-1)!;

  it("(a) taps on rows 1 and 3 only: 3 of 5, centred at 2", () => {
    expect([g(0).rf.size, g(0).rf.start, g(0).rf.read]).toEqual([[3], [2], [[1, 3]]]);
    expect(field(g(0).rf)).toBe("global, 3 of 5");
  });
  it("(b) the first window in the padding: rows 2..5, 4 of 6, centred at 3.5", () => {
    expect([g(1).rf.size, g(1).rf.start, g(1).rf.read]).toEqual([[4], [3.5], [[2, 5]]]);
  });
  it("(c) 2-D: rows 0..6 and columns 0..1", () => {
    expect([g(2).rf.size, g(2).rf.read]).toEqual([[7, 2], [[0, 6], [0, 1]]]);
  });
  it("the gradient probe measures the same regions", () => {
    const r = verify(c.graph, { analysis: a });
    const bad = r.models.flatMap((m) => m.layers.flatMap((l) => Object.entries(l.cells).filter(([, v]) => !v.ok).map(([q]) => `${m.name}.${l.name}.${q}`)));
    expect(bad).toEqual([]);
    expect(r.models.map((m) => m.layers.at(-1)!.cells.rf!.measured)).toEqual([[3], [4], [7, 2]]);
  });
});
