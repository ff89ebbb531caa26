/**
 * Round trip: every model of every spec in specs/ → `exportOnnx` (in memory, shape-only
 * weights) → `importOnnx` → analyze gives the same params, buffers, MACs and output shapes as
 * analyzing the spec itself. The exporter (src/onnx) and the importer share no code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { importOnnx } from "../../src/onnx/import/import.js";
import { shapeOnlyParams, totalsOf } from "./helpers.js";

const specs = readdirSync("specs").filter((f) => f.endsWith(".cnn")).sort();

describe("spec → export → import → analyze", () => {
  it("covers every spec", () => expect(specs.length).toBeGreaterThan(25));
  for (const name of specs) {
    it(name, () => {
      const file = `specs/${name}`;
      const c = compile({ file, text: readFileSync(file, "utf8") }, { file, resolve: (p) => readFileSync(p, "utf8") });
      expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      for (const m of c.graph.models) {
        const ex = exportOnnx(m, shapeOnlyParams(m));
        expect(ex.diagnostics).toEqual([]);
        const r = importOnnx(ex.bytes!, { file: `${m.name}.onnx` });
        expect(r.diagnostics.filter((d) => d.severity !== "info"), `${m.name}:\n${r.text}`).toEqual([]);
        expect(totalsOf(analyze(r.graph)), m.name).toEqual(totalsOf(analyze({ models: [m] })));
      }
    });
  }
});
