/**
 * Syntax errors said the way a user would understand them: a chain whose next line lacks its
 * `->`, and PyTorch constructor calls (`nn.Conv2d(3, 64, 3)`) with their ConvSpec form.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { pytorchCalls, pytorchHint } from "./pytorch.js";
import { suggest } from "../util/suggest.js";

/** Token types a chain step can end with: `)`, a bare layer or label, a repeat count. */
const STEP_ENDS = new Set(["RParen", "Identifier", "NumberLiteral", "Param", "Buffer", "Allow"]);
const NAMES = new Set(["Identifier", "Param", "Buffer", "Allow"]);
/** The words that start statements. */
const STATEMENT_WORDS = ["input", "output", "assert", "param", "buffer", "allow"];
/** Tokens that start a statement that is not a chain. */
const NOT_CHAIN = new Set(["Input", "Assert", "Model", "Block", "Use"]);

/** True when the statement that `tokens[i]` ends is a chain (it has `->`, or is an output). */
function endsChain(tokens: readonly IToken[], i: number): boolean {
  for (let k = i; k >= 0; k--) {
    const n = tokens[k]!.tokenType.name;
    if (n === "Arrow" || n === "Output") return true;
    if (n === "LBrace" || n === "RBrace" || NOT_CHAIN.has(n)) return false;
    // `NAME =` starts a binding: its chain had no `->` yet (x = concat(a, b)) but is one.
    if (n === "Equals" && k > 0 && NAMES.has(tokens[k - 1]!.tokenType.name)) return true;
  }
  return false;
}

/**
 * A syntax error at a name that begins a line right after a chain step, where no `=` follows:
 * the line was meant to continue the chain. One diagnostic for it; the parser's echoes at the
 * same token are dropped.
 */
export function mendMissingArrow(errors: readonly IRecognitionException[], tokens: readonly IToken[], file: string): { mended: Diagnostic[]; handled: Set<number> } {
  const mended: Diagnostic[] = [];
  const handled = new Set<number>();
  const index = new Map(tokens.map((t, i) => [t.startOffset, i]));
  for (const e of errors) {
    const t = e.token;
    const i = index.get(t.startOffset);
    if (i === undefined || i === 0 || handled.has(t.startOffset) || !NAMES.has(t.tokenType.name)) continue;
    const prev = tokens[i - 1]!, next = tokens[i + 1];
    if (!STEP_ENDS.has(prev.tokenType.name) || (prev.endLine ?? 0) >= (t.startLine ?? 0) || next?.tokenType.name === "Equals") continue;
    // A misspelt statement word (`inptu x: [...]`) is not a missing arrow.
    if (suggest(t.image, STATEMENT_WORDS) !== undefined) continue;
    if (!endsChain(tokens, i - 1)) continue;
    handled.add(t.startOffset);
    mended.push(diag(messages.syntaxError, { file, start: t.startOffset, end: t.endOffset! + 1 }, { message: `a chain continues with '->': '${t.image}' on this line starts no statement` }, {
      hint: `put -> at the start of this line (-> ${t.image}${next?.tokenType.name === "LParen" ? "(...)" : ""}) or at the end of the line above`,
    }));
  }
  return { mended, handled };
}

/**
 * PyTorch calls in the text: one diagnostic each, with the ConvSpec form as the hint, and the
 * text with the `nn.` prefixes blanked (offsets kept) so the parser reads on without echoes.
 */
export function mendPytorch(text: string, file: string): { text: string; diagnostics: Diagnostic[] } {
  const calls = pytorchCalls(text);
  if (calls.length === 0) return { text, diagnostics: [] };
  let out = text;
  const diagnostics = calls.map((c) => {
    out = out.slice(0, c.start) + " ".repeat(c.prefixEnd - c.start) + out.slice(c.prefixEnd);
    return diag(messages.syntaxError, { file, start: c.start, end: c.end }, { message: `${text.slice(c.start, c.prefixEnd)}${c.cls}(...) is PyTorch, not ConvSpec` }, {
      hint: pytorchHint(c.cls, c.args) ?? "ConvSpec layers are written in lower case, e.g. conv2d(64, 3), dense(10), batchnorm",
    });
  });
  return { text: out, diagnostics };
}
