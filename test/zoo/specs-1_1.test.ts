/**
 * The ConvSpec 1.1 zoo specs (issue 11) at input sizes other than the one they declare, against
 * PyTorch: every number below was printed by scripts/zoo-truths-b.py (torch 1.13, torchvision
 * 0.14; buffers exclude num_batches_tracked; MACs from forward hooks on the Conv, ConvTranspose
 * and Linear modules) and is transcribed here, not computed by convspec. The declared sizes are
 * checked by each spec's own asserts (test/zoo/specs.test.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import type { ModelAnalysis } from "../../src/analysis/types.js";
import { compile } from "../../src/graph/compile.js";
import { SPECS_DIR } from "./load.js";

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

/** specs/FILE's only model analyzed with its input replaced, as `--input` does. */
function at(file: string, input: Record<string, number[]>): ModelAnalysis {
  const path = SPECS_DIR + file;
  const c = compile({ file: path, text: read(path)! }, { file: path, resolve: read, inputShapes: input });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(c.graph).models[0]!;
}

interface Row {
  readonly file: string;
  readonly input: Record<string, number[]>;
  readonly params: bigint;
  readonly buffers: bigint;
  readonly macs: bigint;
  readonly output: number[];
}

const TORCH: readonly Row[] = [
  { file: "unet.cnn", input: { image: [1, 188, 188] }, params: 31_030_658n, buffers: 0n, macs: 6_098_393_344n, output: [2, 4, 4] },
  { file: "deeplabv3_resnet50.cnn", input: { image: [3, 769, 769] }, params: 39_638_869n, buffers: 56_704n, macs: 375_643_830_720n, output: [21, 769, 769] },
  { file: "yolov2_voc.cnn", input: { image: [3, 608, 608] }, params: 50_655_389n, buffers: 20_672n, macs: 31_358_227_456n, output: [125, 19, 19] },
  { file: "tcn.cnn", input: { seq: [1, 196] }, params: 66_510n, buffers: 0n, macs: 26_264_250n, output: [10] },
];

describe("ConvSpec 1.1 zoo specs at another input size match PyTorch", () => {
  for (const r of TORCH) {
    it(`${r.file} at ${JSON.stringify(Object.values(r.input)[0])}`, () => {
      const m = at(r.file, r.input);
      expect(m.totals.params).toBe(r.params);
      expect(m.totals.nonTrainableParams).toBe(r.buffers);
      expect(m.totals.macs).toBe(r.macs);
      expect(Object.values(m.outputs)[0]).toEqual(r.output);
    });
  }
  it("the original U-Net rejects a size that is not 16k + 12 (143, a quarter of 572)", () => {
    const path = SPECS_DIR + "unet.cnn";
    const c = compile({ file: path, text: read(path)! }, { file: path, resolve: read, inputShapes: { image: [1, 143, 143] } });
    const errors = [...c.diagnostics, ...analyze(c.graph).diagnostics].filter((d) => d.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
  });
});
