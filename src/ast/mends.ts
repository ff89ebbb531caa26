/**
 * Syntax errors said the way a user would understand them: a chain whose next line lacks its
 * `->`, and PyTorch constructor calls (`nn.Conv2d(3, 64, 3)`) with their ConvSpec form.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import { diag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
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

/** The index of the `(` that encloses tokens[i], or -1. */
function enclosingParen(tokens: readonly IToken[], i: number): number {
  let depth = 0;
  for (let k = i - 1; k >= 0; k--) {
    const n = tokens[k]!.tokenType.name;
    if (n === "RParen" || n === "RBracket") depth++;
    else if (n === "LParen" || n === "LBracket") {
      if (depth === 0) return n === "LParen" ? k : -1;
      depth--;
    } else if (n === "LBrace" || n === "RBrace") return -1;
  }
  return -1;
}

/** The index of the `)` that closes the `(` at tokens[open], or -1. */
function matchingParen(tokens: readonly IToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const n = tokens[k]!.tokenType.name;
    if (n === "LParen" || n === "LBracket") depth++;
    else if (n === "RParen" || n === "RBracket") {
      depth--;
      if (depth === 0) return k;
    } else if (n === "LBrace" || n === "RBrace") return -1;
  }
  return -1;
}

/**
 * The last offset of the statement that holds tokens[k]: the end of its line, or of the last
 * following line that continues the chain with a leading `->`.
 */
function statementEnd(tokens: readonly IToken[], k: number): number {
  let end = tokens[k]!.endOffset ?? tokens[k]!.startOffset;
  let line = tokens[k]!.endLine ?? 0;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    const first = (t.startLine ?? 0) > line;
    if (first && t.tokenType.name !== "Arrow") break;
    if (t.tokenType.name === "RBrace") break;
    end = t.endOffset ?? end;
    line = t.endLine ?? line;
  }
  return end;
}

/**
 * A chain written inside a call's parentheses (`add(x -> conv2d(8, 1), a)`): merge and layer
 * arguments are tensor names and values, not chains. One error at its `->`, with the binding
 * that says it (`t = x -> conv2d(8, 1)`, then `add(t, a)`); the parser's echoes up to the end
 * of the statement are dropped.
 */
export function mendChainInCall(errors: readonly IRecognitionException[], tokens: readonly IToken[], text: string, file: string): { mended: Diagnostic[]; handled: Set<number> } {
  const mended: Diagnostic[] = [];
  const handled = new Set<number>();
  const index = new Map(tokens.map((t, i) => [t.startOffset, i]));
  for (const e of errors) {
    const i = index.get(e.token.startOffset);
    if (i === undefined || handled.has(e.token.startOffset) || e.token.tokenType.name !== "Arrow") continue;
    const open = enclosingParen(tokens, i);
    if (open < 1 || !NAMES.has(tokens[open - 1]!.tokenType.name)) continue;
    // An unclosed call (`conv2d(4, 3 -> relu`) lacks its ')': the parser's message says so.
    const close = matchingParen(tokens, open);
    if (close < 0) continue;
    // The argument that holds the chain: from after the last comma before it to the next one.
    let first = open + 1, last = close - 1;
    for (let k = open + 1, depth = 0; k < close; k++) {
      const n = tokens[k]!.tokenType.name;
      if (n === "LParen" || n === "LBracket") depth++;
      else if (n === "RParen" || n === "RBracket") depth--;
      else if (n === "Comma" && depth === 0) {
        if (k < i) first = k + 1;
        else if (k < last + 1) last = k - 1;
      }
    }
    const name = tokens[open - 1]!.image;
    const chain = text.slice(tokens[first]!.startOffset, (tokens[last]!.endOffset ?? tokens[last]!.startOffset) + 1);
    const call = `${name}(${text.slice(tokens[open + 1]!.startOffset, tokens[first]!.startOffset)}t${text.slice((tokens[last]!.endOffset ?? 0) + 1, tokens[close]!.startOffset)})`;
    mended.push(diag(messages.syntaxError, { file, start: e.token.startOffset, end: (e.token.endOffset ?? e.token.startOffset) + 1 }, {
      message: `a chain cannot stand inside ${name}(...): its arguments are tensor names or values, not chains`,
    }, { hint: `bind the chain first, t = ${chain}, then write ${call}` }));
    const end = statementEnd(tokens, close);
    for (const x of errors) if (x.token.startOffset >= e.token.startOffset && x.token.startOffset <= end) handled.add(x.token.startOffset);
  }
  return { mended, handled };
}

/**
 * `2 ** i` (Python's power): the parser stops at the second `*`. One error there saying that
 * ConvSpec has no power operator, in place of "expected a value but found '*'".
 */
