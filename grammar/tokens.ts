/**
 * Tokens of the ConvSpec language (see ../shared/LANGUAGE.md and docs/language.md).
 * One exported constant per token and one ordered `allTokens` list: chevrotain tries
 * patterns in list order, so longer operators come before their prefixes (`->` before `-`,
 * `==` before `=`) and keywords come before `Identifier` (each keyword names Identifier as
 * its `longer_alt`, so `inputs` still lexes as one identifier).
 */
import { createToken, Lexer, type ITokenConfig, type TokenType } from "chevrotain";

/**
 * Every token states the characters its matches can start with and whether they can hold a
 * line break, so building the lexer does not parse the patterns to find out (chevrotain's
 * regexp analysis was most of the lexer's start-up: it runs in every new page and process).
 * test/grammar/lexer-hints.test.ts checks the hints against chevrotain's own analysis and
 * against an unoptimized lexer.
 */
function token(config: ITokenConfig & { pattern: RegExp }, startChars: string, lineBreaks = false): TokenType {
  return createToken({ ...config, start_chars_hint: [...startChars], line_breaks: lineBreaks });
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";

export const WhiteSpace = token({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED }, " \t\r\n\f\v", true);
export const Comment = token({ name: "Comment", pattern: /#[^\n]*/, group: Lexer.SKIPPED }, "#");

export const Identifier = token({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ }, LETTERS);

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return token({ name, pattern: new RegExp(word), longer_alt: Identifier }, word[0]!);
}
export const Model = keyword("model");
export const Block = keyword("block");
export const Input = keyword("input");
export const Output = keyword("output");
export const Assert = keyword("assert");
export const Use = keyword("use");
export const As = keyword("as");
export const True = keyword("true");
export const False = keyword("false");

/**
 * Words that start a statement but stay names elsewhere (a block parameter may be called
 * `buffer`): their category is Identifier, so every place that takes a name takes them too,
 * and the statement rules tell `param gamma: [...]` from `param = x -> ...` by the next token.
 */
function softKeyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return token({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [Identifier] }, word[0]!);
}
export const Param = softKeyword("param");
export const Buffer = softKeyword("buffer");
export const Allow = softKeyword("allow");

/** Integers and decimals with `_` separators, an exponent, and a K M G T / KiB MiB GiB TiB suffix. */
export const NumberLiteral = token({
  name: "NumberLiteral",
  pattern: /\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?(?:KiB|MiB|GiB|TiB|K|M|G|T)?/,
}, "0123456789");
export const StringLiteral = token({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/ }, '"');
/**
 * A string not closed on its line. The parser never sees it: the front end reports it once and
 * hands the parser a StringLiteral in its place, so one missing quote is one diagnostic.
 */
export const UnterminatedString = token({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/ }, '"');

export const Arrow = token({ name: "Arrow", pattern: /->/ }, "-");
export const EqEq = token({ name: "EqEq", pattern: /==/ }, "=");
export const NotEq = token({ name: "NotEq", pattern: /!=/ }, "!");
export const LessEq = token({ name: "LessEq", pattern: /<=/ }, "<");
export const GreaterEq = token({ name: "GreaterEq", pattern: />=/ }, ">");
export const Less = token({ name: "Less", pattern: /</ }, "<");
export const Greater = token({ name: "Greater", pattern: />/ }, ">");
export const Equals = token({ name: "Equals", pattern: /=/ }, "=");
export const Plus = token({ name: "Plus", pattern: /\+/ }, "+");
export const Minus = token({ name: "Minus", pattern: /-/ }, "-");
export const Star = token({ name: "Star", pattern: /\*/ }, "*");
export const SlashSlash = token({ name: "SlashSlash", pattern: /\/\// }, "/");
export const Slash = token({ name: "Slash", pattern: /\// }, "/");
export const Percent = token({ name: "Percent", pattern: /%/ }, "%");
export const LParen = token({ name: "LParen", pattern: /\(/ }, "(");
export const RParen = token({ name: "RParen", pattern: /\)/ }, ")");
export const LBracket = token({ name: "LBracket", pattern: /\[/ }, "[");
export const RBracket = token({ name: "RBracket", pattern: /]/ }, "]");
export const LBrace = token({ name: "LBrace", pattern: /{/ }, "{");
export const RBrace = token({ name: "RBrace", pattern: /}/ }, "}");
export const Comma = token({ name: "Comma", pattern: /,/ }, ",");
export const Colon = token({ name: "Colon", pattern: /:/ }, ":");

export const allTokens: TokenType[] = [
  WhiteSpace, Comment,
  // keywords before Identifier
  Model, Block, Input, Output, Assert, Use, As, True, False, Param, Buffer, Allow,
  Identifier, NumberLiteral, StringLiteral, UnterminatedString,
  // multi-character operators before their one-character prefixes
  Arrow, EqEq, NotEq, LessEq, GreaterEq, Less, Greater, Equals,
  Plus, Minus, Star, SlashSlash, Slash, Percent,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon,
];

/**
 * A lexer for the ConvSpec tokens. `validate` runs chevrotain's lexer validations (invalid or
 * unreachable patterns); the shared instance skips them (they cost ~40 ms at every start) and
 * test/grammar runs them.
 */
export function makeLexer(options: { validate?: boolean } = {}): Lexer {
  return new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false, skipValidations: options.validate !== true });
}

let shared: Lexer | undefined;

/** The shared lexer, built on first use. */
export function convSpecLexer(): Lexer {
  return (shared ??= makeLexer());
}
