/**
 * Resolves a layer call's arguments against its family's schema: positional then named,
 * defaults filled in, each value checked against its type. Returns undefined on any error.
 */
import type { Arg } from "../ast/nodes.js";
import { diag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { ArgSpec, ArgType, ArgValue, LayerSchema } from "../families/schema.js";
import { didYouMean } from "../util/suggest.js";
import { pytorchArgumentHint } from "../ast/pytorch.js";
import { describeKind, evaluate, showValue, type Env, type Value } from "./values.js";
import { dict } from "../util/dict.js";

const MAX_EXACT = 2n ** 53n;

interface Ctx {
  readonly callee: string;
  readonly name: string;
  readonly span: Span;
  readonly diags: Diagnostic[];
  readonly env: Env;
}

/** Assigns written arguments to schema slots; reports unknown, duplicate and surplus ones. */
export function bindArguments(
  callee: string,
  specs: readonly { name: string; namedOnly?: boolean }[],
  args: readonly Arg[],
  callSpan: Span,
  diags: Diagnostic[],
  kind: "layer" | "block",
): Map<string, Arg> | undefined {
  const bound = new Map<string, Arg>();
  const positional = specs.filter((s) => !s.namedOnly);
  let ok = true;
  let pos = 0;
  let seenNamed = false;
  for (const a of args) {
    if (a.name === undefined) {
      if (seenNamed) {
        diags.push(diag(messages.syntaxError, a.span, { message: `positional argument after a named one in ${callee}(...)` }, { hint: "write positional arguments first, then name=value" }));
        ok = false;
        continue;
      }
      const spec = positional[pos++];
      if (!spec) {
        const count = args.filter((x) => x.name === undefined).length;
        diags.push(
          kind === "layer"
            ? diag(messages.tooManyArguments, a.span, { callee, max: positional.length, count }, { hint: `${callee} takes (${positional.map((s) => s.name).join(", ")})` })
            : diag(messages.tooManyBlockArguments, a.span, { block: callee, max: positional.length, count }, { hint: `block ${callee}(${positional.map((s) => s.name).join(", ")})` }),
        );
        return undefined;
      }
      bound.set(spec.name, a);
    } else {
      seenNamed = true;
      const spec = specs.find((s) => s.name === a.name);
      const at = a.nameSpan ?? a.span;
      if (!spec) {
        const hint = pytorchArgumentHint(a.name, specs.map((s) => s.name)) ?? didYouMean(a.name, specs.map((s) => s.name)) ?? `${callee} takes ${specs.map((s) => s.name).join(", ") || "no arguments"}`;
        diags.push(
          kind === "layer"
            ? diag(messages.unknownArgument, at, { callee, name: a.name }, { hint })
            : diag(messages.unknownBlockArgument, at, { block: callee, name: a.name }, { hint }),
        );
        ok = false;
        continue;
      }
      const prev = bound.get(a.name);
      if (prev) {
        diags.push(diag(messages.duplicateArgument, at, { callee, name: a.name }, { related: [{ span: prev.span, message: "first given here" }] }));
        ok = false;
        continue;
      }
      bound.set(a.name, a);
    }
  }
  void callSpan;
  return ok ? bound : undefined;
}

/** Resolves every argument of a layer call into IR values. */
export function resolveLayerArgs(
  schema: LayerSchema,
  callee: string,
  args: readonly Arg[],
  callSpan: Span,
  env: Env,
  diags: Diagnostic[],
): Record<string, ArgValue> | undefined {
  const bound = bindArguments(callee, schema.args, args, callSpan, diags, "layer");
  if (!bound) return undefined;
  const out = dict<ArgValue>();
  let ok = true;
  for (const spec of schema.args) {
    const a = bound.get(spec.name);
    if (!a) {
      if (spec.default === undefined) {
        diags.push(diag(messages.missingArgument, callSpan, { callee, name: spec.name }, { hint: `${callee}(${schema.args.filter((s) => s.default === undefined).map((s) => s.name).join(", ")})` }));
        ok = false;
      } else out[spec.name] = spec.default;
      continue;
    }
    const v = evaluate(a.value, env, diags);
    if (!v) {
      ok = false;
      continue;
    }
    const before = diags.length;
    const r = coerce(spec, v, { callee, name: spec.name, span: a.value.span, diags, env });
    if (r === undefined) {
      ok = false;
      shiftedCountHint(schema, callee, spec, a, v, out, diags, before);
    } else out[spec.name] = r;
    if (spec.usualBelow !== undefined && a.name === undefined && typeof r === "number" && r >= spec.usualBelow) {
      // The positional arguments before it, as resolved (groupnorm(4, 16) → groupnorm(4)).
      const earlier = schema.args.slice(0, schema.args.indexOf(spec)).filter((s) => bound.has(s.name) && bound.get(s.name)!.name === undefined);
      const kept = earlier.map((s) => JSON.stringify(out[s.name]).replaceAll(",", ", "));
      diags.push(diag(messages.unusualPositional, a.value.span, { callee, name: spec.name, value: String(r) }, {
        hint: `ConvSpec takes the channel count from the input, so PyTorch's count is not written: ${callee}${kept.length > 0 ? `(${kept.join(", ")})` : ""}; if ${r} is meant, write ${spec.name}=${r}`,
      }));
    }
  }
  return ok ? out : undefined;
}

/**
 * A whole number refused by a flag given by position after a whole number (`attention(64, 4)`,
 * nn.MultiheadAttention(embed_dim, num_heads)'s order): the first is most likely PyTorch's
 * channel count, which ConvSpec takes from the input. The type error gets that as its hint.
 */
function shiftedCountHint(schema: LayerSchema, callee: string, spec: ArgSpec, a: Arg, v: Value, out: Record<string, ArgValue>, diags: Diagnostic[], before: number): void {
  const last = diags[diags.length - 1];
  if (diags.length !== before + 1 || last?.code !== messages.argumentType.code || last.hint !== undefined) return;
  const positional = schema.args.filter((s) => !s.namedOnly);
  const prev = positional[positional.indexOf(spec) - 1];
  if (spec.type.t !== "bool" || v.kind !== "int" || a.name !== undefined || !prev || typeof out[prev.name] !== "number") return;
  diags[diags.length - 1] = {
    ...last,
    hint: `${callee}(${out[prev.name]}, ${v.value}) reads ${v.value} as ${spec.name}; if ${out[prev.name]} is PyTorch's channel count (ConvSpec takes it from the input), write ${callee}(${v.value})`,
  };
}

function typeError(ctx: Ctx, expected: string, v: Value): undefined {
  if (v.kind === "word") {
    const hint = didYouMean(v.value, ctx.env.keys());
    if (hint || ctx.env.size > 0) {
      ctx.diags.push(diag(messages.unknownName, ctx.span, { name: v.value }, { hint: hint ?? `${ctx.name} must be ${expected}` }));
      return undefined;
    }
  }
  ctx.diags.push(diag(messages.argumentType, ctx.span, { callee: ctx.callee, name: ctx.name, expected, actual: describeKind(v) }));
  return undefined;
}

/** A word that is a boolean in other capitalisation (Python's True and False, TRUE). */
function pythonBool(v: Value): v is Extract<Value, { kind: "word" }> {
  return v.kind === "word" && /^(true|false)$/i.test(v.value);
}

/** CS2006 for `bias=False`, with the lower-case spelling as the hint. */
function boolCase(ctx: Ctx, v: Extract<Value, { kind: "word" }>): undefined {
  const hint = `ConvSpec booleans are lower case: ${v.value.toLowerCase()}`;
  ctx.diags.push(diag(messages.argumentType, ctx.span, { callee: ctx.callee, name: ctx.name, expected: "true or false", actual: describeKind(v) }, { hint }));
  return undefined;
}

function int(v: Value, ctx: Ctx, min: number, expected: string): number | undefined {
  if (v.kind !== "int") return typeError(ctx, expected, v);
  if (v.value >= MAX_EXACT || v.value <= -MAX_EXACT) {
    ctx.diags.push(diag(messages.integerTooLarge, ctx.span, { value: String(v.value), limit: "2^53" }));
    return undefined;
  }
  if (v.value < BigInt(min)) {
    ctx.diags.push(diag(messages.argumentRange, ctx.span, { callee: ctx.callee, name: ctx.name, value: String(v.value), reason: `must be at least ${min}` }));
    return undefined;
  }
  return Number(v.value);
}

function real(v: Value, ctx: Ctx, t: { min?: number; max?: number }): number | undefined {
  if (v.kind !== "int" && v.kind !== "real") return typeError(ctx, "a number", v);
  const x = Number(v.value);
  if (!Number.isFinite(x)) return typeError(ctx, "a finite number", v);
  if ((t.min !== undefined && x < t.min) || (t.max !== undefined && x > t.max)) {
    const range = t.max === undefined ? `at least ${t.min}` : t.min === undefined ? `at most ${t.max}` : `between ${t.min} and ${t.max}`;
    ctx.diags.push(diag(messages.argumentRange, ctx.span, { callee: ctx.callee, name: ctx.name, value: showValue(v), reason: `must be ${range}` }));
    return undefined;
  }
  return x;
}

function listOf<T>(v: Value, ctx: Ctx, each: (x: Value) => T | undefined, expected: string): T[] | undefined {
  if (v.kind !== "list") return typeError(ctx, expected, v);
  if (v.items.length === 0) return typeError(ctx, expected, v);
  const out: T[] = [];
  for (const it of v.items) {
    const r = each(it);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

const PAD_WORDS = ["valid", "same", "full"];

function coerceType(t: ArgType, v: Value, ctx: Ctx): ArgValue | undefined {
  switch (t.t) {
    case "int":
      // A bound of -2^53 + 1 (slice bounds, indices) is "any integer".
      return int(v, ctx, t.min ?? 0, `an integer${t.min && t.min > -Number.MAX_SAFE_INTEGER ? ` ≥ ${t.min}` : ""}`);
    case "axis":
      return int(v, ctx, -64, "an axis number");
    case "axes": {
      const expected = "a list of axes (0 = channels, negative from the end) or all";
      if (v.kind === "word" && v.value === "all") return "all";
      if (v.kind === "list") return listOf(v, ctx, (x) => int(x, ctx, -64, expected), expected);
      const one = int(v, ctx, -64, expected);
      return one === undefined ? undefined : [one];
    }
    case "real":
      return real(v, ctx, t);
    case "bool":
      if (v.kind === "bool") return v.value;
      return pythonBool(v) ? boolCase(ctx, v) : typeError(ctx, "true or false", v);
    case "word":
      if (v.kind === "word" || v.kind === "string") {
        if (t.words.includes(v.value)) return v.value;
        ctx.diags.push(diag(messages.unknownWord, ctx.span, { callee: ctx.callee, name: ctx.name, value: v.value, allowed: t.words.join(", ") }, { hint: didYouMean(v.value, t.words) }));
        return undefined;
      }
      return typeError(ctx, `one of ${t.words.join(", ")}`, v);
    case "ints": {
      const expected = `an integer${t.min ? ` ≥ ${t.min}` : ""} or a list of them (one per spatial axis)`;
      if (v.kind === "list") return listOf(v, ctx, (x) => int(x, ctx, t.min ?? 0, expected), expected);
      return int(v, ctx, t.min ?? 0, expected);
    }
    case "reals": {
      if (v.kind === "list") return listOf(v, ctx, (x) => real(x, ctx, t), "a number or a list of numbers");
      return real(v, ctx, t);
    }
    case "padding": {
      const expected = "an integer ≥ 0, valid, same, full, or a list of integers or [before, after] pairs";
      if (v.kind === "word" || v.kind === "string") {
        if (PAD_WORDS.includes(v.value)) return v.value;
        if (ctx.env.has(v.value)) return typeError(ctx, expected, v);
        ctx.diags.push(diag(messages.unknownWord, ctx.span, { callee: ctx.callee, name: ctx.name, value: v.value, allowed: `an integer, ${PAD_WORDS.join(", ")}` }, { hint: didYouMean(v.value, [...PAD_WORDS, ...ctx.env.keys()]) }));
        return undefined;
      }
      if (v.kind === "list") {
        return listOf<ArgValue>(v, ctx, (x) => {
          if (x.kind === "list") {
            if (x.items.length !== 2) return typeError(ctx, "a [before, after] pair", x);
            const b = int(x.items[0]!, ctx, 0, expected);
            const a = int(x.items[1]!, ctx, 0, expected);
            return b === undefined || a === undefined ? undefined : [b, a];
          }
          return int(x, ctx, 0, expected);
        }, expected);
      }
      return int(v, ctx, 0, expected);
    }
    case "tensor":
      // Expansion binds tensor arguments before this point (expand.ts, tensorArgs).
      return typeError(ctx, "a tensor name", v);
    case "shape": {
      const expected = "a list of integers ≥ 1 (one may be -1)";
      const dims = listOf(v, ctx, (x) => int(x, ctx, -1, expected), expected);
      if (!dims) return undefined;
      if (dims.includes(0) || dims.filter((d) => d === -1).length > 1) return typeError(ctx, expected, v);
      return dims;
    }
  }
}

function coerce(spec: ArgSpec, v: Value, ctx: Ctx): ArgValue | undefined {
  return coerceType(spec.type, v, ctx);
}
