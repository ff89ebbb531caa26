/** `--min-rf` (and diff's rf row): the largest bounded field, also past a squeeze-and-excitation gate. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { modelReceptiveField } from "../../src/check/budgets.js";

const rfOf = (text: string) => {
  const c = compile({ file: "t.cnn", text });
  expect(c.diagnostics).toEqual([]);
  return modelReceptiveField(analyze(c.graph).models[0]!);
};

describe("the model's receptive field for --min-rf", () => {
  // One 3x3 conv (3), an SE gate (global path mixed in), then nine 3x3 convs at stride 1:
  // 3 + 9·2 = 21. Before, every layer after the gate was skipped as "global" and it read 3.
  it("conv3 → SE gate → conv3 × 9: 21, the local field after the gate", () => {
    expect(rfOf(`model se {
  input x: [8, 64, 64]
  y = x -> conv2d(8, 3, padding=1)
  g = y -> global_avgpool -> conv2d(8, 1) -> sigmoid
  output mul(y, g) -> conv2d(8, 3, padding=1) * 9
}`)).toBe(21n);
  });
  // A head after global pooling sees the whole input: not a bounded window, so the conv's 5 stands.
  it("conv5 → global_avgpool → dense: 5 (the pooled head does not count)", () => {
    expect(rfOf("model h {\n  input x: [3, 32, 32]\n  output x -> conv2d(8, 5, padding=2) -> global_avgpool -> flatten -> dense(10)\n}")).toBe(5n);
    // Two stride-1 3x3 convs before the head: 1 + 2·2 = 5; the head's field of 64 rows does not count.
    expect(rfOf("model h2 {\n  input x: [8, 64, 64]\n  output x -> conv2d(8, 3, padding=1) * 2 -> global_avgpool -> flatten -> dense(10)\n}")).toBe(5n);
  });
});
