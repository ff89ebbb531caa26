/**
 * Text → tokens → CST → AST. Collects every lexing and syntax error (the parser recovers),
 * anchoring errors at recovered tokens or end of input to the previous real token.
 */
import type { CstNode, IToken, IRecognitionException, TokenType, IParserErrorMessageProvider } from "chevrotain";
import { EOF, tokenLabel } from "chevrotain";
import { convSpecLexer, StringLiteral, UnterminatedString } from "../../grammar/tokens.js";
import { parserInstance, strictParserInstance } from "../../grammar/parser.js";
import { diag, type Diagnostic, type Result, type Span } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type * as A from "./nodes.js";
import { mendChainInCall, mendMissingArrow, mendNumberBinding, mendPower, mendPytorch } from "./mends.js";
import { countTokens } from "./count.js";
import { pushAll } from "../util/array.js";

export interface ParseOptions {
  readonly file?: string;
  /** Largest accepted text, in characters (default 4 MiB). */
  readonly maxFileSize?: number;
  /** Deepest accepted bracket nesting (default 64). */
  readonly maxNesting?: number;
  /** Most arithmetic operators along one path of an expression (default 256). */
  readonly maxOperators?: number;
  /** Most tokens accepted (default 100,000; CS6009), counted before the lexer runs. */
  readonly maxTokens?: number;
  /** Polled between lexing, parsing and building: a reason to stop (CS6007), or undefined. */
  readonly stop?: () => string | undefined;
}

/** Default of `maxTokens`: ~200 MB of parser objects at most; the zoo's largest file (inception_v3) has 1,095. */
export const MAX_TOKENS = 100_000;
export const TOKENS_HINT = "use blocks and repeats (* N) instead of writing layers out, or raise the maxTokens option";

const TOKEN_NAMES: Record<string, string> = {
  Identifier: "a name", NumberLiteral: "a number", StringLiteral: "a string", Arrow: "'->'",
  EqEq: "'=='", NotEq: "'!='", LessEq: "'<='", GreaterEq: "'>='", Less: "'<'", Greater: "'>'",
  Equals: "'='", Plus: "'+'", Minus: "'-'", Star: "'*'", SlashSlash: "'//'", Slash: "'/'", Percent: "'%'",
  LParen: "'('", RParen: "')'", LBracket: "'['", RBracket: "']'", LBrace: "'{'", RBrace: "'}'",
  Comma: "','", Colon: "':'", EOF: "end of file",
};

function describeType(t: TokenType): string {
  return TOKEN_NAMES[t.name] ?? `'${tokenLabel(t).toLowerCase()}'`;
}
function describeToken(t: IToken): string {
  if (t.tokenType === EOF) return "end of file";
  return `'${t.image}'`;
}
const RULE_NAMES: Record<string, string> = {
  file: "'model', 'block' or 'use'", statement: "'input', 'output', 'assert' or NAME = ...",
  primary: "a value", atom: "a number, a name or '('", unary: "a value", expr: "a value",
  step: "a layer or block", call: "a name",
};

/** The first token of chevrotain's `actual` (a token list, or a list of token lists). */
function firstOf(actual: unknown): IToken {
  let x: unknown = actual;
  while (Array.isArray(x)) x = x[0];
  return (x as IToken | undefined) ?? ({ tokenType: EOF, image: "" } as IToken);
}

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    expected === EOF
      ? `expected 'model', 'block' or 'use' but found ${describeToken(actual)}; statements belong inside a model or block`
      : `expected ${describeType(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describeToken(firstRedundant)}; expected 'model', 'block' or 'use'`,
  buildNoViableAltMessage: ({ actual, ruleName }) =>
    `expected ${RULE_NAMES[ruleName] ?? ruleName} but found ${describeToken(firstOf(actual))}`,
  buildEarlyExitMessage: ({ actual, ruleName }) =>
    `expected ${RULE_NAMES[ruleName] ?? ruleName} but found ${describeToken(firstOf(actual))}`,
};
/** The shared parser, with convspec's error messages. */
function parser(): ReturnType<typeof parserInstance> {
  const p = parserInstance();
  (p as unknown as { errorMessageProvider: IParserErrorMessageProvider }).errorMessageProvider = errorMessages;
  return p;
}

function realOffset(t: IToken | undefined): boolean {
  return t !== undefined && Number.isFinite(t.startOffset) && t.startOffset >= 0 && t.tokenType !== EOF;
}

