/**
 * Opset 18 (written by scripts/onnx-fixtures.py from the opset-17 exports: Reduce ops' axes as
 * an input, Split into equal parts by num_outputs) imports exactly as opset 17: the same text
 * but for the header and the model's name, and the same totals.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { importOnnx } from "../../src/onnx/import/import.js";
import { totalsOf } from "./helpers.js";

const dir = "test/fixtures/onnx/";
const op18 = Object.keys(JSON.parse(readFileSync(`${dir}truths.json`, "utf8")) as object).filter((f) => f.endsWith("_op18.onnx"));

function load(file: string) {
  const r = importOnnx(new Uint8Array(readFileSync(dir + file)), { file, modelName: "m" });
  return { ...r, body: r.text.split("\n").slice(1).join("\n") };
}

describe("opset 18 imports as opset 17", () => {
  it("has opset-18 fixtures with the changed operators", () => {
    expect(op18.length).toBeGreaterThanOrEqual(4);
    const bytes = (f: string) => new TextDecoder("latin1").decode(readFileSync(dir + f));
    expect(bytes("pattern_net_op18.onnx")).toContain("ReduceMean");
    expect(bytes("view_net_op18.onnx")).toContain("num_outputs");
  });
  for (const file of op18) {
    it(file, () => {
      const a = load(file);
      const b = load(file.replace("_op18", "_op17"));
      expect(a.text.split("\n")[0]).toContain("opset 18");
      expect(a.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
      expect(a.body).toEqual(b.body);
      expect(totalsOf(analyze(a.graph))).toEqual(totalsOf(analyze(b.graph)));
    });
  }
});
