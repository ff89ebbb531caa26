/**
 * Expansion: a model's statements, with its blocks, parameters, integer expressions, defaults
 * and repeats, become one DAG of layer nodes (the graph IR, see ir.ts).
 */
import type * as A from "../ast/nodes.js";
import { diag, formatMessage, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import { numberBinding } from "../ast/mends.js";
import { pushAll } from "../util/array.js";
import { messages } from "../diagnostics/messages.js";
import { lookupLayer, layerNames } from "../families/registry.js";
import type { ArgValue, LayerSchema } from "../families/schema.js";
import { didYouMean } from "../util/suggest.js";
import { bindArguments, resolveLayerArgs } from "./args.js";
import type { BlockCallInfo, BlockDef, BlockFrame, LabelAlias, LayerNode, ModelGraph } from "./ir.js";
import { callNote } from "./call_note.js";
import { resolveAssert } from "./asserts.js";
import { LayerEstimator } from "./estimate.js";
import { evaluate, showValue, type Env, type Value } from "./values.js";
import { CONSTANT_ARG, OPERAND_WITH_CONSTANT, constantValue, isConstantExpr, takesConstant } from "./constants.js";
import { pruneToOutputs } from "./prune.js";
import { checkStep, unknownCallee } from "./check_step.js";
import { dict } from "../util/dict.js";
import { allowedIn, blockArgSpecs, blockInputDecls, declaredShape } from "./decls.js";

const LAYERS_HINT = "check the repeat counts, or raise the maxLayers option";

export interface ExpandLimits {
  /** Most layers a model may expand to (default 1,000,000). */
  readonly maxLayers: number;
  /** Deepest nesting of block calls (default 64). */
  readonly maxDepth: number;
  /** Polled during expansion: a reason to stop (abort signal, deadline), or undefined. */
  readonly stop?: () => string | undefined;
}

interface TensorBinding {
  readonly node: number;
  readonly span: Span;
  used: boolean;
}

interface Scope {
  readonly what: "model" | "block";
  readonly name: string;
  readonly env: Env;
  readonly frames: readonly BlockFrame[];
  readonly tensors: Map<string, TensorBinding>;
  readonly labels: Map<string, Span>;
  /** Names whose binding failed with a diagnostic: using them later says nothing more. */
  readonly failed: Set<string>;
  /** Warning codes silenced here (`allow` in this scope or an enclosing one). */
  readonly allow: ReadonlySet<string>;
  /** Every name the scope's body binds, where: a use before its line says so. */
  readonly bound: ReadonlyMap<string, Span>;
  /** Names used before the line that binds them (already reported; not "never used"). */
  readonly early: Set<string>;
}

/** The names a body binds (inputs, bindings, split parts, named outputs, params, buffers), first binding each. */
function boundNames(body: readonly A.Statement[]): Map<string, Span> {
  const out = new Map<string, Span>();
  const add = (name: string, span: Span) => {
    if (!out.has(name)) out.set(name, span);
  };
  for (const st of body) {
    if (st.kind === "input" || st.kind === "tensor") add(st.name, st.nameSpan);
    else if (st.kind === "output" && st.name !== undefined) add(st.name, st.nameSpan!);
    else if (st.kind === "bind") for (const n of [{ name: st.name, nameSpan: st.nameSpan }, ...(st.others ?? [])]) add(n.name, n.nameSpan);
  }
  return out;
}

export class ModelExpander {
  readonly nodes: LayerNode[] = [];
  readonly blockCalls: BlockCallInfo[] = [];
  readonly aliases = new Map<string, LabelAlias>();
  private readonly counters = new Map<string, number>();
  private readonly blockCounters = new Map<string, number>();
  private readonly stack: string[] = [];
  /** Labels and block call names whose step failed with an error: an assert on them says nothing more. */
  private readonly failedNames = new Set<string>();
  private aborted = false;
  private polls = 0;
  private readonly sizes: LayerEstimator;

  constructor(
    private readonly model: A.ModelDecl,
    private readonly blocks: ReadonlyMap<string, BlockDef>,
    private readonly limits: ExpandLimits,
    private readonly inputShapes: Readonly<Record<string, readonly number[]>>,
    private readonly diags: Diagnostic[],
    private readonly sourceText: (file: string) => string | undefined,
    private readonly runAllow: readonly string[] = [],
  ) {
    this.sizes = new LayerEstimator(blocks, limits.maxLayers, limits.maxDepth, (def, call, env) => this.blockEnv(def, call, env, []));
  }

  expand(): ModelGraph | undefined {
    const m = this.model;
    const errors = () => this.diags.filter((d) => d.severity === "error").length;
    const startErrors = errors();
    const scope: Scope = {
      what: "model", name: m.name, env: new Map(), frames: [], tensors: new Map(), labels: new Map(), failed: new Set(), allow: allowedIn(m.body, new Set(this.runAllow), this.diags),
      bound: boundNames(m.body), early: new Set(),
    };
    const inputs: number[] = [];
    const outputs: { name: string; node: number; span: Span }[] = [];
    const assertStmts: Extract<A.Statement, { kind: "assert" }>[] = [];
    for (const st of m.body) {
      if (this.aborted) break;
      switch (st.kind) {
        case "input": {
          const id = this.modelInput(st, scope);
          if (id !== undefined) inputs.push(id);
          break;
        }
        case "assert":
          assertStmts.push(st);
          break;
        case "output": {
          const out = this.modelOutput(st, scope, outputs);
          if (out) outputs.push(out);
          break;
        }
        default:
          this.statement(st, scope, false, false);
      }
    }
    if (this.aborted) return undefined;
    if (!m.body.some((s) => s.kind === "input")) this.diags.push(diag(messages.modelWithoutInput, m.nameSpan, { name: m.name }, { hint: "add a line: input x: [3, 224, 224]" }));
    if (!m.body.some((s) => s.kind === "output")) this.diags.push(diag(messages.missingOutput, m.nameSpan, { what: "model", name: m.name }, { hint: "add a line: output NAME -> ..." }));
    this.warnUnused(scope);
    // No prototype: a tensor may be called `__proto__` or `constructor`.
    const tensors = dict<number>();
    for (const [name, t] of scope.tensors) tensors[name] = t.node;
    this.structuralErrors = errors() > startErrors;
    // In a model with errors, layers cut off by a failed statement are echoes: no warning.
    const pruned = pruneToOutputs(m.name, { nodes: this.nodes, inputs, outputs, tensors, blockCalls: this.blockCalls, aliases: this.aliases }, this.structuralErrors ? [] : this.diags, this.unusedSinks);
    const graph: ModelGraph = {
      name: m.name,
      file: m.span.file,
      span: m.span,
      nodes: pruned.nodes,
      inputs: pruned.inputs,
      outputs: pruned.outputs,
      tensors: pruned.tensors,
      blockCalls: pruned.blockCalls,
      asserts: [],
    };
    // A model with errors is left out of the graph and its outputs may be cut off: its assert
    // labels are looked up among every layer written, so a failed output chain does not make
    // healthy labels look unknown (or "left out").
    const asserts = this.structuralErrors
      ? assertStmts.flatMap((a) => resolveAssert(a, { ...graph, nodes: this.nodes, inputs, outputs, tensors, blockCalls: this.blockCalls }, this.aliases, this.diags, this.sourceText, new Set(), new Set([...this.failedNames, ...scope.failed])) ?? [])
      : assertStmts.flatMap((a) => resolveAssert(a, graph, pruned.aliases, this.diags, this.sourceText, pruned.dropped) ?? []);
    return { ...graph, asserts };
  }

  /**
   * True when the model itself has errors (before its asserts were resolved): such a model is
   * left out of the graph. A mistake in one assert line leaves the model and its other asserts.
   */
  structuralErrors = false;

  /** `output CHAIN` (named "output") or `output NAME = CHAIN`, which also binds NAME. */
  private modelOutput(st: Extract<A.Statement, { kind: "output" }>, scope: Scope, outputs: readonly { name: string }[]): { name: string; node: number; span: Span } | undefined {
    const node = this.chain(st.chain, scope);
    const name = st.name ?? "output";
    if (st.name !== undefined) {
      if (!this.bindOutputName(st, st.name, node, scope)) return undefined;
    } else if (outputs.some((o) => o.name === "output")) {
      this.diags.push(diag(messages.duplicateOutput, st.span, { what: "model", name: scope.name }, { hint: "several outputs need names: output p3 = ..., output p4 = ..." }));
      return undefined;
    }
    return node === undefined ? undefined : { name, node, span: st.span };
  }

  /** `output NAME = CHAIN` binds NAME where it is written (a later chain may read it); false after CS2010. */
  private bindOutputName(st: Extract<A.Statement, { kind: "output" }>, name: string, node: number | undefined, scope: Scope): boolean {
    const prev = scope.tensors.get(name);
    if (prev) {
      this.diags.push(diag(messages.duplicateBinding, st.nameSpan!, { name, scope: scope.what }, { related: [{ span: prev.span, message: "first bound here" }] }));
      return false;
    }
    if (node === undefined) scope.failed.add(name);
    else scope.tensors.set(name, { node, span: st.nameSpan!, used: true });
    return true;
  }

  /** `param NAME: [dims]` or `buffer NAME: [dims]`: a node with no inputs that holds the tensor. */
  private tensorDecl(st: Extract<A.Statement, { kind: "tensor" }>, scope: Scope): void {
    const prev = scope.tensors.get(st.name);
    if (prev) {
      this.diags.push(diag(messages.duplicateBinding, st.nameSpan, { name: st.name, scope: scope.what }, { related: [{ span: prev.span, message: "first bound here" }] }));
      return;
    }
    const what = st.trainable ? "param" : "buffer";
    const shape = declaredShape(st.name, st.shape, scope.env, what, this.diags);
    if (!shape || this.interrupted(st.span)) {
      scope.failed.add(st.name);
      return;
    }
    const id = this.nodes.length;
    this.nodes.push({
      id, kind: what, family: "declared_tensor", op: what, args: { shape, trainable: st.trainable }, inputs: [], label: st.name, explicitLabel: true,
      span: st.span, blocks: scope.frames, path: [this.model.name, ...scope.frames.map((f) => f.name), st.name].join("/"),
      ...(scope.allow.size > 0 ? { allow: [...scope.allow] } : {}),
    });
    // Whether an output uses it is decided once the model is complete (prune.ts).
    scope.tensors.set(st.name, { node: id, span: st.nameSpan, used: true });
  }

  private modelInput(st: Extract<A.Statement, { kind: "input" }>, scope: Scope): number | undefined {
    if (scope.tensors.has(st.name)) {
      this.diags.push(diag(messages.duplicateBinding, st.nameSpan, { name: st.name, scope: "model" }, { related: [{ span: scope.tensors.get(st.name)!.span, message: "first bound here" }] }));
      return undefined;
    }
    let shape: readonly number[] | undefined = Object.hasOwn(this.inputShapes, st.name) ? this.inputShapes[st.name] : undefined;
    if (!shape) {
      if (!st.shape) {
        this.diags.push(diag(messages.inputWithoutShape, st.nameSpan, { name: st.name }));
        scope.failed.add(st.name);
        return undefined;
      }
      shape = declaredShape(st.name, st.shape, scope.env, "input", this.diags);
      if (!shape) {
        scope.failed.add(st.name);
        return undefined;
      }
    }
    const id = this.nodes.length;
    this.nodes.push({
      id, kind: "input", family: "input", op: "input", args: { shape }, inputs: [], label: st.name,
      explicitLabel: true, span: st.span, blocks: [], path: `${this.model.name}/${st.name}`,
    });
    scope.tensors.set(st.name, { node: id, span: st.nameSpan, used: false });
    return id;
  }

  /**
   * A bind, tensor or block output statement; returns the node its chain ends at. `several`:
   * the block declares several named outputs (results), each bound like a model's named output.
   */
  private statement(st: A.Statement, scope: Scope, hasOutput: boolean, several: boolean): number | undefined {
    if (st.kind === "bind" && st.others) return this.splitBind(st, scope);
    if (st.kind === "tensor") {
      this.tensorDecl(st, scope);
      return undefined;
    }
    if (st.kind === "bind") {
      const several = this.resultsCall(st.chain);
      if (several) return this.bindResults(st, several, scope, this.failBinding([st.name], scope));
      if (this.numberBinding(st, scope)) return undefined;
      const prev = scope.tensors.get(st.name);
      const node = this.chain(st.chain, scope);
      if (prev) {
        this.diags.push(diag(messages.duplicateBinding, st.nameSpan, { name: st.name, scope: scope.what }, { related: [{ span: prev.span, message: "first bound here" }] }));
        return undefined;
      }
      if (node !== undefined) scope.tensors.set(st.name, { node, span: st.nameSpan, used: false });
      else scope.failed.add(st.name);
      return node;
    }
    if (st.kind === "output" && several) {
      const node = this.chain(st.chain, scope);
      if (st.name === undefined) {
        this.diags.push(diag(messages.duplicateOutput, st.span, { what: scope.what, name: scope.name }, { hint: "a block with several outputs names each one: output NAME = ..." }));
        return undefined;
      }
      return this.bindOutputName(st, st.name, node, scope) ? node : undefined;
    }
    if (st.kind === "output") {
      if (st.name !== undefined) this.diags.push(diag(messages.namedBlockOutput, st.nameSpan!, { block: scope.name, name: st.name }, { hint: `write: output ${chainText(st.chain, this.sourceText(st.chain.span.file))}` }));
      const node = this.chain(st.chain, scope);
      if (hasOutput) {
        this.diags.push(diag(messages.duplicateOutput, st.span, { what: scope.what, name: scope.name }, { hint: "merge the results into the one output, or name each output (output a = ..., output b = ...) and bind them where the block is called: a, b = x -> NAME(...)" }));
        return undefined;
      }
      return node;
    }
    return undefined;
  }

  /** Names a block body bound to a number (refused, numberBinding): their uses say nothing more. */
  private readonly numberNames = new WeakMap<Scope, Set<string>>();

  /**
   * `w = planes` or `w = planes * 4` in a block body, where planes is a parameter: the parser
   * reads a chain (a repeated step), but a number was meant. True after the error.
   */
  private numberBinding(st: Extract<A.Statement, { kind: "bind" }>, scope: Scope): boolean {
    const source = st.chain.source;
    if (st.chain.steps.length > 0 || source.call.hasParens || !scope.env.has(source.call.name) || scope.tensors.has(source.call.name) || scope.what !== "block") return false;
    const text = this.sourceText(st.span.file);
    const slice = (sp: Span) => text?.slice(sp.start, sp.end) ?? "";
    const def = this.blocks.get(scope.name)!.decl;
    const expr = slice(st.chain.span) || source.call.name;
    this.diags.push(numberBinding(st.name, expr, { file: st.span.file, start: st.nameSpan.start, end: st.chain.span.end }, { name: def.name, params: def.params.map((p) => slice(p.span) || p.name).join(", ") }));
    scope.failed.add(st.name);
    const names = this.numberNames.get(scope) ?? new Set<string>();
    names.add(st.name);
    this.numberNames.set(scope, names);
    return true;
  }

  private chain(c: A.Chain, scope: Scope): number | undefined {
    let cur = this.source(c.source, scope);
    let failed = cur === undefined;
    if (failed && c.source.label) this.failedNames.add(c.source.label);
    for (const step of c.steps) {
      if (this.aborted) return undefined;
      // After a failed step, the later ones are still checked (names, arguments), not built.
      if (failed) checkStep(step, scope.env, this.blocks, scope.tensors, scope.failed, this.diags, this.sourceText);
      else cur = this.step(step, cur!, scope);
      failed ||= cur === undefined;
      if (failed && step.label) this.failedNames.add(step.label);
    }
    return failed ? undefined : cur;
  }

  private source(step: A.Step, scope: Scope): number | undefined {
    const call = step.call;
    if (step.repeat) {
      this.diags.push(diag(messages.badChainSource, step.repeat.span, { what: "a repeat of", name: call.name }, { hint: `repeat a step after ->, e.g. ${call.name} -> relu * 2` }));
      return undefined;
    }
    const layer = lookupLayer(call.name);
    if (!call.hasParens) {
      const t = scope.tensors.get(call.name);
      if (t) {
        t.used = true;
        if (step.label) this.diags.push(diag(messages.syntaxError, step.labelSpan!, { message: `"as" labels a layer, not the tensor ${call.name}` }));
        return t.node;
      }
    }
    if (layer?.schema.merge && call.hasParens) return this.layer(call, undefined, scope, step.label, step.labelSpan);
    if (!call.hasParens && scope.failed.has(call.name)) return undefined;
    if (layer || this.blocks.has(call.name)) {
      const hint = (!layer && this.blockSourceHint(call, scope)) || `start from an input or a bound tensor: x -> ${call.name}${call.hasParens ? "(...)" : ""}`;
      this.diags.push(diag(messages.badChainSource, call.nameSpan, { what: layer ? "the layer" : "the block", name: call.name }, { hint }));
      return undefined;
    }
    // `matmul(q, k)` where a chain starts: a call, so an unknown merge, not an unknown tensor.
    if (call.hasParens) {
      for (const a of call.args) markNamesUsed(a.value, scope.tensors);
      const d = unknownCallee(call, this.blocks.keys(), this.sourceText);
      const merges = layerNames().filter((n) => lookupLayer(n)?.schema.merge);
      this.diags.push(d.hint ? d : { ...d, hint: `a chain starts from a tensor or a merge, and ConvSpec's merges are ${merges.join(", ")}` });
      return undefined;
    }
    this.diags.push(unknownTensor(call.name, call.nameSpan, scope));
    return undefined;
  }

  /** The step's repeat count (1 without `* N`); undefined after a diagnostic. */
  private repeatCount(step: A.Step, scope: Scope): number | undefined {
    if (!step.repeat) return 1;
    const v = evaluate(step.repeat, scope.env, this.diags);
    if (!v) return undefined;
    const computed = namesIn(step.repeat);
    if (v.kind !== "int" || v.value < 0n) {
      const hint = v.kind !== "int" ? "write a whole number, e.g. * 2"
        : computed ? "a step runs 0 or more times; this count comes from the arguments: check them (* 0 passes the tensor through unchanged)"
        : "a step runs 0 or more times; to leave it out, delete it";
      this.diags.push(diag(messages.badRepeat, step.repeat.span, { value: showValue(v) }, { hint }));
      return undefined;
    }
    if (v.value > BigInt(this.limits.maxLayers)) {
      this.diags.push(diag(messages.tooManyLayers, step.repeat.span, { count: `at least ${v.value}`, limit: this.limits.maxLayers }, { hint: LAYERS_HINT }));
      this.aborted = true;
      return undefined;
    }
    return Number(v.value);
  }

  /** Repeat counts already warned about (a literal `* 0` in a block body is said once, not per call). */
  private readonly zeroWarned = new Set<string>();

  /** CS2050 for a count written as 0 (not computed from parameters, where 0 is one case of many). */
  private warnZeroRepeat(step: A.Step, scope: Scope): void {
    const at = step.repeat!.span;
    const key = `${at.file}:${at.start}`;
    if (scope.allow.has(messages.zeroRepeat.code) || this.zeroWarned.has(key)) return;
    this.zeroWarned.add(key);
    const text = this.sourceText(at.file)?.slice(at.start, at.end) ?? "0";
    const count = step.repeat!.kind === "number" ? text : `(${text})`;
    this.diags.push(diag(messages.zeroRepeat, at, { step: this.callText(step.call), count }, {
      hint: "delete the step; a count computed from a block's parameters, as in * (n - 1), may be 0 without this warning",
    }));
  }

  private step(step: A.Step, cur: number, scope: Scope): number | undefined {
    const n = this.repeatCount(step, scope);
    if (n === undefined) return undefined;
    if (n === 0) return this.zeroRepeat(step, cur, scope);
    if (this.oversized(step, n, scope) || !this.claimLabel(step, scope)) return undefined;
    const firstNode = this.nodes.length;
    let at: number | undefined = cur;
    for (let i = 1; i <= n && at !== undefined; i++) {
      const label = step.label === undefined ? undefined : n > 1 ? `${step.label}#${i}` : step.label;
      at = this.call(step.call, at, scope, label, step.labelSpan);
    }
    if (at !== undefined && step.label && n > 1) {
      const members = Array.from({ length: this.nodes.length - firstNode }, (_, i) => firstNode + i);
      this.aliases.set(step.label, { node: at, members });
    }
    return at;
  }

  /**
   * `step * 0`: the identity, as an empty composition is. The step is checked (names,
   * arguments), not built; the tensor passes through, and an `as` label names that tensor with
   * no layers of its own (shape and field of the tensor, 0 params, 0 MACs).
   */
  private zeroRepeat(step: A.Step, cur: number, scope: Scope): number | undefined {
    const def = lookupLayer(step.call.name) ? undefined : this.blocks.get(step.call.name);
    const results = def && resultNames(def.decl);
    if (results) {
      this.diags.push(this.repeatResultsDiag(step.call, results, step.repeat!.span));
      return undefined;
    }
    if (!namesIn(step.repeat!)) this.warnZeroRepeat(step, scope);
    const before = this.diags.length;
    checkStep(step, scope.env, this.blocks, scope.tensors, scope.failed, this.diags, this.sourceText);
    if (this.diags.slice(before).some((d) => d.severity === "error") || !this.claimLabel(step, scope)) return undefined;
    if (step.label) this.aliases.set(step.label, { node: cur, members: [] });
    return cur;
  }

  /**
   * True (with CS6001) when `n` repeats of the step would pass the layer limit. A repeat, or a
   * block called from the model itself, is sized before it is built (a block that calls
   * another twice, nested 30 deep, would otherwise build a million layers first).
   */
  private oversized(step: A.Step, n: number, scope: Scope): boolean {
    if (n === 1 && (scope.frames.length > 0 || !this.blocks.has(step.call.name))) return false;
    const per = this.sizes.estimate(step.call, scope.env, [...this.stack]);
    const total = this.nodes.length + n * per;
    if (total <= this.limits.maxLayers) return false;
    this.diags.push(diag(messages.tooManyLayers, step.span, { count: Number.isFinite(total) ? total : `at least ${this.limits.maxLayers + 1}`, limit: this.limits.maxLayers }, { hint: LAYERS_HINT }));
    this.aborted = true;
    return true;
  }

  /** Records the step's `as` label in the scope; false (with CS2011) when the scope already has it. */
  private claimLabel(step: A.Step, scope: Scope): boolean {
    if (!step.label) return true;
    const prev = scope.labels.get(step.label);
    if (prev) {
      this.diags.push(diag(messages.duplicateLabel, step.labelSpan!, { name: step.label, scope: scope.what }, { related: [{ span: prev, message: "first used here" }] }));
      return false;
    }
    scope.labels.set(step.label, step.labelSpan!);
    return true;
  }

  private call(call: A.Call, cur: number, scope: Scope, label: string | undefined, labelSpan: Span | undefined): number | undefined {
    if (lookupLayer(call.name)) return this.layer(call, cur, scope, label, labelSpan);
    const block = this.blocks.get(call.name);
    if (block) {
      const results = resultNames(block.decl);
      if (!results) return this.callBlock(block, call, cur, scope, label)?.[0];
      this.diags.push(this.resultsDiag(call, results, "a chain step gives one tensor", `bind them by name, with the call as the chain's last step: ${results.join(", ")} = ... -> ${this.callText(call)}`));
      return undefined;
    }
    this.diags.push(unknownCallee(call, this.blocks.keys(), this.sourceText));
    return undefined;
  }

  /** A layer call; `cur` is the piped-in tensor (absent for a merge that starts a chain). */
  private layer(call: A.Call, cur: number | undefined, scope: Scope, label: string | undefined, labelSpan: Span | undefined): number | undefined {
    const { schema, info } = lookupLayer(call.name)!;
    if (schema.parts) {
      this.diags.push(diag(messages.splitNames, call.span, { what: `${call.name} gives several tensors, one per part` }, { hint: `name them on the left: a, b = x -> ${call.name}(...)` }));
      return undefined;
    }
    const inputs: number[] = cur === undefined ? [] : [cur];
    let args: readonly A.Arg[] = call.args;
    const constants: { value: number; span: Span }[] = [];
    if (schema.merge) {
      let ok = true;
      const withConstant = takesConstant(schema);
      call.args.forEach((a, i) => {
        if (a.name !== undefined) return;
        if (withConstant && isConstantExpr(a.value, scope.env, scope.tensors)) {
          // A number among add's or mul's operands (an extension beyond 1.1): the node's `constant`.
          const value = constantValue(call.name, i + 1, a.value, scope.env, this.diags);
          if (value === undefined) ok = false;
          else constants.push({ value, span: a.span });
          return;
        }
        if (a.value.kind !== "name" || a.value.name === "") {
          // The names it holds are used (no "bound but never used" for them).
          markNamesUsed(a.value, scope.tensors);
          const expected = withConstant ? OPERAND_WITH_CONSTANT : "a tensor name";
          this.diags.push(diag(messages.mergeArgument, a.span, { callee: call.name, index: i + 1, expected, what: a.value.kind === "number" ? `a number (${a.value.text})` : a.value.kind === "list" ? "a list" : "an expression" }, {
            hint: operandHint(call, i, a.value, this.sourceText(a.span.file)),
          }));
          ok = false;
          return;
        }
        const t = scope.tensors.get(a.value.name);
        if (!t && scope.failed.has(a.value.name)) {
          ok = false;
          return;
        }
        if (!t) {
          this.diags.push(unknownTensor(a.value.name, a.value.span, scope));
          ok = false;
          return;
        }
        t.used = true;
        inputs.push(t.node);
      });
      if (!ok) return undefined;
      if (!this.mergeOperandsOk(call, inputs.length, constants, withConstant)) return undefined;
      args = call.args.filter((a) => a.name !== undefined);
    }
    const tensors = this.tensorArgs(schema, call.name, args, inputs, scope);
    if (!tensors) return undefined;
    const resolved = resolveLayerArgs(schema, call.name, args.filter((a) => !(a.name !== undefined && a.name in tensors)), call.span, scope.env, this.diags);
    if (!resolved) return undefined;
    Object.assign(resolved, tensors);
    if (constants.length === 1) resolved[CONSTANT_ARG] = constants[0]!.value;
    return this.addNode(call, info.kind, schema.family, info.dims, resolved, inputs, scope, label, labelSpan);
  }

  /** A merge has two or more operands, at least one a tensor, and at most one number (CS2029). */
  private mergeOperandsOk(call: A.Call, tensors: number, constants: readonly { value: number; span: Span }[], withConstant: boolean): boolean {
    const named = call.args.some((a) => a.name === CONSTANT_ARG);
    const reason = tensors === 0 ? "needs at least one tensor operand"
      : constants.length + (named ? 1 : 0) > 1 ? `takes at most one number, got ${constants.length + (named ? 1 : 0)}`
      : tensors + constants.length + (named ? 1 : 0) < 2 ? `needs at least two operands, got ${tensors}` : undefined;
    if (reason === undefined) return true;
    const hint = tensors > 0 && constants.length > 1 ? `fold the numbers (${constants.map((c) => c.value).join(", ")}) into one operand`
      : withConstant ? `name two or more bound tensors, or a tensor and one number: ${call.name}(a, b), ${call.name}(a, 0.5)`
      : `name two or more bound tensors: ${call.name}(a, b)`;
    this.diags.push(diag(messages.badMerge, call.span, { callee: call.name, reason }, { hint }));
    return false;
  }

  /**
   * `a, b = x -> ... -> split(...)`: the chain up to the split, then one node per part, each
   * bound to its name. Returns the first part's node.
   */
  private splitBind(st: Extract<A.Statement, { kind: "bind" }>, scope: Scope): number | undefined {
    const names = [{ name: st.name, nameSpan: st.nameSpan }, ...st.others!];
    const list = names.map((n) => n.name).join(", ");
    const fail = this.failBinding(names.map((n) => n.name), scope);
    const several = this.resultsCall(st.chain);
    if (several) return this.bindResults(st, several, scope, fail);
    const last = st.chain.steps[st.chain.steps.length - 1];
    const found = last && lookupLayer(last.call.name);
    if (last && !found && this.blocks.has(last.call.name)) {
      // A PyTorch module that returns two tensors (a WaveNet layer's residual and skip).
      const from = st.chain.source.call.hasParens ? undefined : scope.tensors.get(st.chain.source.call.name);
      if (from) from.used = true;
      return fail(diag(messages.splitNames, st.span, { what: `${list} name ${names.length} tensors, but block ${last.call.name} gives one result` }, {
        hint: `name each of the block's outputs (output a = ..., output b = ...): the call then gives one result per name, ${list} = x -> ${last.call.name}(...)`,
      }));
    }
    if (!last || !found?.schema.parts) {
      return fail(diag(messages.splitNames, st.span, { what: `${list} name ${names.length} tensors, but the chain does not end with split(...), which gives one tensor per part` }, { hint: `${list} = x -> split(${names.length})` }));
    }
    if (last.repeat || last.label) {
      return fail(diag(messages.splitNames, last.span, { what: `${last.call.name} can be neither repeated nor labelled: its parts are named on the left (${list})` }, { hint: `${list} = x -> ${last.call.name}(...)` }));
    }
    const taken = this.alreadyBound(names, scope);
    if (taken) return fail(taken);
    const cur = this.chain({ ...st.chain, steps: st.chain.steps.slice(0, -1) }, scope);
    if (cur === undefined) return fail();
    const { schema, info } = found;
    const resolved = resolveLayerArgs(schema, last.call.name, last.call.args, last.call.span, scope.env, this.diags);
    if (!resolved) return fail();
    const sections = resolved.sections;
    const count = Array.isArray(sections) ? sections.length : (sections as number);
    if (count !== names.length) {
      return fail(diag(messages.splitNames, last.call.span, { what: `${list} name ${names.length} tensors, but ${last.call.name}(${Array.isArray(sections) ? `[${sections.join(", ")}]` : count}) gives ${count} parts` }, {
        hint: count <= 8 ? `name one tensor per part: ${Array.from({ length: count }, (_, i) => `p${i + 1}`).join(", ")} = ...` : "name one tensor per part",
        related: [{ span: st.nameSpan, message: `${names.length} names` }],
      }));
    }
    const ids: number[] = [];
    for (const [part, n] of names.entries()) {
      const id = this.addNode(last.call, info.kind, schema.family, info.dims, { ...resolved, part }, [cur], scope, undefined, undefined);
      if (id === undefined) return fail();
      ids.push(id);
      scope.tensors.set(n.name, { node: id, span: n.nameSpan, used: false });
    }
    return ids[0];
  }

  /** The chain's last step when it calls a block with several results (bound by name count). */
  private resultsCall(chain: A.Chain): ResultsCall | undefined {
    const last = chain.steps[chain.steps.length - 1];
    const def = last && !lookupLayer(last.call.name) ? this.blocks.get(last.call.name) : undefined;
    const results = def && resultNames(def.decl);
    return results ? { last: last!, def: def!, results } : undefined;
  }

  /** A binding's failure: reports `d` (if any) and marks the names it leaves unbound as failed, so their uses say nothing more. */
  private failBinding(names: readonly string[], scope: Scope): (d?: Diagnostic) => undefined {
    return (d) => {
      if (d) this.diags.push(d);
      for (const n of names) if (!scope.tensors.has(n)) scope.failed.add(n);
      return undefined;
    };
  }

  /** CS2010 for the first of `names` already bound (in the scope, or earlier in the list). */
  private alreadyBound(names: readonly { name: string; nameSpan: Span }[], scope: Scope): Diagnostic | undefined {
    for (const [i, n] of names.entries()) {
      const first = scope.tensors.get(n.name)?.span ?? names.slice(0, i).find((m) => m.name === n.name)?.nameSpan;
      if (first) return diag(messages.duplicateBinding, n.nameSpan, { name: n.name, scope: scope.what }, { related: [{ span: first, message: "first bound here" }] });
    }
    return undefined;
  }

  /**
   * `s, d = x -> ... -> down(16)` where block down names several outputs (an extension beyond
   * 1.1): the chain up to the call, then the call, each result bound to its name in the
   * block's output order. Returns the first result's node.
   */
  private bindResults(
    st: Extract<A.Statement, { kind: "bind" }>, { last, def, results }: ResultsCall, scope: Scope, fail: (d?: Diagnostic) => undefined,
  ): number | undefined {
    const names = [{ name: st.name, nameSpan: st.nameSpan }, ...(st.others ?? [])];
    const call = last.call;
    const failAll = fail;
    fail = (d?: Diagnostic) => {
      if (last.label) this.failedNames.add(last.label);
      return failAll(d);
    };
    // The chain before the call is built first: its own mistakes are reported, its source used.
    const cur = this.chain({ ...st.chain, steps: st.chain.steps.slice(0, -1) }, scope);
    if (names.length !== results.length) {
      const k = names.length;
      return fail(this.resultsDiag(call, results, `${k} name${k === 1 ? "" : "s"} bound (${names.map((n) => n.name).join(", ")})`, `bind one name per result, in the block's output order: ${results.join(", ")} = ... -> ${this.callText(call)}`, st.nameSpan));
    }
    if (last.repeat) return fail(this.repeatResultsDiag(call, results, last.repeat.span));
    const taken = this.alreadyBound(names, scope);
    if (taken) return fail(taken);
    if (cur === undefined || !this.claimLabel(last, scope) || this.oversized(last, 1, scope)) return fail();
    const ids = this.callBlock(def, call, cur, scope, last.label);
    if (!ids) return fail();
    for (const [i, n] of names.entries()) scope.tensors.set(n.name, { node: ids[i]!, span: n.nameSpan, used: false });
    return ids[0];
  }

  /** CS2047 for a repeat (any count, 0 too) of a block with several results. */
  private repeatResultsDiag(call: A.Call, results: readonly string[], at: Span): Diagnostic {
    const numbered = (k: number) => results.map((r) => `${r}${k}`).join(", ");
    return this.resultsDiag(call, results, "a repeat (* N) has no one tensor to pass from one call to the next", `write the calls out, choosing the result each one reads: ${numbered(1)} = x -> ${this.callText(call)}, then ${numbered(2)} = ${results[results.length - 1]}1 -> ${this.callText(call)}`, at);
  }

  /** CS2047: a block with several results used where its results are not bound one name each. */
  private resultsDiag(call: A.Call, results: readonly string[], what: string, hint: string, at?: Span): Diagnostic {
    const related = at ? [{ span: at, message: "here" }] : [];
    return diag(messages.blockResults, call.span, { block: call.name, count: results.length, names: results.join(", "), what }, {
      hint, related: [...related, { span: this.blocks.get(call.name)!.decl.nameSpan, message: `block ${call.name} is defined here` }],
    });
  }

  /** A call as written (`down(16)`), for a hint. */
  private callText(call: A.Call): string {
    const own = this.sourceText(call.span.file)?.slice(call.span.start, call.span.end);
    return own && !own.includes("\n") ? own : `${call.name}(...)`;
  }

  /**
   * Tensor arguments (`like=t`): each named tensor becomes one more input of the node, and the
   * argument's value is its position among the inputs. Undefined after a diagnostic.
   */
  private tensorArgs(schema: LayerSchema, callee: string, args: readonly A.Arg[], inputs: number[], scope: Scope): Record<string, number> | undefined {
    const out = dict<number>();
    for (const a of args) {
      if (a.name === undefined || schema.args.find((s) => s.name === a.name)?.type.t !== "tensor") continue;
      const t = a.value.kind === "name" ? scope.tensors.get(a.value.name) : undefined;
      if (!t) {
        if (a.value.kind === "name" && scope.failed.has(a.value.name)) return undefined;
        this.diags.push(a.value.kind === "name"
          ? unknownTensor(a.value.name, a.value.span, scope)
          : diag(messages.argumentType, a.value.span, { callee, name: a.name, expected: "a tensor name", actual: "an expression" }, { hint: "bind the tensor first: t = x -> ..., then " + a.name + "=t" }));
        return undefined;
      }
      t.used = true;
      out[a.name] = inputs.length;
      inputs.push(t.node);
    }
    return out;
  }

  /** True (with a CS6007 diagnostic at `span`) once the caller's signal or deadline says stop. */
  private interrupted(span: Span): boolean {
    if (this.aborted) return true;
    // Polling the clock on every node would cost more than the node itself.
    if (!this.limits.stop || (this.polls++ & 255) !== 0) return false;
    const reason = this.limits.stop();
    if (reason === undefined) return false;
    this.diags.push(diag(messages.stopped, span, { reason }, { hint: "give it more time, or simplify the spec" }));
    this.aborted = true;
    return true;
  }

  private addNode(
    call: A.Call, kind: string, family: string, dims: 1 | 2 | 3 | undefined, args: Record<string, ArgValue>,
    inputs: number[], scope: Scope, label: string | undefined, labelSpan: Span | undefined,
  ): number | undefined {
    if (this.interrupted(call.span)) return undefined;
    if (this.nodes.length >= this.limits.maxLayers) {
      this.diags.push(diag(messages.tooManyLayers, call.span, { count: `at least ${this.limits.maxLayers + 1}`, limit: this.limits.maxLayers }, { hint: LAYERS_HINT }));
      this.aborted = true;
      return undefined;
    }
    const n = (this.counters.get(call.name) ?? 0) + 1;
    this.counters.set(call.name, n);
    const name = label ?? `${call.name}_${n}`;
    const id = this.nodes.length;
    const node: LayerNode = {
      id, kind, family, op: call.name, args, inputs, label: name, explicitLabel: label !== undefined,
      span: call.span, blocks: scope.frames, path: [this.model.name, ...scope.frames.map((f) => f.name), name].join("/"),
      ...(dims ? { dims } : {}), ...(scope.allow.size > 0 ? { allow: [...scope.allow] } : {}),
    };
    void labelSpan;
    this.nodes.push(node);
    return id;
  }

  /** Binds a block call's arguments into a new environment (defaults may use earlier parameters). */
  private blockEnv(def: BlockDef, call: A.Call, callerEnv: Env, diags: Diagnostic[]): Map<string, Value> | undefined {
    const params = def.decl.params;
    const bound = bindArguments(def.decl.name, blockArgSpecs(def.decl), call.args, call.span, diags, "block");
    if (!bound) return undefined;
    const env = new Map<string, Value>();
    let ok = true;
    for (const p of params) {
      const a = bound.get(p.name);
      let v: Value | undefined;
      if (a) v = evaluate(a.value, callerEnv, diags);
      else if (p.default) v = evaluate(p.default, env, diags);
      else {
        diags.push(diag(messages.missingBlockArgument, call.span, { block: def.decl.name, name: p.name }, { hint: `block ${def.decl.name}(${params.map((q) => q.name).join(", ")})`, related: [{ span: def.decl.nameSpan, message: "defined here" }] }));
        ok = false;
        continue;
      }
      if (!v) ok = false;
      else env.set(p.name, v);
    }
    return ok ? env : undefined;
  }

  /** Expands one call of a block: the node of its output, or of each of its results in order. */
  private callBlock(def: BlockDef, call: A.Call, cur: number, scope: Scope, label: string | undefined): number[] | undefined {
    const name = def.decl.name;
    if (this.stack.includes(name)) {
      const cycle = [...this.stack.slice(this.stack.indexOf(name)), name].join(" → ");
      this.diags.push(diag(messages.recursiveBlock, call.nameSpan, { block: name, cycle }, { hint: "a block cannot contain itself; to stack it, repeat the call: NAME * N" }));
      return undefined;
    }
    if (this.interrupted(call.span)) return undefined;
    if (scope.frames.length >= this.limits.maxDepth) {
      this.diags.push(diag(messages.nestingTooDeep, call.nameSpan, { limit: this.limits.maxDepth }, { hint: "flatten some blocks into their callers, or raise the maxDepth option" }));
      this.aborted = true;
      return undefined;
    }
    // After a mistake in the call, the tensors it names are not reported unused as well.
    const refused = (): undefined => call.args.forEach((a) => markNamesUsed(a.value, scope.tensors)) as undefined;
    if (!this.blockInputsDeclared(def) || !this.blockArgsFit(def, call, scope)) return refused();
    const env = this.blockEnv(def, call, scope.env, this.diags);
    if (!env) return refused();
    const given = this.blockInputs(def, call, cur, scope);
    if (!given) return refused();
    const n = (this.blockCounters.get(name) ?? 0) + 1;
    this.blockCounters.set(name, n);
    const instance = label ?? `${name}_${n}`;
    const frame: BlockFrame = { name: instance, block: name, span: call.span };
    const inner: Scope = {
      what: "block", name, env, frames: [...scope.frames, frame], tensors: new Map(), labels: new Map(), failed: new Set(), allow: allowedIn(def.decl.body, scope.allow, this.diags), bound: boundNames(def.decl.body), early: new Set(),
    };
    const first = this.nodes.length;
    const noted = this.diags.length;
    this.stack.push(name);
    const results = resultNames(def.decl);
    const outputs: (number | undefined)[] = [];
    let outputSeen = false;
    let failed = false;
    for (const st of def.decl.body) {
      if (this.aborted) break;
      if (st.kind === "input") {
        if (st.shape) this.diags.push(diag(messages.badInputShape, st.shape.span, { what: "input", name: st.name, reason: "a block input takes its shape from the tensor piped in" }, { severity: "error" }));
        inner.tensors.set(st.name, { node: given.get(st.name)!, span: st.nameSpan, used: false });
      } else if (st.kind === "assert") {
        this.diags.push(diag(messages.assertOutsideModel, st.span, { block: name }, { hint: "write it in the model, with the block call's label: assert shape(LABEL) == [...]" }));
      } else if (st.kind === "tensor") {
        this.tensorDecl(st, inner);
        if (inner.failed.has(st.name)) failed = true;
      } else if (st.kind !== "allow") {
        const out = this.statement(st, inner, outputSeen, results !== undefined);
        if (st.kind === "output") {
          if (!outputSeen || results) outputs.push(out);
          outputSeen = true;
        }
        if (out === undefined) failed = true;
      }
    }
    this.stack.pop();
    if (outputSeen) this.warnUnused(inner);
    // A use of a number the body tried to bind (`conv2d(w, 3)`) echoes that error: dropped.
    const numbers = this.numberNames.get(inner);
    if (numbers) {
      const echoes = new Set([...numbers].map((n) => formatMessage(messages.unknownName.template, { name: n })));
      const kept = this.diags.slice(noted).filter((d) => d.code !== messages.unknownName.code || !echoes.has(d.message));
      this.diags.length = noted;
      pushAll(this.diags, kept);
    }
    // What the body raised names this call (the notes of nested calls come first, innermost first).
    for (let k = noted; k < this.diags.length; k++) {
      const d = this.diags[k]!;
      this.diags[k] = { ...d, related: [...(d.related ?? []), callNote(frame)] };
    }
    if (!outputSeen) this.diags.push(diag(messages.missingOutput, def.decl.nameSpan, { what: "block", name }, { hint: "add a line: output x -> ..." }));
    if (!outputSeen || failed || outputs.some((o) => o === undefined)) {
      this.failedNames.add(instance);
      return undefined;
    }
    const ids = outputs as number[];
    const members = Array.from({ length: this.nodes.length - first }, (_, i) => first + i);
    this.blockCalls.push({
      name: instance, block: name, path: [this.model.name, ...inner.frames.map((f) => f.name)].join("/"),
      output: ids[0]!, members, span: call.span, depth: inner.frames.length,
      ...(results ? { results: results.map((r, i) => ({ name: r, node: ids[i]! })) } : {}),
    });
    return ids;
  }

  /** Blocks whose inputs were checked (blockInputsDeclared), with the answer: each is reported once. */
  private readonly inputsChecked = new Map<string, boolean>();

  /**
   * A block's input lines: at least one (CS2025); no name twice (CS2010); an input after the
   * first, passed by name at the call, named like no parameter (CS2048). Reported once a block.
   */
  private blockInputsDeclared(def: BlockDef): boolean {
    const block = def.decl.name;
    const known = this.inputsChecked.get(block);
    if (known !== undefined) return known;
    const decls = blockInputDecls(def.decl);
    const before = this.diags.length;
    if (decls.length === 0) this.diags.push(diag(messages.blockInputCount, def.decl.nameSpan, { block, count: 0 }, { hint: "a block reads the tensor piped into it: input x" }));
    decls.forEach((d, i) => {
      const first = decls.find((e) => e.name === d.name)!;
      const param = def.decl.params.find((p) => p.name === d.name);
      if (first !== d) {
        this.diags.push(diag(messages.duplicateBinding, d.nameSpan, { name: d.name, scope: "block" }, { related: [{ span: first.nameSpan, message: "first bound here" }] }));
      } else if (i > 0 && param) {
        this.diags.push(diag(messages.blockInput, d.nameSpan, { block, what: `input "${d.name}" has the name of parameter "${d.name}", and a call passes both by name (${d.name}=...)` }, {
          hint: `rename the input or the parameter: input ${d.name}_in, then ${block}(..., ${d.name}_in=t)`, related: [{ span: param.span, message: `parameter ${d.name}` }],
        }));
      }
    });
    const ok = this.diags.length === before;
    this.inputsChecked.set(block, ok);
    return ok;
  }

  /**
   * A block call's arguments against what they bind: a tensor by position after the block's
   * parameters (CS2048: a tensor goes to an input after the first by name), a tensor name for a
   * parameter (CS2006). Other mistakes are blockEnv's (CS2012 to CS2014).
   */
  private blockArgsFit(def: BlockDef, call: A.Call, scope: Scope): boolean {
    const { name: block, params } = def.decl;
    const isTensor = (a: A.Arg) => a.value.kind === "name" && !scope.env.has(a.value.name) && (scope.tensors.has(a.value.name) || scope.failed.has(a.value.name));
    const positional = call.args.filter((a) => a.name === undefined);
    const surplus = positional.slice(params.length);
    const others = blockInputDecls(def.decl).slice(1).map((d) => d.name);
    if (surplus.length > 0 && surplus.every(isTensor)) {
      const names = surplus.map((a) => (a.value as Extract<A.Expr, { kind: "name" }>).name);
      const open = others.filter((n) => !call.args.some((a) => a.name === n));
      const first = blockInputDecls(def.decl)[0]?.name ?? "x";
      const kept = [...positional.slice(0, params.length), ...call.args.filter((a) => a.name !== undefined)].map((a) => this.argText(a));
      const what = `${names.join(", ")}, given by position after its ${params.length} parameter${params.length === 1 ? "" : "s"}${params.length > 0 ? ` (${params.map((p) => p.name).join(", ")})` : ""}, ${names.length === 1 ? "is a tensor" : "are tensors"}`;
      if (open.length >= names.length) {
        this.diags.push(diag(messages.blockInput, surplus[0]!.span, { block, what: `${what}: the chain's tensor goes to input ${first}, each other input by name` }, {
          hint: `${block}(${[...kept, ...names.map((n, i) => `${open[i]}=${n}`)].join(", ")})`, related: [{ span: def.decl.nameSpan, message: `block ${block} is defined here` }],
        }));
        return false;
      }
      if (others.length === 0) {
        this.diags.push(diag(messages.blockInput, surplus[0]!.span, { block, what: `${what}, and the block's one input, ${first}, reads the chain's tensor` }, {
          hint: `declare another input in block ${block} (input NAME, after input ${first}) and pass ${names[0]} by name: ${block}(${[...kept, `NAME=${names[0]}`].join(", ")})`,
          related: [{ span: def.decl.nameSpan, message: `block ${block} is defined here` }],
        }));
        return false;
      }
    }
    let ok = true;
    const check = (param: string, a: A.Arg) => {
      if (!isTensor(a) || layerWords().has((a.value as Extract<A.Expr, { kind: "name" }>).name)) return;
      const t = (a.value as Extract<A.Expr, { kind: "name" }>).name;
      const hint = others.length > 0
        ? `a tensor goes to one of the block's inputs: the chain's to ${blockInputDecls(def.decl)[0]!.name} (${t} -> ${block}(...)), another by name (${block}(..., ${others[0]}=${t}))`
        : `a tensor goes to the block's input through the chain: ${t} -> ${block}(...); for a second tensor, declare another input in block ${block} and pass it by name: ${block}(..., NAME=${t})`;
      this.diags.push(diag(messages.argumentType, a.value.span, { callee: block, name: param, expected: "a number, list or word", actual: `the tensor ${t}` }, { hint }));
      ok = false;
    };
    positional.slice(0, params.length).forEach((a, i) => check(params[i]!.name, a));
    for (const a of call.args) if (a.name !== undefined && params.some((p) => p.name === a.name)) check(a.name, a);
    return ok;
  }

  /**
   * The tensor each input of a block call reads: the chain's (`cur`) for the first, a bound
   * tensor passed by name (`skip=s`) for each other (an extension beyond 1.1). Undefined after
   * a diagnostic: an input not given (CS2048), a value that is no tensor (CS2006), an unknown
   * tensor (CS2009).
   */
  private blockInputs(def: BlockDef, call: A.Call, cur: number, scope: Scope): Map<string, number> | undefined {
    const block = def.decl.name;
    const decls = blockInputDecls(def.decl);
    const out = new Map<string, number>([[decls[0]!.name, cur]]);
    const missing: string[] = [];
    let ok = true;
    for (const d of decls.slice(1)) {
      const a = call.args.find((x) => x.name === d.name);
      if (!a) {
        missing.push(d.name);
        continue;
      }
      const e = a.value;
      const t = e.kind === "name" && !scope.env.has(e.name) ? scope.tensors.get(e.name) : undefined;
      if (t) {
        t.used = true;
        out.set(d.name, t.node);
        continue;
      }
      ok = false;
      if (e.kind === "name" && scope.failed.has(e.name)) continue;
      if (e.kind === "name" && !scope.env.has(e.name)) {
        this.diags.push(unknownTensor(e.name, e.span, scope));
        continue;
      }
      const actual = e.kind === "name" ? `the parameter ${e.name} (${showValue(scope.env.get(e.name)!)})` : e.kind === "number" ? `the number ${e.text}` : "an expression";
      this.diags.push(diag(messages.argumentType, e.span, { callee: block, name: d.name, expected: "a tensor name", actual }, {
        hint: `${d.name} is an input of block ${block}: pass a tensor bound before this line by its name, ${block}(${call.args.map((x) => (x === a ? `${d.name}=t` : this.argText(x))).join(", ")})`,
      }));
    }
    if (missing.length > 0) {
      const guess = (n: string) => (scope.tensors.has(n) ? n : "t");
      const written = `${block}(${[...call.args.map((a) => this.argText(a)), ...missing.map((n) => `${n}=${guess(n)}`)].join(", ")})`;
      const unbound = missing.some((n) => !scope.tensors.has(n));
      this.diags.push(diag(messages.blockInput, call.span, {
        block, what: `input${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not given (the chain's tensor goes to input ${decls[0]!.name}, each other input by name)`,
      }, { hint: `${written}${unbound ? ", t a tensor bound before this line" : ""}`, related: [{ span: def.decl.nameSpan, message: `block ${block} is defined here` }] }));
      return undefined;
    }
    return ok ? out : undefined;
  }

  /** An argument as written (`skip=s`), for a hint. */
  private argText(a: A.Arg): string {
    const own = this.sourceText(a.span.file)?.slice(a.span.start, a.span.end);
    return own && !own.includes("\n") ? own : `${a.name === undefined ? "" : `${a.name}=`}...`;
  }

  /**
   * The hint for a block called where a chain starts (`up(m, s3) -> ...`): when its first
   * argument is a bound tensor, the chain that passes it, other tensors by input name. The
   * tensors it names are marked used (the error is the call's, not an unused binding).
   */
  private blockSourceHint(call: A.Call, scope: Scope): string | undefined {
    const def = this.blocks.get(call.name);
    const tensorOf = (a: A.Arg) => (a.name === undefined && a.value.kind === "name" && scope.tensors.has(a.value.name) ? a.value.name : undefined);
    const head = call.args[0] && tensorOf(call.args[0]);
    if (!def || !head) return undefined;
    for (const a of call.args) markNamesUsed(a.value, scope.tensors);
    const others = blockInputDecls(def.decl).slice(1).map((d) => d.name);
    let k = 0;
    const rest = call.args.slice(1).map((a) => {
      const t = tensorOf(a);
      return t === undefined ? this.argText(a) : `${others[k++] ?? "NAME"}=${t}`;
    });
    const first = blockInputDecls(def.decl)[0]?.name ?? "x";
    return `a chain starts from a tensor, which goes to the block's first input (${first}), and any other input is passed by name: ${head} -> ${call.name}(${rest.join(", ")})`;
  }

  /** Nodes of bindings reported unused (CS2023): what they alone need is explained by that warning. */
  private readonly unusedSinks = new Set<number>();

  private warnUnused(scope: Scope): void {
    if (scope.allow.has(messages.unusedTensor.code)) return;
    for (const [name, t] of scope.tensors) {
      if (t.used || scope.early.has(name)) continue;
      this.unusedSinks.add(t.node);
      this.diags.push(diag(messages.unusedTensor, t.span, { name }, { hint: "use it in a chain or a merge, or delete the line; until then, the layers only it needs are left out of the model" }));
    }
  }
}

/** A chain whose last step calls a block with several results, and those results' names. */
interface ResultsCall {
  readonly last: A.Step;
  readonly def: BlockDef;
  readonly results: readonly string[];
}

/**
 * The result names of a block that declares several outputs, one or more of them named (an
 * extension beyond 1.1; each must be named, CS2018 says so otherwise); undefined for a block
 * of one output, which 1.1 defines.
 */
export function resultNames(decl: A.BlockDecl): string[] | undefined {
  const outs = decl.body.filter((s): s is Extract<A.Statement, { kind: "output" }> => s.kind === "output");
  return outs.length >= 2 && outs.some((o) => o.name !== undefined) ? outs.map((o) => o.name ?? "output") : undefined;
}

/** True when `e` reads a name (a block parameter), false for a constant such as `0` or `2 - 2`. */
function namesIn(e: A.Expr): boolean {
  if (e.kind === "name") return true;
  if (e.kind === "call" || e.kind === "list") return (e.kind === "call" ? e.args.map((a) => a.value) : e.items).some(namesIn);
  if (e.kind === "neg") return namesIn(e.operand);
  return e.kind === "binary" && (namesIn(e.left) || namesIn(e.right));
}

let words: Set<string> | undefined;

/** Every word some layer argument takes (`same`, `bilinear`, `all`): a block may pass one on as a parameter's value. */
function layerWords(): Set<string> {
  words ??= new Set(["valid", "same", "full", "all", ...layerNames().flatMap((n) => lookupLayer(n)!.schema.args.flatMap((a) => (a.type.t === "word" ? a.type.words : [])))]);
  return words;
}

/** Marks every tensor name inside `e` (a refused merge operand) as used. */
function markNamesUsed(e: A.Expr, tensors: ReadonlyMap<string, { used: boolean }>): void {
  if (e.kind === "name") {
    const t = tensors.get(e.name);
    if (t) t.used = true;
  } else if (e.kind === "call") for (const a of e.args) markNamesUsed(a.value, tensors);
  else if (e.kind === "list") for (const x of e.items) markNamesUsed(x, tensors);
  else if (e.kind === "neg") markNamesUsed(e.operand, tensors);
  else if (e.kind === "binary") {
    markNamesUsed(e.left, tensors);
    markNamesUsed(e.right, tensors);
  }
}

/**
 * The hint for a merge operand that is neither a tensor name nor a number the merge takes: a
 * number where only tensors go says which merges take one, a nested merge or expression is
 * bound first, by its own text.
 */
function operandHint(call: A.Call, index: number, e: A.Expr, text: string | undefined): string {
  const constant = (x: A.Expr) => x.kind === "number" || (x.kind === "neg" && x.operand.kind === "number");
  if (constant(e)) {
    const takers = layerNames().filter((n) => { const l = lookupLayer(n); return l?.schema.merge && takesConstant(l.schema); });
    return `${call.name} takes tensors only; a number may be an operand of ${takers.join(" and ")}, as in ${takers[takers.length - 1] ?? "mul"}(y, 0.2)`;
  }
  if (e.kind === "list") return `a merge operand is a tensor name; to combine with a fixed tensor, declare it: buffer s: [...], then ${call.name}(..., s)`;
  const own = text?.slice(e.span.start, e.span.end);
  if (!own) return `bind the operand first: t = x -> ..., then ${call.name}(..., t, ...)`;
  const others = call.args.map((a, k) => (k === index ? "t" : text!.slice(a.span.start, a.span.end)));
  return `bind the operand first: t = ${own}, then ${call.name}(${others.join(", ")})`;
}

/** A chain as written (for a hint), or its first step's name and `-> ...` when the text is not at hand. */
function chainText(chain: A.Chain, text: string | undefined): string {
  const own = text?.slice(chain.span.start, chain.span.end);
  return own && !own.includes("\n") ? own : `${chain.source.call.name} -> ...`;
}

/**
 * CS2009 for a name no binding before this line gives: when the scope binds it on a later
 * line, says so (bindings come before their uses) and points there.
 */
function unknownTensor(name: string, span: Span, scope: Scope): Diagnostic {
  const later = scope.bound.get(name);
  if (later && later.start > span.start) {
    scope.early.add(name);
    return diag(messages.unknownTensor, span, { name }, {
      hint: `"${name}" is bound on a later line: bindings come before their uses, so move that line above this one`,
      related: [{ span: later, message: `"${name}" is bound here, after its use` }],
    });
  }
  return diag(messages.unknownTensor, span, { name }, { hint: didYouMean(name, scope.tensors.keys()) });
}
