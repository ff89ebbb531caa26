/**
 * Numbers as operands of a merge (`mul(y, 0.2)`, ESRGAN's residual scaling; `add(y, 1)`): an
 * extension beyond ConvSpec 1.1. A family that takes one declares the argument CONSTANT_ARG;
 * expansion moves the number there, and the node's inputs stay the tensors.
 */
import type * as A from "../ast/nodes.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerSchema } from "../families/schema.js";
import { isFunction } from "./arith.js";
import { describeKind, evaluate, toNumber, type Env } from "./values.js";

/** What an operand of a family that takes a number may be (CS2040's message). */
export const OPERAND_WITH_CONSTANT = "a tensor name or a number";

/** The argument holding a merge's numeric operand. */
export const CONSTANT_ARG = "constant";

/** True when the family takes a number among its operands. */
export function takesConstant(schema: LayerSchema): boolean {
  return schema.args.some((a) => a.name === CONSTANT_ARG);
}

/**
 * True when `e` is a number written as an expression: a literal, a block parameter, arithmetic
 * and functions of them — nothing that names a tensor (a tensor's name wins over a parameter's).
 */
export function isConstantExpr(e: A.Expr, env: Env, tensors: ReadonlyMap<string, unknown>): boolean {
  switch (e.kind) {
    case "number":
      return true;
    case "name":
      return !tensors.has(e.name) && env.has(e.name);
    case "neg":
      return isConstantExpr(e.operand, env, tensors);
    case "binary":
      return isConstantExpr(e.left, env, tensors) && isConstantExpr(e.right, env, tensors);
    case "call":
      return isFunction(e.callee) && e.args.every((a) => a.name === undefined && isConstantExpr(a.value, env, tensors));
    default:
      return false;
  }
}

/** The value of a constant operand, or undefined after a diagnostic (not a number, an arithmetic error). */
export function constantValue(callee: string, index: number, e: A.Expr, env: Env, diags: Diagnostic[]): number | undefined {
  const v = evaluate(e, env, diags);
  if (!v) return undefined;
  const n = toNumber(v);
  if (n !== undefined && Number.isFinite(n)) return n;
  diags.push(diag(messages.mergeArgument, e.span, { callee, index, expected: OPERAND_WITH_CONSTANT, what: describeKind(v) }, {
    hint: `${callee}'s operands are tensor names and at most one number`,
  }));
  return undefined;
}
