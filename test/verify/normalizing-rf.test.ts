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
});
