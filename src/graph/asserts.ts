/**
 * Resolves a model's `assert` lines: quantities by name, targets (labels, block calls,
 * tensors, `output`) to nodes. Evaluation against analysis results happens in src/analysis.
 */
import type * as A from "../ast/nodes.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { didYouMean } from "../util/suggest.js";
import type { AssertExpr, AssertIR, BlockCallInfo, ModelGraph, Quantity, Target } from "./ir.js";
import type { LabelAlias } from "./ir.js";
import { parseNumber } from "./values.js";
import { FUNCTIONS, isFunction } from "./arith.js";

/** Whole-model quantities, written bare: `assert params == 61_706`. */
export const MODEL_QUANTITIES: readonly Quantity[] = [
  "params", "trainable_params", "non_trainable_params", "macs", "flops", "memory", "peak_memory",
  "training_memory", "param_memory", "layers",
];
/** Quantities of one layer, block call or tensor: `assert shape(conv1) == [96, 55, 55]`. */
export const TARGET_QUANTITIES: readonly Quantity[] = ["shape", "rf", "params", "trainable_params", "non_trainable_params", "macs", "flops", "memory", "layers"];

export function resolveAssert(
  st: Extract<A.Statement, { kind: "assert" }>,
  graph: ModelGraph,
  aliases: ReadonlyMap<string, LabelAlias>,
  diags: Diagnostic[],
  sourceText: (file: string) => string | undefined,
  dropped: ReadonlySet<string> = new Set(),
  failed: ReadonlySet<string> = new Set(),
): AssertIR | undefined {
  const r = new Resolver(graph, aliases, diags, dropped, failed);
  const lhs = r.expr(st.lhs);
  const rhs = r.expr(st.rhs);
  if (!lhs || !rhs) return undefined;
  const text = sourceText(st.span.file)?.slice(st.span.start, st.span.end) ?? "";
  return { lhs, op: st.op, rhs, span: st.span, text };
}

class Resolver {
  constructor(
    private readonly g: ModelGraph,
    private readonly aliases: ReadonlyMap<string, LabelAlias>,
    private readonly diags: Diagnostic[],
    private readonly dropped: ReadonlySet<string>,
    /** Names whose statement failed with an error (a label, a binding, a call): no follow-on CS2032. */
    private readonly failed: ReadonlySet<string>,
  ) {}

  expr(e: A.Expr): AssertExpr | undefined {
    switch (e.kind) {
      case "number": {
        const n = parseNumber(e.text);
        if (!n.value || (n.value.kind !== "int" && n.value.kind !== "real")) {
          this.diags.push(diag(messages.invalidNumber, e.span, { text: e.text, reason: n.error ?? "not a number" }));
          return undefined;
        }
        return { kind: "number", value: n.value.value as bigint | number, span: e.span };
      }
      case "list": {
        const items = e.items.map((x) => this.expr(x));
        return items.every((x) => x) ? { kind: "list", items: items as AssertExpr[], span: e.span } : undefined;
      }
      case "neg": {
        const o = this.expr(e.operand);
        return o && { kind: "neg", operand: o, span: e.span };
      }
      case "binary": {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        return l && r && { kind: "binary", op: e.op, left: l, right: r, span: e.span };
      }
      case "name": {
        if (e.name === "") return undefined;
        if ((MODEL_QUANTITIES as string[]).includes(e.name)) return { kind: "quantity", quantity: e.name as Quantity, span: e.span };
        const hint = didYouMean(e.name, MODEL_QUANTITIES) ?? ((TARGET_QUANTITIES as string[]).includes(e.name) ? `${e.name} needs a layer: ${e.name}(LABEL)` : `one of ${MODEL_QUANTITIES.join(", ")}`);
        this.diags.push(diag(messages.unknownQuantity, e.span, { name: e.name }, { hint }));
        return undefined;
      }
      case "call": {
        if (isFunction(e.callee)) return this.fn(e);
        if (!(TARGET_QUANTITIES as string[]).includes(e.callee)) {
          this.diags.push(diag(messages.unknownQuantity, e.calleeSpan, { name: e.callee }, { hint: didYouMean(e.callee, TARGET_QUANTITIES) ?? `one of ${TARGET_QUANTITIES.join(", ")}` }));
          return undefined;
        }
        const a = e.args[0];
        if (e.args.length !== 1 || !a || a.name !== undefined || a.value.kind !== "name") {
          this.diags.push(diag(messages.badAssert, e.span, { reason: `${e.callee}(...) takes one label, tensor name or output` }));
          return undefined;
        }
        const target = this.target(a.value.name, a.value.span, e.callee);
        return target && { kind: "quantity", quantity: e.callee as Quantity, target, span: e.span };
      }
      case "string":
      case "bool":
        this.diags.push(diag(messages.badAssert, e.span, { reason: "compare numbers, shapes or quantities" }));
        return undefined;
    }
  }

