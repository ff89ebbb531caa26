/**
 * Values of ConvSpec expressions, kept exact: integers are bigint, so `2^53 + 1` stays itself;
 * a division that does not come out even gives a real number.
 */
import type { Expr } from "../ast/nodes.js";
import { diag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { didYouMean } from "../util/suggest.js";
import { FUNCTIONS, applyFunction, applyOp, isFunction, type BinaryOp, type Num } from "./arith.js";

export type Value =
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "real"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "word"; readonly value: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "list"; readonly items: readonly Value[] };

const SUFFIX: Record<string, bigint> = {
  K: 1000n, M: 1000_000n, G: 1000_000_000n, T: 1000_000_000_000n,
  KiB: 1024n, MiB: 1024n ** 2n, GiB: 1024n ** 3n, TiB: 1024n ** 4n,
};

/** Largest decimal exponent a literal may reach; past it the literal is refused, not rounded. */
const MAX_DIGITS = 40;

/** Parses a number literal exactly: `61_706`, `1e-4`, `140M`, `512MiB`, `0.5`. */
export function parseNumber(text: string): { value?: Value; error?: string } {
  const m = /^(\d[\d_]*)(?:\.(\d[\d_]*))?(?:[eE]([+-]?\d+))?(KiB|MiB|GiB|TiB|K|M|G|T)?$/.exec(text);
  if (!m) return { error: "not a number" };
  if (/__|_$|_\./.test(text)) return { error: "'_' may only stand between digits" };
  const intPart = m[1]!.replace(/_/g, "");
  const frac = (m[2] ?? "").replace(/_/g, "");
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  const mult = m[4] ? SUFFIX[m[4]]! : 1n;
  const digits = (intPart + frac).replace(/^0+(?=\d)/, "");
  const scale = exp - frac.length;
  if (digits.length + scale > MAX_DIGITS) return { error: `more than ${MAX_DIGITS} digits` };
  const mant = BigInt(digits);
  if (scale >= 0) return { value: { kind: "int", value: mant * 10n ** BigInt(scale) * mult } };
  const div = 10n ** BigInt(-scale);
  const num = mant * mult;
  if (num % div === 0n) return { value: { kind: "int", value: num / div } };
  return { value: { kind: "real", value: Number(`${intPart}.${frac}e${exp}`) * Number(mult) } };
}

export function toNumber(v: Value): number | undefined {
  if (v.kind === "int") return Number(v.value);
  if (v.kind === "real") return v.value;
  return undefined;
}

export function showValue(v: Value): string {
  switch (v.kind) {
    case "int":
    case "real":
    case "bool":
      return String(v.value);
    case "word":
      return v.value;
    case "string":
      return JSON.stringify(v.value);
    case "list":
      return `[${v.items.map(showValue).join(", ")}]`;
  }
}

export function describeKind(v: Value): string {
  switch (v.kind) {
    case "int":
      return `the integer ${v.value}`;
    case "real":
      return `the number ${v.value}`;
    case "bool":
      return `${v.value}`;
    case "word":
      return `the word ${v.value}`;
    case "string":
      return `the string ${JSON.stringify(v.value)}`;
    case "list":
      return `the list ${showValue(v)}`;
  }
}

export type Env = ReadonlyMap<string, Value>;

/**
 * Evaluates an expression in an environment of block parameters. A bare name that is not a
 * parameter evaluates to a word (`same`, `zeros`), for the argument schema to accept or refuse.
 */
