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
});
