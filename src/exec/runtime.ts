/**
 * The tensor runtime: executes one model of the graph IR in order, allocating each layer's
 * parameters for the input it actually receives, and measures as it goes — output shapes,
 * parameter elements allocated, MACs counted by the kernels, bytes of every output buffer and
 * the peak of bytes alive when each tensor is freed after its last use.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import type { LayerNode, ModelGraph } from "../graph/ir.js";
import type { LayerParams, ModelParams, Tensor } from "./tensor.js";
import { SumCounter } from "./kernels/api.js";
import { ExecError, prod } from "./kernels/util.js";
import type { ParamSpec } from "../families/exec.js";
import { familyOf } from "../families/registry.js";
import { Rng, initInput, initParam, type Precision } from "./init.js";
import { dict } from "../util/dict.js";

export interface RunOptions {
  /** Batch size (default 1). */
  readonly batch?: number;
  /** Element type: f32 (default) or f64 for exact checks. */
  readonly precision?: Precision;
  /** Seed of initialization and generated inputs (default 0). */
  readonly seed?: number;
  /** Weights by node id in PyTorch layouts; layers not listed are initialized from the seed. */
  readonly params?: ModelParams;
  /** Inputs by input name, batch axis included; inputs not given are generated from the seed. */
  readonly inputs?: Readonly<Record<string, Tensor>>;
  /** Keep every layer's output (needed by backward); otherwise each is freed after its last use. */
  readonly keep?: boolean;
  /** Run as the receptive-field probe: positive weights, all-ones inputs, pass-through nonlinearities. */
  readonly probe?: boolean;
  /** Run only these nodes (inputs included; every input of a listed node must be listed); default all. */
  readonly only?: ReadonlySet<number>;
  /** Called after each layer with the number done and the total. */
  readonly onLayer?: (done: number, total: number) => void;
}

/** What one layer did, measured from its buffers and counters. */
export interface LayerMeasure {
  readonly node: number;
  readonly name: string;
  readonly kind: string;
  /** Shape of the output tensor, batch axis included. */
  readonly shape: readonly number[];
  /** Parameter elements allocated (trainable and buffers). */
  readonly params: number;
  readonly trainableParams: number;
  /** Multiply-accumulates counted by the kernels. */
  readonly macs: number;
  /** Bytes of the output buffer. */
  readonly activationBytes: number;
}

