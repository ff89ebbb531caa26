/**
 * The small nets (fixtures with their weights) run by onnxruntime-node: the output shapes it
 * computes are the ones the importer's analysis predicts. The parameter-free view net (chunk,
 * split, channel shuffle, pixel_unshuffle, resize to a size and by 1.5, crops, permute, select)
 * is also run by convspec's runtime from the imported spec on the same input, and every output
 * value must match onnxruntime's: the layers the importer chose move the same elements.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { run } from "../../src/exec/runtime.js";
import { importOnnx } from "../../src/onnx/import/import.js";
import { relErr } from "../onnx/crosscheck.js";
import { randomTensor, rng, runOrt } from "../onnx/ort.js";

const dir = "test/fixtures/onnx/";
const truths = JSON.parse(readFileSync(`${dir}truths.json`, "utf8")) as Record<string, { input_shape: number[] }>;
const small = Object.keys(truths).filter((f) => /^(reflect|ceil|deconv|dilated|pattern|view|vit|cyclegan|norm)_net/.test(f));

describe("imported shapes = onnxruntime's", () => {
  it("has the small nets", () => expect(small.length).toBeGreaterThanOrEqual(22));
  for (const file of small) {
    it(file, async () => {
      const bytes = new Uint8Array(readFileSync(dir + file));
      const m = analyze(importOnnx(bytes, { file }).graph).models[0]!;
      for (const batch of [1, 3]) {
        const out = await runOrt(bytes, { image: randomTensor([batch, ...truths[file]!.input_shape], rng(7)) });
        // One output is `output`; several keep their ONNX names.
        for (const [name, t] of Object.entries(out)) expect(t.shape, name).toEqual([batch, ...m.outputs[name]!]);
        expect(Object.keys(out).sort()).toEqual(Object.keys(m.outputs).sort());
      }
    });
  }
});

describe("imported data movement = onnxruntime's, value by value", () => {
  for (const file of small.filter((f) => f.startsWith("view_net"))) {
    it(file, async () => {
      const bytes = new Uint8Array(readFileSync(dir + file));
      const r = importOnnx(bytes, { file });
      expect(r.diagnostics).toEqual([]);
      expect(r.text).toMatch(/= \w+ -> split\(2\)/);
      expect(r.text).toMatch(/split\(\[1, 3\]\)/);
      expect(r.text).toMatch(/crop\(\[\[1, 1\], \[2, 0\]\]\)/); // y[:, :, 1:-1, 2:]: two Slices, one crop
      expect(r.text).toMatch(/channel_shuffle\(2\) -> pixel_unshuffle\(2\)|pixel_unshuffle\(2\)/);
      const model = r.graph.models[0]!;
      const mine = run(model, { seed: 3, batch: 2, keep: true });
      expect(mine.diagnostics).toEqual([]);
      const theirs = await runOrt(bytes, { image: mine.tensors[model.inputs[0]!]! });
      for (const o of model.outputs) {
        expect(theirs[o.name]!.shape).toEqual(mine.outputs[o.name]!.shape);
        expect(relErr(mine.outputs[o.name]!, theirs[o.name]!), o.name).toBeLessThan(1e-5);
      }
    });
  }
});