/** Parses one file. The AST is returned even when there are syntax errors (parts may be missing). */
export function parseText(text: string, options: ParseOptions = {}): Result<A.SpecFile> {
  const file = options.file ?? "<input>";
  const maxSize = options.maxFileSize ?? 4 * 1024 * 1024;
  const empty: A.SpecFile = { kind: "file", file, uses: [], blocks: [], models: [], span: { file, start: 0, end: 0 } };
  if (text.length > maxSize) {
    return { value: empty, diagnostics: [diag(messages.fileTooLarge, { file, start: 0, end: 0 }, { file, size: text.length, limit: maxSize }, { hint: "split it into files joined with use, or raise the maxFileSize option" })] };
  }
  const maxTokens = options.maxTokens ?? MAX_TOKENS;
  if (countTokens(text, maxTokens) > maxTokens) {
    return { value: empty, diagnostics: [diag(messages.tooManyTokens, { file, start: 0, end: 0 }, { file, limit: maxTokens, scope: "" }, { hint: TOKENS_HINT })] };
  }
  const stopped = (): Result<A.SpecFile> | undefined => {
    const reason = options.stop?.();
    return reason === undefined ? undefined : { value: empty, diagnostics: [diag(messages.stopped, { file, start: 0, end: 0 }, { reason }, { hint: "give it more time, or simplify the spec" })] };
  };
  const early = stopped();
  if (early) return early;
  const torch = mendPytorch(text, file);
  const diagnostics: Diagnostic[] = [...torch.diagnostics];
  const lexed = convSpecLexer().tokenize(torch.text);
  const afterLex = stopped();
  if (afterLex) return afterLex;
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    const shown = ch.length > 20 ? `${ch.slice(0, 20)}…` : ch;
    diagnostics.push(
      ch.startsWith('"')
        ? diag(messages.invalidString, { file, start: e.offset, end: e.offset + e.length }, { text: JSON.stringify(shown), reason: "it is not closed on its line" })
        : diag(messages.unexpectedCharacter, { file, start: e.offset, end: e.offset + firstChar(ch).length }, { text: JSON.stringify(firstChar(ch)) }, {
            hint: "names use A-Z, a-z, 0-9 and _; comments start with #",
          }),
    );
  }
  for (const t of lexed.tokens) {
    if (t.tokenType !== UnterminatedString) continue;
    const shown = t.image.length > 20 ? `${t.image.slice(0, 20)}…` : t.image;
    diagnostics.push(diag(messages.invalidString, span(file, t), { text: `'${shown}'`, reason: "it is not closed on its line" }, { hint: "add the closing \" before the end of the line" }));
    // Parse on as if it were closed (chevrotain matches tokens by tokenTypeIdx).
    t.tokenType = StringLiteral;
    t.tokenTypeIdx = StringLiteral.tokenTypeIdx!;
  }
  const deep = nestingCheck(lexed.tokens, file, options.maxNesting ?? 64, options.maxOperators ?? 256);
  if (deep) return { value: empty, diagnostics: [...diagnostics, deep] };
  // Text without syntax errors (nearly every parse) needs only the strict parser; with errors,
  // the recovering parser reads it again and reports them all.
  let p = strictParserInstance();
  p.input = lexed.tokens;
  let cst = p.file();
  if (p.errors.length > 0) {
    p = parser();
    p.input = lexed.tokens;
    cst = p.file();
  }
  const tokens = lexed.tokens;
  const inCall = mendChainInCall(p.errors, tokens, torch.text, file);
  const numbers = mendNumberBinding(p.errors, tokens, torch.text, file);
  const { mended, handled } = mendMissingArrow(p.errors.filter((e) => !inCall.handled.has(e.token.startOffset) && !numbers.handled.has(e.token.startOffset)), tokens, file);
  const power = mendPower(p.errors, tokens, file);
  pushAll(diagnostics, inCall.mended);
  pushAll(diagnostics, numbers.mended);
  pushAll(diagnostics, power.mended);
  pushAll(diagnostics, mended);
  for (const o of [...inCall.handled, ...numbers.handled, ...power.handled]) handled.add(o);
  for (const e of p.errors) if (!handled.has(e.token.startOffset)) diagnostics.push(syntaxDiagnostic(e, file, tokens));
  const afterParse = stopped();
  if (afterParse) return afterParse;
  const value = new AstBuilder(file, text).file(cst);
  return { value, diagnostics };
}

