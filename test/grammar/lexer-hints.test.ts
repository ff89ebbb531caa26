import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allTokens, makeLexer } from "../../grammar/tokens.js";

// Each token states the characters it can start with and whether it can hold a line break, so
// chevrotain need not parse the patterns when the lexer is built. A wrong hint would make the
// lexer miss or misplace tokens. The reference here is the same patterns with no hints, which
// chevrotain analyses itself: both lexers must give the same tokens, positions and errors.
function withoutHints(tokens: readonly TokenType[]): TokenType[] {
  const made = new Map<TokenType, TokenType>();
  const remake = (t: TokenType): TokenType => {
    const had = made.get(t);
    if (had) return had;
    const alt = t.LONGER_ALT as TokenType | undefined;
    const fresh = createToken({
      name: t.name,
      pattern: t.PATTERN as RegExp,
      ...(t.GROUP !== undefined ? { group: t.GROUP } : {}),
      ...(alt ? { longer_alt: remake(alt) } : {}),
      ...(t.CATEGORIES && t.CATEGORIES.length > 0 ? { categories: t.CATEGORIES.map(remake) } : {}),
    });
    made.set(t, fresh);
    return fresh;
  };
  return tokens.map(remake);
}

const reference = new Lexer(withoutHints(allTokens), { positionTracking: "full", ensureOptimizations: true });
const hinted = makeLexer();

const view = (tokens: IToken[]) => tokens.map((t) => [t.tokenType.name, t.image, t.startOffset, t.startLine, t.startColumn, t.endLine, t.endColumn]);
function same(text: string): void {
  const a = reference.tokenize(text);
  const b = hinted.tokenize(text);
  expect(view(b.tokens)).toEqual(view(a.tokens));
  expect(b.errors.map((e) => [e.offset, e.length, e.line, e.column])).toEqual(a.errors.map((e) => [e.offset, e.length, e.line, e.column]));
}

describe("the lexer's start-character and line-break hints", () => {
  it("every token carries both hints, and chevrotain can optimize the unhinted patterns (the reference is sound)", () => {
    for (const t of allTokens) {
      expect(Array.isArray(t.START_CHARS_HINT), t.name).toBe(true);
      expect(typeof t.LINE_BREAKS, t.name).toBe("boolean");
    }
    expect(reference.lexerDefinitionErrors).toEqual([]);
  });

  it("only whitespace can hold a line break: a string, comment or name never does", () => {
    expect(allTokens.filter((t) => t.LINE_BREAKS).map((t) => t.name)).toEqual(["WhiteSpace"]);
    // The same, from the patterns: a token whose pattern matches text with a line break in it.
    const samples = ["\n", " \n ", "\"a\nb\"", "#a\nb", "a\nb", "1\n2"];
    const breaking = allTokens.filter((t) => samples.some((s) => new RegExp(`^(?:${(t.PATTERN as RegExp).source})$`).test(s)));
    expect(breaking.map((t) => t.name)).toEqual(["WhiteSpace"]);
  });

  it("lexes every bundled spec as the unhinted lexer does", () => {
    const dir = join(import.meta.dirname, "../../specs");
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".cnn"));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) same(readFileSync(join(dir, f), "utf8"));
  });

  it("lexes each character of U+0000..U+024F, and some beyond, before each token's text, as the unhinted lexer does", () => {
    const tails = ["", "a", "0", "model", "->", "==", "//", "\"s\"", "#c", "\n", "é"];
    for (let c = 0; c <= 0x24f; c++) for (const tail of tails) same(String.fromCharCode(c) + tail);
    for (const s of ["€", "λ", "😀", "\u2028", "\u00a0", "\ufeff"]) for (const tail of tails) same(s + tail);
  });

  it("lexes random text over the language's characters as the unhinted lexer does", () => {
    const pieces = [
      "model", "block", "input", "output", "assert", "use", "as", "true", "false", "param", "buffer", "allow", "models", "x_1",
      "conv2d", "12", "3.5", "1e-3", "64K", "2MiB", "1_000", "\"lib/a.cnn\"", "\"open", "->", "==", "!=", "<=", ">=", "<", ">",
      "=", "+", "-", "*", "//", "/", "%", "(", ")", "[", "]", "{", "}", ",", ":", " ", "\t", "\n", "\r\n", "#note", "!", "@", "é", "😀", "\\",
    ];
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 })), { maxLength: 40 }), (parts) => {
      same(parts.join(""));
    }), { numRuns: 2000 });
  });
});
