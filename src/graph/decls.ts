/**
 * Declarations inside a model or block body that expansion reads before or beside its chains:
 * `allow` codes, and the shapes of inputs, params and buffers.
 */
import type * as A from "../ast/nodes.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { allCodes, allowProblem } from "../diagnostics/allow.js";
import { didYouMean } from "../util/suggest.js";
import { evaluate, showValue, type Env } from "./values.js";

/** The warning codes the `allow` statements of `body` add to the enclosing scope's (CS2044 for the rest). */
export function allowedIn(body: readonly A.Statement[], outer: ReadonlySet<string>, diags: Diagnostic[]): Set<string> {
  const out = new Set(outer);
  for (const st of body) {
    if (st.kind !== "allow") continue;
    for (const c of st.codes) {
      const problem = allowProblem(c.code);
      if (problem) diags.push(diag(messages.badAllow, c.span, { code: c.code, reason: problem }, { hint: problem.startsWith("no ") ? didYouMean(c.code, allCodes()) : "fix the error instead" }));
      else out.add(c.code);
    }
  }
  return out;
}

/** The declared shape of a model input, param or buffer: 1 to 4 sizes ≥ 1 (CS2026 otherwise). */
export function declaredShape(name: string, e: A.Expr, env: Env, what: "input" | "param" | "buffer", diags: Diagnostic[]): number[] | undefined {
  const v = evaluate(e, env, diags);
  if (!v) return undefined;
  const reason = (r: string) => {
    const hint = what === "input" ? "channels first, without the batch axis: [C, L], [C, H, W] or [C, D, H, W]" : `channels first, without the batch axis; size 1 on the axes it broadcasts along: ${what} ${name}: [C, 1, 1]`;
    diags.push(diag(messages.badInputShape, e.span, { what, name, reason: r }, { hint }));
    return undefined;
  };
  if (v.kind !== "list") return reason(`the shape must be a list of sizes, got ${showValue(v)}`);
  if (v.items.length < 1 || v.items.length > 4) return reason(`a shape has 1 to 4 axes, got ${v.items.length}`);
  const dims: number[] = [];
  for (const it of v.items) {
    if (it.kind !== "int" || it.value < 1n) return reason(`every size must be an integer ≥ 1, got ${showValue(it)}`);
    if (it.value >= 2n ** 53n) {
      diags.push(diag(messages.integerTooLarge, e.span, { value: String(it.value), limit: "2^53" }));
      return undefined;
    }
    dims.push(Number(it.value));
  }
  return dims;
}

/** The `input` lines of a block, in order: the first reads the chain's tensor. */
export function blockInputDecls(decl: A.BlockDecl): Extract<A.Statement, { kind: "input" }>[] {
  return decl.body.filter((s): s is Extract<A.Statement, { kind: "input" }> => s.kind === "input");
}

/**
 * What a block call's arguments bind to: its parameters (positional or by name), then each
 * input after the first, by name only (`skip=s`; several inputs are an extension beyond 1.1).
 */
export function blockArgSpecs(decl: A.BlockDecl): { name: string; namedOnly?: boolean }[] {
  return [...decl.params, ...blockInputDecls(decl).slice(1).map((i) => ({ name: i.name, namedOnly: true }))];
}
