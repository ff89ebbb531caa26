/** Fields of layers that normalise over many positions, checked against the gradient probe. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { verify } from "../../src/verify/verify.js";

const text = `
model ln {
  input x: [2, 9, 9]
  output x -> conv2d(3, 3, padding=1) -> layernorm(axes=all) -> conv2d(2, 3, padding=1) as c
}
model sm {
  input x: [2, 9, 9]
  output x -> conv2d(3, 3, padding=1) -> softmax(axis=2) as s
}`;

describe("layernorm and spatial softmax fields agree with the run", () => {
  it("every cell agrees: layernorm is global, softmax(axis=2) spans W (9) and keeps H at 3", () => {
    const c = compile({ file: "n.cnn", text });
    expect(c.diagnostics).toEqual([]);
    const r = verify(c.graph);
    const bad = r.models.flatMap((m) => m.layers.flatMap((l) => Object.entries(l.cells).filter(([, v]) => !v.ok).map(([q]) => `${m.name}.${l.name}.${q}`)));
    expect(bad).toEqual([]);
    const s = r.models[1]!.layers.find((l) => l.name === "s")!;
    expect(s.cells.rf!.measured).toEqual([3, 9]);
  });

  // The gradient probe measures what each unit of a window after a partial layer norm (or a
  // spatial softmax) depends on: the whole axis normalised, the window's growth on the others.
  it("windows after layernorm(axes=[0,1]) and softmax(axis=2): every cell agrees, measured 16×5 / 16×6 / 5×16", () => {
    const windows = `
model lnwin {
  input x: [3, 16, 16]
  output x -> conv2d(4, 3, padding=1) -> layernorm(axes=[0, 1]) -> conv2d(4, 3, padding=1) as c2 -> maxpool(2) as p
}
model smwin {
  input x: [3, 16, 16]
  output x -> conv2d(4, 3, padding=1) -> softmax(axis=2) -> conv2d(4, 3, padding=1) as c
}
model dropped {
  input x: [1, 16, 16]
  y = x -> conv2d(2, 3, stride=2) -> layernorm(axes=[0, 1])
  z = y -> conv2d(2, 3, padding=1)
  output add(y, z) -> upsample(2, mode=bilinear) -> conv2d(2, 3, padding=1) as c
}`;
    const c = compile({ file: "w.cnn", text: windows });
    expect(c.diagnostics).toEqual([]);
    const r = verify(c.graph);
    const cells = r.models.flatMap((m) => m.layers.flatMap((l) => Object.entries(l.cells).map(([q, v]) => ({ at: `${m.name}.${l.name}.${q}`, v }))));
    expect(cells.filter((x) => !x.v.ok).map((x) => x.at)).toEqual([]);
    // Every field measured, none left "not measured".
    expect(cells.filter((x) => x.at.endsWith(".rf") && x.v.measured === null).map((x) => x.at)).toEqual([]);
    const measured = (m: number, name: string) => r.models[m]!.layers.find((l) => l.name === name)!.cells.rf!.measured;
    expect([measured(0, "c2"), measured(0, "p"), measured(1, "c")]).toEqual([[16, 5], [16, 6], [5, 16]]);
    // H: rows 0..14 (the stride-2 conv's last window covers rows 12..14; row 15 is never read),
    // kept through the merge, the bilinear upsample and the conv; measured as predicted.
    const d = r.models[2]!.layers.find((l) => l.name === "c")!.cells.rf!;
    expect(d.measured).toEqual(d.predicted);
    expect((d.predicted as number[])[0]).toBe(15);
  });
});
