/** prelu(num_parameters=1): PyTorch's nn.PReLU (an extension beyond ConvSpec 1.1). */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { run } from "../../src/exec/runtime.js";
import type { LayerParams, Tensor } from "../../src/exec/tensor.js";
import { model, nodeId } from "../exec/helpers.js";
import { verifyAllCells } from "./helpers.js";

const analyzeText = (text: string) => analyze(compile({ file: "t.cnn", text }).graph);
const f64 = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

/** FSRCNN's feature extraction and shrinking (Dong et al. 2016), each conv followed by nn.PReLU(C). */
const FSRCNN_HEAD = `model fsrcnn_head {
  input y: [1, 24, 24]
  output y -> conv2d(56, 5, padding=2) -> prelu(56) -> conv2d(12, 1) -> prelu(12) -> conv2d(12, 3, padding=1) -> prelu
}`;

describe("prelu(num_parameters=1)", () => {
  it("params: torch's numel of nn.PReLU(56) is 56, of nn.PReLU(12) 12, of nn.PReLU() 1", () => {
    const m = analyzeText(FSRCNN_HEAD).models[0]!;
    expect(m.layers.filter((l) => l.kind === "prelu").map((l) => l.params)).toEqual([56n, 12n, 1n]);
    // convs: 56·25 + 56 = 1,456; 12·56 + 12 = 684; 12·12·9 + 12 = 1,308; slopes 56 + 12 + 1 = 69.
    expect(m.totals.params).toBe(1_456n + 684n + 1_308n + 69n);
  });

  it("FLOPs 2 per element (compare, multiply: leaky_relu's), no MACs; the field unchanged", () => {
    const m = analyzeText(FSRCNN_HEAD).models[0]!;
    const p = m.layers.find((l) => l.kind === "prelu")!;
    // [56, 24, 24] = 32,256 elements · 2.
    expect([p.macs, p.flops]).toEqual([0n, 64_512n]);
    expect(p.rf.size).toEqual([5, 5]);
  });

  it("computes F.prelu: x for x > 0, the channel's slope · x otherwise (values by hand)", () => {
    const m = model(`model m {
      input x: [2, 2]
      a = x -> prelu(2) as per_channel
      b = x -> prelu as shared
      output concat(a, b)
    }`);
    const params = new Map<number, LayerParams>([
      [nodeId(m, "per_channel"), { weight: f64([2], [0.25, -2]) }],
      [nodeId(m, "shared"), { weight: f64([1], [0.1]) }],
    ]);
    // x = [[1, -2], [-3, 0.5]]: channel 0 holds (1, −2), channel 1 (−3, 0.5).
    const y = Array.from(run(m, { precision: "f64", params, inputs: { x: f64([1, 2, 2], [1, -2, -3, 0.5]) } }).outputs.output!.data);
    // F.prelu(x, [0.25, -2]): 1, 0.25·(−2) = −0.5, (−2)·(−3) = 6, 0.5. F.prelu(x, [0.1]): 1, −0.2, −0.3, 0.5.
    [1, -0.5, 6, 0.5, 1, -0.2, -0.3, 0.5].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it("num_parameters neither 1 nor C is a coded error with the numbers and a hint", () => {
    const d = analyzeText(`model m {
      input x: [64, 8, 8]
      output x -> prelu(3)
    }`).diagnostics;
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([[
      "CS3015", "prelu_1: num_parameters = 3 is neither 1 nor the input's 64 channels (input [64, 8, 8])",
      "write prelu for one shared slope, or prelu(64) for one per channel",
    ]]);
  });

  it("verify: every cell ✓ (the slopes counted from the runtime's parameters), the field measured", () => {
    const v = verifyAllCells(FSRCNN_HEAD);
    expect(v.models[0]!.layers.map((l) => [l.kind, l.cells.params.measured, l.cells.rf.measured])).toEqual([
      ["conv2d", 1_456, [5, 5]], ["prelu", 56, [5, 5]], ["conv2d", 684, [5, 5]], ["prelu", 12, [5, 5]],
      ["conv2d", 1_308, [7, 7]], ["prelu", 1, [7, 7]],
    ]);
  });
});
