import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateGrammarArtifacts } from "../../grammar/generate.js";

// The railroad diagrams and CST types are generated from the parser; a grammar change
// without `npm run grammar` leaves them stale and fails here.
describe("generated grammar artifacts", () => {
  for (const [name, text] of Object.entries(generateGrammarArtifacts())) {
    it(`grammar/${name} is current`, () => {
      const committed = readFileSync(new URL(`../../grammar/${name}`, import.meta.url), "utf8");
      expect(committed).toBe(text);
    });
  }

  it("the diagrams cover every grammar rule and load their renderer offline", () => {
    const html = generateGrammarArtifacts()["diagrams.generated.html"];
    for (const rule of ["file", "blockDecl", "modelDecl", "chain", "step", "call", "arg", "assertStmt", "list"]) {
      expect(html).toContain(`"name": "${rule}"`);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });
});
