/**
 * skimOnnx: a file read by positioned reads with its large weights skipped imports exactly as
 * the whole file does, and the weights are never read.
 */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { seededParams } from "../../src/onnx/weights.js";
import { importOnnx } from "../../src/onnx/import/import.js";
import { skimOnnx } from "../../src/onnx/import/skim.js";
import { totalsOf } from "./helpers.js";

const SPEC = `model wide {
  input x: [3, 32, 32]
  output x -> conv2d(16, 3, padding=1) -> relu -> maxpool(2) -> flatten -> dense(256) -> relu -> dense(10)
}`;

describe("skimOnnx", () => {
  const m = compile({ file: "wide.cnn", text: SPEC }).graph.models[0]!;
  const bytes = exportOnnx(m, seededParams(m, 1).params!).bytes!;
  // dense(256) on 16·16·16 inputs: 1,048,576 weights, 4 MiB of raw_data.

  it("imports the same model while reading less than a tenth of the file", () => {
    let read = 0;
    const skimmed = skimOnnx((offset, length) => {
      const part = bytes.subarray(offset, offset + length);
      read += part.length;
      return part;
    }, bytes.length);
    expect(bytes.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(skimmed.length).toBeLessThan(64 * 1024);
    // The 1 MiB read window covers the start of the file; the 4 MiB weight is skipped.
    expect(read).toBeLessThan(bytes.length / 2);
    const whole = importOnnx(bytes);
    const skim = importOnnx(skimmed);
    expect(skim.text).toBe(whole.text);
    expect(totalsOf(analyze(skim.graph))).toEqual(totalsOf(analyze({ models: [m] })));
  });

  it("a truncated file is a WireError, as the in-memory reader says", () => {
    const cut = bytes.subarray(0, 3_000_000);
    expect(() => skimOnnx((o, l) => cut.subarray(o, o + l), cut.length)).toThrow(/claims|past the end|ends inside/);
  });
});