/** The whole first character (a surrogate pair stays one character). */
function firstChar(s: string): string {
  const cp = s.codePointAt(0);
  return cp === undefined ? s : String.fromCodePoint(cp);
}

const OPENERS = new Set(["LParen", "LBracket", "LBrace"]);
const CLOSERS = new Set(["RParen", "RBracket", "RBrace"]);
const OPERATORS = new Set(["Plus", "Minus", "Star", "SlashSlash", "Slash", "Percent"]);
/** Tokens that stand inside an expression as operands: they neither add a level nor end one. */
const OPERANDS = new Set(["NumberLiteral", "Identifier", "StringLiteral", "UnterminatedString", "Output", "True", "False"]);

/**
 * Refuses pathological nesting before the recursive-descent parser (and every later recursive
 * walk) sees it: brackets deeper than `maxNesting`, or an expression whose operators (each one a
 * level of the parse and of the expression tree) add up past `maxOperators` along one path.
 */
function nestingCheck(tokens: readonly IToken[], file: string, maxNesting: number, maxOperators: number): Diagnostic | undefined {
  const ops: number[] = [0]; // operators in the current operand of each open bracket
  let sum = 0;
  for (const t of tokens) {
    const n = t.tokenType.name;
    if (OPENERS.has(n)) ops.push(0);
    else if (CLOSERS.has(n)) sum -= ops.length > 1 ? ops.pop()! : 0;
    else if (OPERATORS.has(n)) {
      ops[ops.length - 1]!++;
      sum++;
    } else if (!OPERANDS.has(n)) {
      // A comma starts a sibling operand; a keyword, '->', '=' or a comparison ends the expression.
      sum -= ops[ops.length - 1]!;
      ops[ops.length - 1] = 0;
    }
    if (ops.length - 1 > maxNesting) {
      return diag(messages.syntaxTooDeep, span(file, t), { limit: maxNesting }, { hint: "bind parts to block parameters instead of nesting them, or raise the maxNesting option" });
    }
    if (sum > maxOperators) {
      return diag(messages.expressionTooLong, span(file, t), { limit: maxOperators }, { hint: "split the arithmetic over block parameters with defaults, or raise the maxOperators option" });
    }
  }
  return undefined;
}

function syntaxDiagnostic(e: IRecognitionException, file: string, tokens: IToken[]): Diagnostic {
  let at: Span;
  if (realOffset(e.token)) at = span(file, e.token);
  else {
    const prev = (e as unknown as { previousToken?: IToken }).previousToken;
    const anchor = realOffset(prev) ? prev! : tokens[tokens.length - 1];
    at = anchor ? { file, start: anchor.endOffset! + 1, end: anchor.endOffset! + 1 } : { file, start: 0, end: 0 };
  }
  return diag(messages.syntaxError, at, { message: e.message });
}

