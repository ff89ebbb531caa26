/**
 * The small nets (fixtures with their weights) run by onnxruntime-node: the output shape it
 * computes is the one the importer's analysis predicts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { importOnnx } from "../../src/onnx/import/import.js";
import { randomTensor, rng, runOrt } from "../onnx/ort.js";

const dir = "test/fixtures/onnx/";
const truths = JSON.parse(readFileSync(`${dir}truths.json`, "utf8")) as Record<string, { input_shape: number[] }>;
const small = Object.keys(truths).filter((f) => /^(reflect|ceil|deconv|dilated|pattern)_net/.test(f));

describe("imported shapes = onnxruntime's", () => {
  it("has the small nets", () => expect(small.length).toBeGreaterThanOrEqual(10));
  for (const file of small) {
    it(file, async () => {
      const bytes = new Uint8Array(readFileSync(dir + file));
      const m = analyze(importOnnx(bytes, { file }).graph).models[0]!;
      for (const batch of [1, 3]) {
        const out = await runOrt(bytes, { image: randomTensor([batch, ...truths[file]!.input_shape], rng(7)) });
        expect(out.output!.shape).toEqual([batch, ...m.outputs.output!]);
      }
    });
  }
});
