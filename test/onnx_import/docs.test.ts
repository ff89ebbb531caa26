/** docs/onnx.md lists every operator the import table maps and every pattern. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { importedOpTypes } from "../../src/onnx/import/ops.js";
import { patterns } from "../../src/onnx/import/patterns.js";

it("docs/onnx.md names every imported operator and pattern anchor", () => {
  const doc = readFileSync("docs/onnx.md", "utf8");
  const importPart = doc.slice(doc.indexOf("# ONNX import"));
  const missing = [...importedOpTypes(), ...patterns.map((p) => p.anchor)].filter((op) => !importPart.includes(`\`${op}\``) && !importPart.includes(`\`${op}(`));
  expect(missing).toEqual([]);
});
