/**
 * Evaluates a model's `assert` lines (resolved in src/graph/asserts.ts) against its analysis:
 * numbers compare exactly, lists per axis, a number against a list compares with every axis.
 */
import { groupDigits } from "../util/format.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { location, type SourceLookup } from "../diagnostics/render.js";
import type { AssertExpr, AssertIR, Target } from "../graph/ir.js";
import type { BinaryOp, CompareOp } from "../ast/nodes.js";
import { applyFunction, applyOp } from "../graph/arith.js";
import type { AssertResult, AssertValue, LayerFacts, Totals } from "./types.js";

type Scalar = bigint | number;
type Value = AssertValue;

/** What assertions read: the model's totals and layers, the shapes of its inputs by node. */
export interface AssertScope {
  readonly totals: Totals;
  readonly layers: readonly LayerFacts[];
  /** Output shape of every node (inputs included), by node id. */
  readonly shapeOf: (node: number) => readonly number[] | undefined;
}

class EvalError extends Error {}

function isList(v: Value): v is readonly Scalar[] {
  return Array.isArray(v);
}

/** 61,706 · 0.5 · [96, 55, 55]. */
export function showValue(v: Value): string {
  // Inside a list, digits group with '_' (as ConvSpec writes numbers): "[8, 12_345]", never "[8, 12,345]".
  if (isList(v)) return `[${v.map((x) => showValue(x).replaceAll(",", "_")).join(", ")}]`;
  return groupDigits(v);
}

function targetValue(q: string, t: Target, s: AssertScope): Value {
  const facts = new Map(s.layers.map((l) => [l.node, l]));
  if (q === "shape") {
    const shape = s.shapeOf(t.node);
    if (!shape) throw new EvalError(`the shape of ${t.name} is unknown`);
    return shape;
  }
  if (q === "rf") {
    const f = facts.get(t.node);
    if (!f) return s.shapeOf(t.node)!.slice(1).map(() => 1); // a model input sees itself
    if (f.rf.notSpatial !== undefined) throw new EvalError(`${t.name} has no spatial receptive field (${f.rf.notSpatial})`);
    return f.rf.size;
  }
  const members = t.members.map((id) => facts.get(id)).filter((f): f is LayerFacts => f !== undefined);
  const sum = (pick: (f: LayerFacts) => bigint) => members.reduce((a, f) => a + pick(f), 0n);
  switch (q) {
    case "params":
    case "trainable_params": return sum((f) => f.trainableParams);
    case "non_trainable_params": return sum((f) => f.nonTrainableParams);
    case "macs": return sum((f) => f.macs);
    case "flops": return sum((f) => f.flops);
    case "memory": return sum((f) => f.activationBytes);
    case "layers": return BigInt(members.length);
  }
  throw new EvalError(`${q}(...) is not a per-layer quantity`);
}

function modelValue(q: string, s: AssertScope): Value {
  const t = s.totals;
  const table: Record<string, bigint> = {
    params: t.params, trainable_params: t.trainableParams, non_trainable_params: t.nonTrainableParams,
    macs: t.macs, flops: t.flops, memory: t.activationBytes, peak_memory: t.peakActivationBytes,
    training_memory: t.trainingBytes, param_memory: t.paramBytes, layers: BigInt(s.layers.length),
  };
  const v = Object.hasOwn(table, q) ? table[q] : undefined;
  if (v === undefined) throw new EvalError(`${q} needs a layer`);
  return v;
}

/** One arithmetic step; a division by zero ends the assert's evaluation. */
function arith(op: BinaryOp, a: Scalar, b: Scalar): Scalar {
  const r = applyOp(op, a, b);
  if (typeof r === "object") throw new EvalError(r.error);
  return r;
}

function evaluate(e: AssertExpr, s: AssertScope): Value {
  switch (e.kind) {
    case "number": return e.value;
    case "list": return e.items.map((x) => scalar(evaluate(x, s)));
    case "neg": {
      const v = scalar(evaluate(e.operand, s));
      return typeof v === "bigint" ? -v : -v;
    }
    case "binary": return arith(e.op, scalar(evaluate(e.left, s)), scalar(evaluate(e.right, s)));
    case "function": {
      const r = applyFunction(e.name, e.args.map((x) => scalar(evaluate(x, s))));
      if (typeof r === "object") throw new EvalError(r.error);
      return r;
    }
    case "quantity": return e.target ? targetValue(e.quantity, e.target, s) : modelValue(e.quantity, s);
  }
}