  /** `min(a, b)`, `make_divisible(v, d)`, ...: arguments by position, counted here. */
  private fn(e: Extract<A.Expr, { kind: "call" }>): AssertExpr | undefined {
    const [lo, hi] = FUNCTIONS[e.callee]!;
    if (e.args.some((a) => a.name !== undefined) || e.args.length < lo || e.args.length > hi) {
      this.diags.push(diag(messages.badAssert, e.span, { reason: `${e.callee}(...) takes ${lo === hi ? lo : `${lo} or more`} argument(s) by position, got ${e.args.length}` }));
      return undefined;
    }
    const args = e.args.map((a) => this.expr(a.value));
    return args.every((a) => a) ? { kind: "function", name: e.callee, args: args as AssertExpr[], span: e.span } : undefined;
  }

  private target(name: string, span: A.Expr["span"], quantity?: string): Target | undefined {
    const g = this.g;
    if (name === "output") {
      // The output named "output" (`output CHAIN`); a model with one output, whatever its name.
      const o = g.outputs.find((x) => x.name === "output") ?? (g.outputs.length === 1 ? g.outputs[0] : undefined);
      if (o) return { name, span, node: o.node, members: [o.node] };
      if (g.outputs.length > 1) {
        this.diags.push(diag(messages.unknownTarget, span, { name, model: g.name }, { hint: `the model has ${g.outputs.length} outputs; name one: ${g.outputs.map((x) => `shape(${x.name})`).join(", ")}` }));
      }
      return undefined;
    }
    const t = Object.hasOwn(g.tensors, name) ? g.tensors[name] : undefined;
    if (t !== undefined) return { name, span, node: t, members: [t] };
    const alias = this.aliases.get(name);
    if (alias) return { name, span, node: alias.node, members: alias.members };
    const layers = g.nodes.filter((n) => n.label === name && n.kind !== "input");
    const calls = g.blockCalls.filter((c) => c.name === name);
    const candidates: (Target & { depth: number; results?: BlockCallInfo["results"] })[] = [
      ...layers.map((n) => ({ name, span, node: n.id, members: [n.id], depth: n.blocks.length })),
      ...calls.map((c) => ({ name, span, node: c.output, members: c.members, depth: c.depth - 1, results: c.results })),
    ];
    if (candidates.length === 0) {
      if (this.failed.has(name)) return undefined;
      const all = new Set([...Object.keys(g.tensors), ...g.nodes.map((n) => n.label), ...g.blockCalls.map((c) => c.name), ...this.aliases.keys()]);
      const hint = this.dropped.has(name) ? `${name} feeds no output, so it is left out of the model` : didYouMean(name, all);
      this.diags.push(diag(messages.unknownTarget, span, { name, model: g.name }, { hint }));
      return undefined;
    }
    // Prefer the one named in the model body itself.
    const top = candidates.filter((c) => c.depth === 0);
    const chosen = candidates.length === 1 ? candidates[0]! : top.length === 1 ? top[0]! : undefined;
    if (chosen?.results && chosen.results.length > 1 && (quantity === "shape" || quantity === "rf")) {
      // A call of a block with several results has one shape and field per result.
      const bound = chosen.results.map((r) => Object.keys(g.tensors).find((k) => g.tensors[k] === r.node) ?? r.name);
      this.diags.push(diag(messages.badAssert, span, { reason: `${quantity}(${name}): block call ${name} gives ${chosen.results.length} results (${chosen.results.map((r) => r.name).join(", ")}), each with its own ${quantity}` }, {
        hint: `name the tensor a result is bound to: ${bound.map((b) => `${quantity}(${b})`).join(", ")}`,
      }));
      return undefined;
    }
    if (chosen) return strip(chosen);
    this.diags.push(diag(messages.ambiguousTarget, span, { name, count: candidates.length, model: g.name }, { hint: "give the layer a unique label with `as`" }));
    return undefined;
  }
}

function strip(t: Target & { depth?: number }): Target {
  return { name: t.name, span: t.span, node: t.node, members: t.members };
}
