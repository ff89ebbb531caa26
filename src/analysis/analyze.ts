/**
 * The static analyzer: walks each model's graph in execution order and asks every layer's
 * family (src/layers, via the registry) for its shape, parameters, cost and receptive field;
 * then totals, memory and the model's assertions. Returns data; never prints.
 */
import { diag, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { SourceLookup } from "../diagnostics/render.js";
import type { BlockCallInfo, Graph, LayerNode, ModelGraph } from "../graph/ir.js";
import { callNote } from "../graph/call_note.js";
import { rulesOf } from "../families/registry.js";
import { inputField } from "../families/rf.js";
import { NO_COST, NO_PARAMS, numel, showShape, type LayerContext, type Shape } from "../families/types.js";
import { evaluateAsserts } from "./asserts.js";
import { isAllowed } from "../diagnostics/allow.js";
import { channelsLastWarnings } from "./layout.js";
import { spatiality } from "./spatial.js";
import { peakLiveBytes, trainingBytes } from "./memory.js";
import {
  DTYPE_BYTES, OPTIMIZER_STATES,
  type AnalysisResult, type AnalyzeOptions, type DType, type LayerFacts, type ModelAnalysis, type Optimizer, type ReceptiveField, type Totals,
} from "./types.js";
import { pushAll } from "../util/array.js";
import { stopCheck, STOP_HINT } from "../util/stop.js";

/** Options as the analyzer uses them, defaults filled in. */
interface Settings {
  readonly batch: bigint;
  readonly dtype: DType;
  readonly optimizer: Optimizer;
  readonly strict: boolean;
  readonly sources?: SourceLookup;
  readonly asserts: boolean;
  readonly assertsSkipped: string;
  readonly stop: () => string | undefined;
}

/** analyze(graph, options): the static analysis of every model in a compiled graph. */
export function analyze(graph: Graph, options: AnalyzeOptions = {}): AnalysisResult {
  const s: Settings = {
    batch: BigInt(options.batch ?? 1),
    dtype: options.dtype ?? "float32",
    optimizer: options.optimizer ?? "sgd",
    strict: options.strict ?? false,
    sources: options.sources,
    asserts: options.asserts ?? true,
    assertsSkipped: options.assertsSkipped ?? "turned off by the caller",
    stop: stopCheck(options),
  };
  const diagnostics: Diagnostic[] = [];
  const models = [];
  for (const m of graph.models) {
    const a = analyzeModel(m, s, diagnostics);
    // A stopped analysis returns no partial models, as a stopped compile does.
    if (diagnostics.some((d) => d.code === messages.stopped.code)) return { models: [], diagnostics };
    models.push(a);
  }
  return { models, diagnostics };
}

/** Per-node results of one walk: shapes (undefined where a layer failed), fields, facts. */
interface Walk {
  readonly shapes: (Shape | undefined)[];
  readonly layers: LayerFacts[];
  readonly diags: Diagnostic[];
}

function walk(m: ModelGraph, s: Settings): Walk {
  const shapes: (Shape | undefined)[] = [];
  const fields: ReceptiveField[] = [];
  const layers: LayerFacts[] = [];
  const diags: Diagnostic[] = [];
  const callsOf = enclosingCalls(m);
  const first = m.nodes[m.inputs[0]!];
  const extent = (first?.args.shape as number[] | undefined)?.slice(1) ?? [];
  for (const node of m.nodes) {
    // Polling the clock on every node would cost more than the node itself.
    const reason = (node.id & 255) === 0 ? s.stop() : undefined;
    if (reason !== undefined) {
      diags.push(diag(messages.stopped, node.span, { reason: reason.replace(/^it /, "the analysis ") }, { hint: STOP_HINT }));
      break;
    }
    if (node.kind === "input") {
      const shape = node.args.shape as number[];
      shapes[node.id] = shape;
      fields[node.id] = inputField(shape.length - 1);
      continue;
    }
    // A layer whose input failed is skipped quietly: its error is already reported.
    if (node.inputs.some((i) => shapes[i] === undefined)) continue;
    const ctx: LayerContext = {
      node, extent, strict: s.strict, diags,
      inputs: node.inputs.map((i) => ({ shape: shapes[i]!, node: m.nodes[i]!, rf: fields[i]! })),
    };
    const before = diags.length;
    const facts = layer(ctx, s);
    // `allow CSxxxx` where the node was made silences that warning of the node.
    if (node.allow) {
      const kept = diags.slice(before).filter((d) => !isAllowed(d, node.allow!));
      diags.length = before;
      pushAll(diags, kept);
    }
    const calls = callsOf.get(node.id);
    if (calls) for (let k = before; k < diags.length; k++) diags[k] = withCallNotes(diags[k]!, calls);
    if (!facts) continue;
    shapes[node.id] = facts.outputShape;
    fields[node.id] = facts.rf;
    layers.push(facts);
  }
  return { shapes, layers, diags };
}

/** For every node made by a block call, the calls that made it, innermost first. */
function enclosingCalls(m: ModelGraph): Map<number, BlockCallInfo[]> {
  const out = new Map<number, BlockCallInfo[]>();
  for (const call of [...m.blockCalls].sort((a, b) => b.depth - a.depth)) {
    for (const id of call.members) {
      const list = out.get(id);
      if (list) list.push(call);
      else out.set(id, [call]);
    }
  }
  return out;
}

/**
 * A diagnostic about a layer inside a block, with a note at each call that made it (innermost
 * first): the spans inside the block body are the same for every call, the call names which one.
 */
function withCallNotes(d: Diagnostic, calls: readonly BlockCallInfo[]): Diagnostic {
  return { ...d, related: [...(d.related ?? []), ...calls.map(callNote)] };
}

/** One layer's facts, or undefined after a diagnostic. */
function layer(ctx: LayerContext, s: Settings): LayerFacts | undefined {
  const { node } = ctx;
  const rules = rulesOf(node.family);
  if (!rules) {
    ctx.diags.push(diag(messages.badLayer, node.span, { layer: node.label, reason: `no analysis rules for the ${node.family} family` }));
    return undefined;
  }
  const out = rules.shape(ctx);
  if (!out) return undefined;
  if (out.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    ctx.diags.push(diag(messages.sizeTooLarge, node.span, { layer: node.label, size: showShape(out) }));
    return undefined;
  }
  const params = rules.params?.(ctx, out) ?? NO_PARAMS;
  const cost = rules.cost?.(ctx, out) ?? NO_COST;
  const rf = spatiality(ctx, rules.rf?.(ctx, out) ?? ctx.inputs[0]!.rf, out);
  emptyField(ctx, rf);
  return {
    node: node.id, name: node.label, kind: node.kind, block: blockPath(node), path: node.path, span: node.span,
    inputShapes: ctx.inputs.map((x) => x.shape), outputShape: out,
    params: params.trainable, trainableParams: params.trainable, nonTrainableParams: params.nonTrainable,
    macs: cost.macs * s.batch, flops: cost.flops * s.batch,
    activationBytes: rules.parameter ? 0n : s.batch * numel(out) * BigInt(DTYPE_BYTES[s.dtype]), rf,
  };
}

/** A warning where the field first becomes empty (the output is the bias alone). */
function emptyField(ctx: LayerContext, rf: LayerFacts["rf"]): void {
  rf.size.forEach((size, a) => {
    if (size !== 0 || ctx.inputs.some((x) => x.rf.size[a] === 0)) return;
    ctx.diags.push(diag(messages.rfEmpty, ctx.node.span, {
      layer: ctx.node.label, axis: `spatial axis ${a}`,
    }, { hint: "change the stride or padding so the windows land on the transposed conv's input positions" }));
  });
}

/** The block calls that made a node, joined by "/". */
export function blockPath(n: LayerNode): string {
  return n.blocks.map((b) => b.name).join("/");
}

function totalsOf(m: ModelGraph, w: Walk, s: Settings): Totals {
  const sum = (pick: (f: LayerFacts) => bigint) => w.layers.reduce((a, f) => a + pick(f), 0n);
  const size = BigInt(DTYPE_BYTES[s.dtype]);
  const bytes = (id: number) => {
    const shape = w.shapes[id];
    // A param or buffer is stored with the parameters, not among the live activations.
    if (!shape || rulesOf(m.nodes[id]!.family)?.parameter) return 0n;
    return s.batch * numel(shape) * size;
  };
  const trainable = sum((f) => f.trainableParams);
  const nonTrainable = sum((f) => f.nonTrainableParams);
  const activationBytes = sum((f) => f.activationBytes);
  const inputBytes = m.inputs.reduce((a, i) => a + bytes(i), 0n);
  const paramBytes = (trainable + nonTrainable) * size;
  return {
    params: trainable, trainableParams: trainable, nonTrainableParams: nonTrainable,
    macs: sum((f) => f.macs), flops: sum((f) => f.flops),
    paramBytes, activationBytes,
    peakActivationBytes: peakLiveBytes(m, bytes),
    trainingBytes: trainingBytes({
      paramBytes, trainableBytes: trainable * size, states: OPTIMIZER_STATES[s.optimizer], savedActivationBytes: activationBytes + inputBytes,
    }),
  };
}

function analyzeModel(m: ModelGraph, s: Settings, diagnostics: Diagnostic[]): ModelAnalysis {
  const w = walk(m, s);
  channelsLastWarnings(m, w.diags);
  pushAll(diagnostics, w.diags);
  const totals = totalsOf(m, w, s);
  const inputs = Object.fromEntries(m.inputs.map((i) => [m.nodes[i]!.label, w.shapes[i]!]));
  const outputs = Object.fromEntries(m.outputs.filter((o) => w.shapes[o.node]).map((o) => [o.name, w.shapes[o.node]!]));
  let asserts: ModelAnalysis["asserts"] = [];
  if (!s.asserts) {
    if (m.asserts.length > 0) diagnostics.push(diag(messages.assertSkipped, m.asserts[0]!.span, { reason: s.assertsSkipped }));
  } else if (hasErrors(w.diags)) {
    if (m.asserts.length > 0) diagnostics.push(diag(messages.assertSkipped, m.asserts[0]!.span, { reason: `model ${m.name} has errors` }));
  } else {
    asserts = evaluateAsserts(m.asserts, { totals, layers: w.layers, shapeOf: (id) => w.shapes[id] }, diagnostics, s.sources);
  }
  return {
    name: m.name, file: m.file, graph: m, batch: Number(s.batch), dtype: s.dtype, optimizer: s.optimizer,
    inputs, outputs, layers: w.layers, totals, asserts,
  };
}