function scalar(v: Value): Scalar {
  if (Array.isArray(v)) throw new EvalError("a list cannot take part in arithmetic or nest");
  return v as Scalar;
}

/** -1, 0, 1; exact for bigints and integral numbers. */
function cmp(a: Scalar, b: Scalar): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const toBig = (x: Scalar) => (typeof x === "bigint" ? x : Number.isInteger(x) ? BigInt(x) : undefined);
  const [ba, bb] = [toBig(a), toBig(b)];
  if (ba !== undefined && bb !== undefined) return ba < bb ? -1 : ba > bb ? 1 : 0;
  const d = Number(a) - Number(b);
  return Math.abs(d) < 1e-9 * Math.max(1, Math.abs(Number(b))) ? 0 : Math.sign(d);
}

const HOLDS: Record<CompareOp, (c: number) => boolean> = {
  "==": (c) => c === 0, "!=": (c) => c !== 0, "<": (c) => c < 0, "<=": (c) => c <= 0, ">": (c) => c > 0, ">=": (c) => c >= 0,
};

function compare(op: CompareOp, l: Value, r: Value): boolean {
  const la = Array.isArray(l) ? (l as Scalar[]) : undefined;
  const ra = Array.isArray(r) ? (r as Scalar[]) : undefined;
  if (!la && !ra) return HOLDS[op](cmp(l as Scalar, r as Scalar));
  const left = la ?? ra!.map(() => l as Scalar);
  const right = ra ?? la!.map(() => r as Scalar);
  if (left.length !== right.length) return op === "!=";
  const each = left.map((x, i) => cmp(x, right[i]!));
  return op === "!=" ? each.some((c) => c !== 0) : each.every(HOLDS[op]);
}

/** `; off by +1,024 (+1.7%)`, or per axis for lists. */
function gap(l: Value, r: Value): string {
  if (Array.isArray(l) || Array.isArray(r)) {
    const la = Array.isArray(l) ? (l as Scalar[]) : undefined;
    const ra = Array.isArray(r) ? (r as Scalar[]) : undefined;
    if (la && ra && la.length !== ra.length) return ` (${la.length} axes vs ${ra.length})`;
    const left = la ?? ra!.map(() => l as Scalar);
    const right = ra ?? la!.map(() => r as Scalar);
    return ` (differences per axis: ${showValue(left.map((x, i) => arith("-", x, right[i]!)))})`;
  }
  const d = arith("-", l as Scalar, r as Scalar);
  const sign = cmp(d, 0) > 0 ? "+" : "";
  const pct = (Number(d) / Number(r)) * 100;
  const rel = Number(r) !== 0 ? ` (${sign}${Math.abs(pct) >= 100 ? groupDigits(Math.round(pct)) : pct.toPrecision(3)}%)` : "";
  return `; off by ${sign}${showValue(d)}${rel}`;
}

/** Evaluates every assertion; a failure adds an error diagnostic at the assert's span. */
export function evaluateAsserts(asserts: readonly AssertIR[], scope: AssertScope, diags: Diagnostic[], sources?: SourceLookup): AssertResult[] {
  return asserts.map((a) => {
    let l: Value;
    let r: Value;
    try {
      l = evaluate(a.lhs, scope);
      r = evaluate(a.rhs, scope);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      diags.push(diag(messages.badAssert, a.span, { reason: e.message }));
      return { assert: a, pass: false, actual: "?", expected: "?", message: `assert ${a.text}: ${e.message}` };
    }
    const pass = compare(a.op, l, r);
    const actual = showValue(l);
    const expected = showValue(r);
    const values = { actualValue: l, expectedValue: r };
    if (pass) return { assert: a, pass, actual, expected, ...values, message: "" };
    const g = gap(l, r);
    const where = sources ? location(a.span, sources) : a.span.file;
    const text = a.text.startsWith("assert") ? a.text : `assert ${a.text}`;
    const d = diag(messages.assertFailed, a.span, { text, actual, expected, gap: g });
    diags.push(d);
    return { assert: a, pass, actual, expected, ...values, message: `${where}: ${d.message}` };
  });
}
