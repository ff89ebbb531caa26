/**
 * The typed AST: plain readonly nodes with a `kind` discriminant and a source span.
 * No chevrotain type crosses into this module.
 */
import type { Span } from "../diagnostics/diagnostic.js";

/** `+ - * /`, floor division `//` and the floored remainder `%`. */
export type BinaryOp = "+" | "-" | "*" | "/" | "//" | "%";

export type Expr =
  | { readonly kind: "number"; readonly text: string; readonly span: Span }
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "name"; readonly name: string; readonly span: Span }
  | { readonly kind: "call"; readonly callee: string; readonly calleeSpan: Span; readonly args: readonly Arg[]; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly kind: "neg"; readonly operand: Expr; readonly span: Span }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span };

export interface Arg {
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly value: Expr;
  readonly span: Span;
}

/** `name(args)` or bare `name` in a chain; `hasParens` tells `relu` from `relu()`. */
export interface Call {
  readonly kind: "call";
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Arg[];
  readonly hasParens: boolean;
  readonly span: Span;
}

export interface Step {
  readonly kind: "step";
  readonly call: Call;
  readonly label?: string;
  readonly labelSpan?: Span;
  readonly repeat?: Expr;
  readonly span: Span;
}

export interface Chain {
  readonly kind: "chain";
  /** The chain's start: a tensor name or a merge (a label is allowed; a repeat is refused). */
  readonly source: Step;
  readonly steps: readonly Step[];
  readonly span: Span;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export type Statement =
  | { readonly kind: "input"; readonly name: string; readonly nameSpan: Span; readonly shape?: Expr; readonly span: Span }
  /** `output CHAIN` (named "output") or `output NAME = CHAIN`. */
  | { readonly kind: "output"; readonly name?: string; readonly nameSpan?: Span; readonly chain: Chain; readonly span: Span }
  /** `param NAME: [dims]` (trainable) or `buffer NAME: [dims]`. */
  | { readonly kind: "tensor"; readonly trainable: boolean; readonly name: string; readonly nameSpan: Span; readonly shape: Expr; readonly span: Span }
  /** `allow CS3012, ...`: warnings with these codes are silenced in the model or block. */
  | { readonly kind: "allow"; readonly codes: readonly { readonly code: string; readonly span: Span }[]; readonly span: Span }
  | {
    readonly kind: "bind"; readonly name: string; readonly nameSpan: Span; readonly chain: Chain; readonly span: Span;
    /** The names after the first when the left side names several tensors (`a, b = x -> split(2)`). */
    readonly others?: readonly { readonly name: string; readonly nameSpan: Span }[];
  }
  | { readonly kind: "assert"; readonly lhs: Expr; readonly op: CompareOp; readonly rhs: Expr; readonly span: Span };

export interface Param {
  readonly name: string;
  readonly default?: Expr;
  readonly span: Span;
}

export interface BlockDecl {
  readonly kind: "block";
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly Param[];
  readonly body: readonly Statement[];
  readonly span: Span;
}

export interface ModelDecl {
  readonly kind: "model";
  readonly name: string;
  readonly nameSpan: Span;
  readonly body: readonly Statement[];
  readonly span: Span;
}

export interface UseDecl {
  readonly kind: "use";
  readonly path: string;
  readonly span: Span;
}

export interface SpecFile {
  readonly kind: "file";
  readonly file: string;
  readonly uses: readonly UseDecl[];
  readonly blocks: readonly BlockDecl[];
  readonly models: readonly ModelDecl[];
  readonly span: Span;
}