function span(file: string, t: IToken): Span {
  return { file, start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

/** Walks the CST; tolerant of the holes error recovery leaves. */
class AstBuilder {
  constructor(
    private readonly fileName: string,
    private readonly text: string,
  ) {}

  private sp(node: CstNode): Span {
    const loc = node.location;
    let start = loc?.startOffset ?? NaN;
    let end = loc?.endOffset ?? NaN;
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      // Recovered node: compute from its real tokens.
      const toks = this.tokensOf(node);
      start = toks.length ? toks[0]!.startOffset : 0;
      end = toks.length ? toks[toks.length - 1]!.endOffset! : start;
    }
    return { file: this.fileName, start, end: end + 1 };
  }

  private tokensOf(node: CstNode): IToken[] {
    const out: IToken[] = [];
    for (const list of Object.values(node.children as Children)) {
      for (const c of list ?? []) {
        if ("tokenType" in c) {
          if (realOffset(c)) out.push(c);
        } else pushAll(out, this.tokensOf(c));
      }
    }
    return out.sort((a, b) => a.startOffset - b.startOffset);
  }

  private tsp(t: IToken | undefined, fallback: Span): Span {
    return realOffset(t) ? span(this.fileName, t!) : fallback;
  }
  private tok(node: CstNode, name: string, i = 0): IToken | undefined {
    const t = (node.children as Children)[name]?.[i];
    return t && "tokenType" in t && !t.isInsertedInRecovery ? t : undefined;
  }
  private nodes(node: CstNode, name: string): CstNode[] {
    return ((node.children as Children)[name] ?? []).filter((c): c is CstNode => !("tokenType" in c));
  }
  private node(node: CstNode, name: string): CstNode | undefined {
    return this.nodes(node, name)[0];
  }

  file(cst: CstNode | undefined): A.SpecFile {
    const whole: Span = { file: this.fileName, start: 0, end: this.text.length };
    const uses: A.UseDecl[] = [];
    const blocks: A.BlockDecl[] = [];
    const models: A.ModelDecl[] = [];
    if (cst) {
      for (const u of this.nodes(cst, "useDecl")) {
        const s = this.tok(u, "StringLiteral");
        if (s) uses.push({ kind: "use", path: unquote(s.image), span: this.sp(u) });
      }
      for (const b of this.nodes(cst, "blockDecl")) {
        const name = this.tok(b, "Identifier");
        const body = this.node(b, "body");
        if (!name) continue;
        blocks.push({
          kind: "block",
          name: name.image,
          nameSpan: this.tsp(name, this.sp(b)),
          params: this.nodes(b, "param").flatMap((p) => this.param(p)),
          body: body ? this.body(body) : [],
          span: this.sp(b),
        });
      }
      for (const md of this.nodes(cst, "modelDecl")) {
        const name = this.tok(md, "Identifier");
        const body = this.node(md, "body");
        if (!name) continue;
        models.push({ kind: "model", name: name.image, nameSpan: this.tsp(name, this.sp(md)), body: body ? this.body(body) : [], span: this.sp(md) });
      }
    }
    const byStart = (a: { span: Span }, b: { span: Span }) => a.span.start - b.span.start;
    return { kind: "file", file: this.fileName, uses, blocks: blocks.sort(byStart), models: models.sort(byStart), span: whole };
  }

  private param(p: CstNode): A.Param[] {
    const name = this.tok(p, "Identifier");
    if (!name) return [];
    const d = this.node(p, "expr");
    return [{ name: name.image, default: d ? this.expr(d) : undefined, span: this.sp(p) }];
  }

  private body(b: CstNode): A.Statement[] {
    const out: A.Statement[] = [];
    for (const st of this.nodes(b, "statement")) {
      const s = this.statement(st);
      if (s) out.push(s);
    }
    return out;
  }

  private statement(st: CstNode): A.Statement | undefined {
    const inner = this.node(st, "inputStmt") ?? this.node(st, "outputStmt") ?? this.node(st, "assertStmt") ?? this.node(st, "bindStmt")
      ?? this.node(st, "tensorStmt") ?? this.node(st, "allowStmt");
    if (!inner) return undefined;
    const s = this.sp(inner);
    switch (inner.name) {
      case "inputStmt": {
        const name = this.tok(inner, "Identifier");
        if (!name) return undefined;
        const shape = this.node(inner, "expr");
        return { kind: "input", name: name.image, nameSpan: this.tsp(name, s), shape: shape ? this.expr(shape) : undefined, span: s };
      }
      case "outputStmt": {
        const chain = this.node(inner, "chain");
        const c = chain && this.chain(chain);
        const name = this.tok(inner, "name");
        if (!c) return undefined;
        return name ? { kind: "output", name: name.image, nameSpan: this.tsp(name, s), chain: c, span: s } : { kind: "output", chain: c, span: s };
      }
      case "tensorStmt": {
        const kind = this.tok(inner, "kind");
        const name = this.tok(inner, "name");
        const shape = this.node(inner, "expr");
        if (!kind || !name || !shape) return undefined;
        return { kind: "tensor", trainable: kind.image === "param", name: name.image, nameSpan: this.tsp(name, s), shape: this.expr(shape), span: s };
      }
      case "allowStmt": {
        const codes = ((inner.children as Children)["codes"] ?? []) as IToken[];
        return { kind: "allow", codes: codes.filter((t) => realOffset(t)).map((t) => ({ code: t.image, span: span(this.fileName, t) })), span: s };
      }
      case "bindStmt": {
        const name = this.tok(inner, "Identifier");
        const chain = this.node(inner, "chain");
        const c = chain && this.chain(chain);
        if (!name || !c) return undefined;
        const others: { name: string; nameSpan: Span }[] = [];
        for (let i = 1, t = this.tok(inner, "Identifier", 1); t; t = this.tok(inner, "Identifier", ++i)) others.push({ name: t.image, nameSpan: this.tsp(t, s) });
        return { kind: "bind", name: name.image, nameSpan: this.tsp(name, s), chain: c, span: s, ...(others.length > 0 ? { others } : {}) };
      }
      case "assertStmt": {
        const lhs = this.node(inner, "lhs");
        const rhs = this.node(inner, "rhs");
        const op = this.tok(inner, "op");
        if (!lhs || !rhs || !op) return undefined;
        return { kind: "assert", lhs: this.expr(lhs), op: op.image as A.CompareOp, rhs: this.expr(rhs), span: s };
      }
    }
    return undefined;
  }

  private chain(c: CstNode): A.Chain | undefined {
    const src = this.node(c, "source");
    const source = src && this.step(src);
    if (!source) return undefined;
    const steps = this.nodes(c, "step").flatMap((st) => this.step(st) ?? []);
    return { kind: "chain", source, steps, span: this.sp(c) };
  }

  private step(st: CstNode): A.Step | undefined {
    const call = this.node(st, "call");
    const cl = call && this.call(call);
    if (!cl) return undefined;
    const label = this.tok(st, "label");
    const rep = this.node(st, "repeat");
    return {
      kind: "step",
      call: cl,
      label: label?.image,
      labelSpan: label ? this.tsp(label, this.sp(st)) : undefined,
      repeat: rep ? this.atom(rep) : undefined,
      span: this.sp(st),
    };
  }

  private call(c: CstNode): A.Call | undefined {
    const name = this.tok(c, "Identifier");
    if (!name) return undefined;
    const args = this.nodes(c, "arg").flatMap((a) => this.arg(a));
    return { kind: "call", name: name.image, nameSpan: this.tsp(name, this.sp(c)), args, hasParens: !!this.tok(c, "LParen"), span: this.sp(c) };
  }

  private arg(a: CstNode): A.Arg[] {
    const e = this.node(a, "expr");
    if (!e) return [];
    const name = this.tok(a, "name");
    return [{ name: name?.image, nameSpan: name ? this.tsp(name, this.sp(a)) : undefined, value: this.expr(e), span: this.sp(a) }];
  }

  private binary(n: CstNode, sub: (c: CstNode) => A.Expr): A.Expr {
    const operands = this.nodes(n, "operands").map(sub);
    const ops = ((n.children as Children)["ops"] ?? []) as IToken[];
    let acc = operands[0] ?? this.missing(n);
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i]!;
      const op = (ops[i - 1]?.image ?? "+") as A.BinaryOp;
      acc = { kind: "binary", op, left: acc, right, span: { file: this.fileName, start: acc.span.start, end: right.span.end } };
    }
    return acc;
  }

  private missing(n: CstNode): A.Expr {
    return { kind: "name", name: "", span: this.sp(n) };
  }

  expr(e: CstNode): A.Expr {
    return this.binary(e, (t) => this.binary(t, (u) => this.unary(u)));
  }

  private unary(u: CstNode): A.Expr {
    const inner = this.node(u, "unary");
    if (inner) return { kind: "neg", operand: this.unary(inner), span: this.sp(u) };
    const p = this.node(u, "primary");
    return p ? this.primary(p) : this.missing(u);
  }

  private primary(p: CstNode): A.Expr {
    const s = this.sp(p);
    const atom = this.node(p, "atom");
    if (atom) return this.atom(atom);
    const str = this.tok(p, "StringLiteral");
    if (str) return { kind: "string", value: unquote(str.image), span: s };
    if (this.tok(p, "True")) return { kind: "bool", value: true, span: s };
    if (this.tok(p, "False")) return { kind: "bool", value: false, span: s };
    if (this.tok(p, "Output")) return { kind: "name", name: "output", span: s };
    const list = this.node(p, "list");
    if (list) return { kind: "list", items: this.nodes(list, "expr").map((x) => this.expr(x)), span: this.sp(list) };
    return this.missing(p);
  }

  private atom(a: CstNode): A.Expr {
    const s = this.sp(a);
    const num = this.tok(a, "NumberLiteral");
    if (num) return { kind: "number", text: num.image, span: s };
    const call = this.node(a, "call");
    if (call) {
      const c = this.call(call);
      if (!c) return this.missing(a);
      return c.hasParens ? { kind: "call", callee: c.name, calleeSpan: c.nameSpan, args: c.args, span: s } : { kind: "name", name: c.name, span: s };
    }
    const inner = this.node(a, "expr");
    return inner ? this.expr(inner) : this.missing(a);
  }
}

function unquote(image: string): string {
  try {
    return JSON.parse(image) as string;
  } catch {
    return image.length > 1 && image.endsWith('"') ? image.slice(1, -1) : image.slice(1);
  }
}