export interface RunResult {
  readonly model: ModelGraph;
  readonly precision: Precision;
  readonly probe: boolean;
  /** Every layer's parameters as used (given or initialized). */
  readonly params: ReadonlyMap<number, LayerParams>;
  /** The model's results by output name. */
  readonly outputs: Readonly<Record<string, Tensor>>;
  /** Each node's output by id, when `keep` was set (inputs included). */
  readonly tensors: readonly (Tensor | undefined)[];
  /** One entry per layer that ran, in execution order. */
  readonly layers: readonly LayerMeasure[];
  /** Bytes of the model inputs. */
  readonly inputBytes: number;
  /** Most bytes of node outputs (inputs included) alive at once. */
  readonly peakBytes: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** For every node, the index in execution order of its last reader (model outputs: never freed). */
function lastUses(model: ModelGraph): number[] {
  const last = model.nodes.map((n) => n.id);
  for (const n of model.nodes) for (const i of n.inputs) last[i] = Math.max(last[i]!, n.id);
  for (const o of model.outputs) last[o.node] = Infinity;
  return last;
}

function inputTensor(node: LayerNode, batch: number, opts: RunOptions, rng: Rng, precision: Precision, ds: Diagnostic[]): Tensor | undefined {
  const shape = [batch, ...((node.args.shape as number[] | undefined) ?? [])];
  const given = opts.inputs && Object.hasOwn(opts.inputs, node.label) ? opts.inputs[node.label] : undefined;
  if (!given) return initInput(shape, rng, precision, opts.probe === true);
  if (given.shape.join() !== shape.join() || given.data.length !== prod(shape)) {
    ds.push(diag(messages.badInput, node.span, { name: node.label, reason: `given shape [${given.shape.join(", ")}], the model declares [${shape.join(", ")}] (batch first)` }));
    return undefined;
  }
  return given;
}

/** The layer's parameters: given ones checked against what the layer needs, the rest initialized. */
function layerParams(node: LayerNode, specs: Record<string, ParamSpec>, opts: RunOptions, rng: Rng, precision: Precision, ds: Diagnostic[]): LayerParams | undefined {
  const given = opts.params?.get(node.id) ?? {};
  for (const name of Object.keys(given)) {
    if (!specs[name]) {
      ds.push(diag(messages.unknownWeights, node.span, { layer: node.label, param: name, known: Object.keys(specs).join(", ") || "no parameters" }));
      return undefined;
    }
  }
  const out = dict<Tensor>();
  for (const [name, spec] of Object.entries(specs)) {
    const g = given[name];
    if (g && (g.shape.join() !== spec.shape.join() || g.data.length !== prod(spec.shape))) {
      ds.push(diag(messages.badWeights, node.span, { layer: node.label, param: name, given: `[${g.shape.join(", ")}]`, needed: `[${spec.shape.join(", ")}]` }));
      return undefined;
    }
    out[name] = g ?? initParam(spec, rng, precision, opts.probe === true);
  }
  return out;
}

/** Executes a model; stops at the first layer that cannot run and reports it as a diagnostic. */
export function run(model: ModelGraph, opts: RunOptions = {}): RunResult {
  const batch = opts.batch ?? 1, precision = opts.precision ?? "f32", probe = opts.probe === true;
  const rng = new Rng(opts.seed ?? 0);
  const ds: Diagnostic[] = [];
  const tensors: (Tensor | undefined)[] = new Array(model.nodes.length);
  const params = new Map<number, LayerParams>();
  const layers: LayerMeasure[] = [];
  const last = lastUses(model);
  let live = 0, peak = 0, inputBytes = 0;
  // Bytes each node's output added to the live total (a param's value is not an activation).
  const counted: number[] = new Array(model.nodes.length).fill(0);
  const release = (id: number, at: number): void => {
    if (!opts.keep && last[id] === at && tensors[id]) {
      live -= counted[id]!;
      tensors[id] = undefined;
    }
  };
  const total = model.nodes.length - model.inputs.length;
  for (const node of model.nodes) {
    if (opts.only && !opts.only.has(node.id)) continue;
    if (node.kind === "input") {
      const t = inputTensor(node, batch, opts, rng, precision, ds);
      if (!t) break;
      tensors[node.id] = t;
      inputBytes += t.data.byteLength;
      counted[node.id] = t.data.byteLength;
      live += t.data.byteLength;
      peak = Math.max(peak, live);
      release(node.id, node.id); // an input nobody reads
      continue;
    }
    const m = runLayer(node, tensors, opts, rng, precision, ds);
    if (!m) break;
    params.set(node.id, m.params);
    tensors[node.id] = m.y;
    counted[node.id] = familyOf(node.family)!.exec.parameter ? 0 : m.y.data.byteLength;
    live += counted[node.id]!;
    peak = Math.max(peak, live);
    layers.push({
      node: node.id, name: node.label, kind: node.kind, shape: [...m.y.shape], params: m.count, trainableParams: m.trainable,
      macs: m.macs, activationBytes: counted[node.id]!,
    });
    for (const i of new Set(node.inputs)) release(i, node.id);
    release(node.id, node.id); // an output nobody reads
    opts.onLayer?.(layers.length, total);
  }
  const outputs = dict<Tensor>();
  for (const o of model.outputs) if (tensors[o.node]) outputs[o.name] = tensors[o.node]!;
  return { model, precision, probe, params, outputs, tensors, layers, inputBytes, peakBytes: peak, diagnostics: ds };
}

interface LayerRun { y: Tensor; params: LayerParams; count: number; trainable: number; macs: number }

function runLayer(node: LayerNode, tensors: readonly (Tensor | undefined)[], opts: RunOptions, rng: Rng, precision: Precision, ds: Diagnostic[]): LayerRun | undefined {
  const op = familyOf(node.family)?.exec;
  if (!op) {
    ds.push(diag(messages.noKernel, node.span, { layer: node.label, family: node.family }));
    return undefined;
  }
  const xs = node.inputs.map((i) => tensors[i]!);
  try {
    const specs = op.params?.(node, xs.map((x) => x.shape)) ?? {};
    const p = layerParams(node, specs, opts, rng, precision, ds);
    if (!p) return undefined;
    const counter = new SumCounter();
    const y = op.forward(node, xs, p, { counter, probe: opts.probe === true });
    let count = 0, trainable = 0;
    for (const [name, t] of Object.entries(p)) {
      count += t.data.length;
      if (specs[name]?.trainable) trainable += t.data.length;
    }
    return { y, params: p, count, trainable, macs: counter.total };
  } catch (e) {
    // A RangeError is an allocation the engine refuses (a tensor too large for memory).
    if (!(e instanceof ExecError) && !(e instanceof RangeError)) throw e;
    const reason = e instanceof RangeError ? `cannot allocate its tensors (${e.message})` : e.message;
    ds.push(diag(messages.execFailed, node.span, { layer: node.label, reason }));
    return undefined;
  }
}
