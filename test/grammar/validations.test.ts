import { describe, expect, it } from "vitest";
import { ConvSpecParser } from "../../grammar/parser.js";
import { makeLexer } from "../../grammar/tokens.js";

// The shared lexer and parser skip chevrotain's definition checks for a fast start; the
// grammar must still pass them, checked here on validating instances.
describe("chevrotain's grammar validations", () => {
  it("the parser has no definition errors (ambiguities, left recursion, unreachable alternatives)", () => {
    const p = new ConvSpecParser({ validate: true });
    expect(p.definitionErrors).toEqual([]);
  });
  it("the lexer has no definition errors (invalid, empty or unreachable patterns)", () => {
    expect(makeLexer({ validate: true }).lexerDefinitionErrors).toEqual([]);
  });
});