export function mendPower(errors: readonly IRecognitionException[], tokens: readonly IToken[], file: string): { mended: Diagnostic[]; handled: Set<number> } {
  const mended: Diagnostic[] = [];
  const handled = new Set<number>();
  const index = new Map(tokens.map((t, i) => [t.startOffset, i]));
  for (const e of errors) {
    const i = index.get(e.token.startOffset);
    if (i === undefined || i === 0 || handled.has(e.token.startOffset) || e.token.tokenType.name !== "Star") continue;
    const prev = tokens[i - 1]!;
    if (prev.tokenType.name !== "Star" || (prev.endOffset ?? -2) + 1 !== e.token.startOffset) continue;
    handled.add(e.token.startOffset);
    mended.push(diag(messages.syntaxError, { file, start: prev.startOffset, end: e.token.startOffset + 1 }, { message: "ConvSpec has no power operator '**'" }, {
      hint: "write the value (2 ** 3 is 8), a product (2 * 2 * 2), or pass it in as a block argument (dilation=d, with d = 1, 2, 4, ... at each call)",
    }));
  }
  return { mended, handled };
}

/** Operators of an integer expression: a binding's right side with one of them and no `->` is a number. */
const ARITHMETIC = new Set(["Plus", "Minus", "Star", "SlashSlash", "Slash", "Percent"]);

/**
 * The error for a number bound in a body (`w = planes * 4`, ResNeXt's width): a binding takes a
 * chain, block-local numbers are not supported. The hint gives the block's header with the
 * number as a parameter with a default (a default may use the parameters before it).
 */
export function numberBinding(name: string, expr: string, span: Span, block?: { name: string; params: string }): Diagnostic {
  const use = `write ${expr} where ${name} is used`;
  const hint = block
    ? `make ${name} a parameter with a default, which may use the parameters before it: block ${block.name}(${block.params === "" ? "" : `${block.params}, `}${name}=${expr}); or ${use}`
    : `${use} (a model binds tensors only)`;
  return diag(messages.syntaxError, span, { message: `${name} = ${expr}: a binding takes a chain (${name} = x -> ...); ${block ? `block ${block.name}` : "a model"} cannot bind a number` }, { hint });
}

/** The block whose body holds tokens[i] (its name and parameter text), or undefined in a model. */
function enclosingBlock(tokens: readonly IToken[], i: number, text: string): { name: string; params: string } | undefined {
  for (let k = i; k >= 0; k--) {
    const n = tokens[k]!.tokenType.name;
    if (n === "Model") return undefined;
    if (n !== "Block") continue;
    const name = tokens[k + 1];
    const open = tokens[k + 2];
    if (!name || open?.tokenType.name !== "LParen") return name ? { name: name.image, params: "" } : undefined;
    const close = matchingParen(tokens, k + 2);
    if (close < 0) return undefined;
    return { name: name.image, params: text.slice((open.endOffset ?? open.startOffset) + 1, tokens[close]!.startOffset).trim() };
  }
  return undefined;
}

/**
 * `w = planes * width_per_group / 64 * groups` in a body: the parser reads `planes * ...` as a
 * repeated step and stops at `/`. One error for the statement (numberBinding), the parser's
 * echoes in it dropped. Only a right side with arithmetic, or one that starts with a number or
 * `(`, and no `->` is taken for a number.
 */
export function mendNumberBinding(errors: readonly IRecognitionException[], tokens: readonly IToken[], text: string, file: string): { mended: Diagnostic[]; handled: Set<number> } {
  const mended: Diagnostic[] = [];
  const handled = new Set<number>();
  const failedAt = errors.map((e) => e.token.startOffset).filter((o) => Number.isFinite(o));
  for (let k = 0; k + 2 < tokens.length; k++) {
    const t = tokens[k]!;
    if (!NAMES.has(t.tokenType.name) || tokens[k + 1]!.tokenType.name !== "Equals") continue;
    // The name starts its line (a statement), not `stride=2` inside a call.
    const prev = tokens[k - 1];
    if (prev && (prev.endLine ?? 0) >= (t.startLine ?? 0) && prev.tokenType.name !== "LBrace") continue;
    const end = statementEnd(tokens, k + 1);
    const rhs: IToken[] = [];
    for (let j = k + 2; j < tokens.length && tokens[j]!.startOffset <= end; j++) rhs.push(tokens[j]!);
    if (rhs.length === 0 || rhs.some((r) => r.tokenType.name === "Arrow" || r.tokenType.name === "RBrace" || r.tokenType.name === "Equals")) continue;
    const first = rhs[0]!.tokenType.name;
    if (!rhs.some((r) => ARITHMETIC.has(r.tokenType.name)) && first !== "NumberLiteral" && first !== "LParen") continue;
    const inside = failedAt.filter((o) => o >= t.startOffset && o <= end);
    if (inside.length === 0) continue;
    for (const o of inside) handled.add(o);
    const expr = text.slice(rhs[0]!.startOffset, end + 1).trim();
    mended.push(numberBinding(t.image, expr, { file, start: t.startOffset, end: end + 1 }, enclosingBlock(tokens, k, text)));
  }
  return { mended, handled };
}
