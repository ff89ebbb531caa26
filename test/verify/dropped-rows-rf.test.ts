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