export function evaluate(e: Expr, env: Env, diags: Diagnostic[]): Value | undefined {
  switch (e.kind) {
    case "number": {
      const r = parseNumber(e.text);
      if (r.error) {
        diags.push(diag(messages.invalidNumber, e.span, { text: e.text, reason: r.error }));
        return undefined;
      }
      return r.value;
    }
    case "string":
      return { kind: "string", value: e.value };
    case "bool":
      return { kind: "bool", value: e.value };
    case "name":
      if (e.name === "") return undefined;
      return env.get(e.name) ?? { kind: "word", value: e.name };
    case "list": {
      const items: Value[] = [];
      for (const it of e.items) {
        const v = evaluate(it, env, diags);
        if (!v) return undefined;
        items.push(v);
      }
      return { kind: "list", items };
    }
    case "neg": {
      const v = evaluate(e.operand, env, diags);
      if (!v) return undefined;
      if (v.kind === "int") return { kind: "int", value: -v.value };
      if (v.kind === "real") return { kind: "real", value: -v.value };
      return arithmeticError(e.span, `cannot negate ${describeKind(v)}`, diags, v, env);
    }
    case "binary": {
      const a = evaluate(e.left, env, diags);
      const b = evaluate(e.right, env, diags);
      if (!a || !b) return undefined;
      return arithmetic(e.op, a, b, e.span, diags, env);
    }
    case "call":
      if (isFunction(e.callee)) return callFunction(e, env, diags);
      diags.push(diag(messages.expressionError, e.span, { reason: `${e.callee}(...) is not a value here` }, { hint: `the functions are ${Object.keys(FUNCTIONS).join(", ")}; quantities like shape(x) and params(x) are for assert lines` }));
      return undefined;
  }
}

function arithmeticError(span: Span, reason: string, diags: Diagnostic[], v: Value, env: Env): undefined {
  const hint = v.kind === "word" ? didYouMean(v.value, env.keys()) : undefined;
  if (v.kind === "word") diags.push(diag(messages.unknownName, span, { name: v.value }, { hint }));
  else if (v.kind === "list") {
    diags.push(diag(messages.expressionError, span, { reason }, { hint: "a list takes no arithmetic (it is passed on whole: kernel=k); for a padding, write padding=same or pass the padding as a list parameter of its own" }));
  } else diags.push(diag(messages.expressionError, span, { reason }));
  return undefined;
}

function arithmetic(op: BinaryOp, a: Value, b: Value, span: Span, diags: Diagnostic[], env: Env): Value | undefined {
  for (const v of [a, b]) {
    if (v.kind !== "int" && v.kind !== "real") return arithmeticError(span, `'${op}' needs numbers, got ${describeKind(v)}`, diags, v, env);
  }
  return fromNum(applyOp(op, toNum(a)!, toNum(b)!), span, diags);
}

/** An int or real value as a number of src/graph/arith.ts. */
function toNum(v: Value): Num | undefined {
  return v.kind === "int" ? v.value : v.kind === "real" ? v.value : undefined;
}

/** A result of src/graph/arith.ts as a value, refusing integers past the exact range. */
function fromNum(r: Num | { error: string }, span: Span, diags: Diagnostic[]): Value | undefined {
  if (typeof r === "object") {
    diags.push(diag(messages.expressionError, span, { reason: r.error }));
    return undefined;
  }
  if (typeof r === "number") return { kind: "real", value: r };
  const limit = 10n ** BigInt(MAX_DIGITS);
  if (r > limit || r < -limit) {
    diags.push(diag(messages.integerTooLarge, span, { value: String(r), limit: `1e${MAX_DIGITS}` }));
    return undefined;
  }
  return { kind: "int", value: r };
}

/** `floor(x)`, `min(a, b)`, `make_divisible(v, d)`, ...: a built-in function of numbers. */
function callFunction(e: Extract<Expr, { kind: "call" }>, env: Env, diags: Diagnostic[]): Value | undefined {
  const [lo, hi] = FUNCTIONS[e.callee]!;
  const named = e.args.find((a) => a.name !== undefined);
  if (named || e.args.length < lo || e.args.length > hi) {
    const want = lo === hi ? `${lo} argument${lo === 1 ? "" : "s"}` : `${lo} or more arguments`;
    const reason = named ? `${e.callee}(...) takes its arguments by position, not ${named.name}=` : `${e.callee}(...) takes ${want}, got ${e.args.length}`;
    diags.push(diag(messages.expressionError, e.span, { reason }));
    return undefined;
  }
  const args: Num[] = [];
  for (const a of e.args) {
    const v = evaluate(a.value, env, diags);
    if (!v) return undefined;
    const n = toNum(v);
    if (n === undefined) return arithmeticError(a.value.span, `${e.callee}(...) needs numbers, got ${describeKind(v)}`, diags, v, env);
    args.push(n);
  }
  return fromNum(applyFunction(e.callee, args), e.span, diags);
}
