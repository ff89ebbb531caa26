/** channel_shuffle, the family added by CONTRIBUTING.md's recipe: analysis, kernels and probe. */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { run } from "../../src/exec/runtime.js";
import { verify } from "../../src/verify/verify.js";
import { model } from "../exec/helpers.js";

describe("channel_shuffle(groups)", () => {
  it("moves channel b·(C/g) + a to a·g + b, as PyTorch's view(g, C/g).transpose(0, 1)", () => {
    // C = 6, g = 2: the groups [0 1 2] and [3 4 5] interleave to 0 3 1 4 2 5.
    const m = model(`model m {
      input x: [6, 1, 2]
      output x -> channel_shuffle(2)
    }`);
    const r = run(m, { precision: "f64", keep: true });
    const x = r.tensors[m.inputs[0]!]!.data, y = r.outputs.output!.data;
    const plane = 2;
    const order = [0, 3, 1, 4, 2, 5];
    order.forEach((src, j) => expect(Array.from(y.slice(j * plane, j * plane + plane))).toEqual(Array.from(x.slice(src * plane, src * plane + plane))));
  });

  it("keeps the shape and adds no params, MACs or FLOPs; the field passes through", () => {
    const g = compile({ file: "t.cnn", text: `model m {
      input x: [24, 8, 8]
      output x -> conv2d(24, 3, padding=1) -> channel_shuffle(3)
    }` }).graph;
    const a = analyze(g).models[0]!;
    const s = a.layers[1]!;
    expect(s.outputShape).toEqual([24, 8, 8]);
    expect([s.params, s.macs, s.flops]).toEqual([0n, 0n, 0n]);
    expect(s.rf.size).toEqual([3, 3]);
  });

  it("a group count that does not divide the channels is a coded error with the numbers", () => {
    const r = compile({ file: "t.cnn", text: `model m {
      input x: [6, 4, 4]
      output x -> channel_shuffle(4)
    }` });
    const d = analyze(r.graph).diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([["CS3015", "channel_shuffle_1: 6 channels (input [6, 4, 4]) do not split into 4 groups"]]);
    expect(d[0]!.hint).toBe("groups must divide 6");
  });

  it("verify: every cell ✓, the probe running it one channel wide", () => {
    const g = compile({ file: "t.cnn", text: `model m {
      input x: [4, 12, 12]
      output x -> conv2d(8, 3) -> channel_shuffle(4) -> conv2d(8, 3, groups=4) -> channel_shuffle(2)
    }` }).graph;
    const v = verify(g);
    const cells = v.models[0]!.layers.flatMap((l) => Object.values(l.cells));
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.filter((c) => c.ok === false)).toEqual([]);
    // Fields 3, 3, 5, 5: measured by the gradient probe, not only predicted.
    expect(v.models[0]!.layers.map((l) => l.cells.rf.measured)).toEqual([[3, 3], [3, 3], [5, 5], [5, 5]]);
  });
});
