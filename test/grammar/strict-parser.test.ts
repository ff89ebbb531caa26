import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConvSpecParser } from "../../grammar/parser.js";
import { makeLexer } from "../../grammar/tokens.js";
import { parseText } from "../../src/ast/build.js";

// parseText tries a parser without error recovery first (it is built faster) and reads the
// text again with the recovering parser only when there are syntax errors. That is sound only
// if both give the same tree whenever the strict one finds no error.
describe("the strict first parse", () => {
  const lexer = makeLexer();
  const strict = new ConvSpecParser({ recover: false });
  const recovering = new ConvSpecParser();
  const tree = (p: ConvSpecParser, text: string) => {
    p.input = lexer.tokenize(text).tokens;
    const cst = p.file();
    return { cst: JSON.stringify(cst, (k, v: unknown) => (k === "tokenType" ? (v as { name: string }).name : v)), errors: p.errors.length };
  };

  it("gives the recovering parser's tree on every bundled spec", () => {
    const dir = join(import.meta.dirname, "../../specs");
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".cnn"));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      const a = tree(strict, text);
      expect(a.errors, f).toBe(0);
      expect(a.cst, f).toBe(tree(recovering, text).cst);
    }
  });

  it("stops at the first of several errors, where the recovering parser reports each (and parseText reports each)", () => {
    const text = "model m {\n  input x: [3, 8, 8]\n  y = x -> conv2d(8, 3\n  z = y -> relu(\n  output z\n}\n";
    expect(tree(strict, text).errors).toBe(1);
    expect(tree(recovering, text).errors).toBeGreaterThan(1);
    expect(parseText(text, { file: "m.cnn" }).diagnostics.length).toBe(tree(recovering, text).errors);
  });
});
