/**
 * Imported files are parsed once and reused while their text stays the same (an editor
 * compiles the same imports on every keystroke): the reuse must give the same results as a
 * fresh parse, repeat an import's diagnostics on every compile, and never serve a stale tree
 * once the import's text changes.
 */
import { describe, expect, it } from "vitest";
import { analyze, compile } from "../../src/index.js";

const main = 'use "lib.cnn"\nmodel m {\n  input x: [3, 8, 8]\n  output x -> unit(8)\n}\n';
const lib = (k: number) => `block unit(c) {\n  input x\n  output x -> conv2d(c, ${k}, padding=${(k - 1) / 2})\n}\n`;

function params(files: Record<string, string>): bigint {
  const c = compile({ file: "main.cnn", text: main }, { file: "main.cnn", resolve: (p) => files[p] });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(c.graph).models[0]!.totals.params;
}

describe("the import cache", () => {
  it("gives the same numbers on every compile and follows an edited import", () => {
    const files: Record<string, string> = { "lib.cnn": lib(3) };
    // 8 filters of 3×3×3 plus 8 biases: 8·27 + 8 = 224.
    expect(params(files)).toBe(224n);
    expect(params(files)).toBe(224n);
    // The import edited to 1×1 filters: 8·3 + 8 = 32, not the cached 224.
    files["lib.cnn"] = lib(1);
    expect(params(files)).toBe(32n);
    files["lib.cnn"] = lib(3);
    expect(params(files)).toBe(224n);
  });

  it("repeats an import's own diagnostics on every compile", () => {
    const files: Record<string, string> = { "lib.cnn": "block unit(c) {\n  input x\n  output x -> conv2d(c, 3, kernal=3)\n}\n" };
    for (let i = 0; i < 3; i++) {
      const c = compile({ file: "main.cnn", text: main }, { file: "main.cnn", resolve: (p) => files[p] });
      const codes = c.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.start}`);
      expect(codes).toContain(`CS2002 lib.cnn:${files["lib.cnn"]!.indexOf("kernal")}`);
    }
  });
});
