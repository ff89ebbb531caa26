/**
 * Tokens of the ConvSpec language (see ../shared/LANGUAGE.md and docs/language.md).
 * One exported constant per token and one ordered `allTokens` list: chevrotain tries
 * patterns in list order, so longer operators come before their prefixes (`->` before `-`,
 * `==` before `=`) and keywords come before `Identifier` (each keyword names Identifier as
 * its `longer_alt`, so `inputs` still lexes as one identifier).
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: Lexer.SKIPPED });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier });
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
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [Identifier] });
}
export const Param = softKeyword("param");
export const Buffer = softKeyword("buffer");
export const Allow = softKeyword("allow");

/** Integers and decimals with `_` separators, an exponent, and a K M G T / KiB MiB GiB TiB suffix. */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?(?:KiB|MiB|GiB|TiB|K|M|G|T)?/,
});
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/ });
/**
 * A string not closed on its line. The parser never sees it: the front end reports it once and
 * hands the parser a StringLiteral in its place, so one missing quote is one diagnostic.
 */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/ });

export const Arrow = createToken({ name: "Arrow", pattern: /->/ });
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/ });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: />=/ });
export const Less = createToken({ name: "Less", pattern: /</ });
export const Greater = createToken({ name: "Greater", pattern: />/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const SlashSlash = createToken({ name: "SlashSlash", pattern: /\/\// });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Percent = createToken({ name: "Percent", pattern: /%/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /}/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });

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
