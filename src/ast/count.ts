/**
 * Counts a text's tokens before the lexer runs: chevrotain's tokens, CST and error objects
 * cost about 2 KB per token, so a 4 MiB file of `1, 1, 1, ...` (1.4 M tokens) would take
 * gigabytes. The count follows the lexer's patterns (grammar/tokens.ts); an unexpected
 * character counts as one token, as it becomes one lexing error.
 */
const TOKEN = /[ \t\r\n\f\v]+|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?(?:KiB|MiB|GiB|TiB|K|M|G|T)?|"(?:[^"\\\n]|\\.)*"?|->|==|!=|<=|>=|[^]/uy;

/** The number of tokens in `text`, counting no further than `limit + 1`. */
export function countTokens(text: string, limit: number): number {
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length && n <= limit) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) break;
    const c = text.charCodeAt(at);
    // Whitespace and comments are skipped by the lexer too.
    if (!(c === 35 || c === 32 || (c >= 9 && c <= 13))) n++;
  }
  return n;
}
