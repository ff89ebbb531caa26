/**
 * `importOnnx(bytes)`: an ONNX model → ConvSpec text, compiled to the graph IR with the same
 * compiler a hand-written spec goes through, so every analysis applies. The pipeline:
 * read (model.ts, lazy) → patterns (patterns.ts) → walk every node in order, folding constants
 * (fold.ts) or mapping it by the table (ops.ts, built from the families' import faces in
 * src/families/<family>/onnx_import.ts) → write text, lifting repeats into blocks (text.ts) →
 * compile. Runs in a browser: no Node built-ins.
 */
import { compile } from "../../graph/compile.js";
import type { Graph } from "../../graph/ir.js";
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import { fold } from "./fold.js";
import { readModel, type OnnxModel } from "./model.js";
import { importOps } from "./ops.js";
import { applyPatterns } from "./patterns.js";
import { writeSpec } from "./text.js";
import { toIdentifier, type Step, type Val } from "./steps.js";
import { foldViews } from "./views.js";
import { Walk } from "./walk.js";
import { WireError } from "./wire.js";

export { skimOnnx, type ReadAt } from "./skim.js";
export { WireError } from "./wire.js";

export interface OnnxImportOptions {
  /** The file's name, for messages and the model's comment (default `model.onnx`). */
  readonly file?: string;
  /** The model's name in the spec (default: from the file name). */
  readonly modelName?: string;
}

export interface OnnxImportResult {
  /** The ConvSpec text ("" when the file could not be read). */
  readonly text: string;
  /** The compiled text (empty when there is none). */
  readonly graph: Graph;
  readonly diagnostics: readonly Diagnostic[];
}



/** Does Expand(t, to) only repeat t along the batch axis (every other target size 1, −1 or t's own)? */
function expandsBatchOnly(dims: readonly number[], to: readonly number[] | undefined): boolean {
  if (!to || to.length !== dims.length || dims[0] !== 1) return false;
  return to.every((d, i) => i === 0 || d === 1 || d === -1 || d === dims[i]);
}

/** Walks the (pattern-rewritten) graph in node order; the steps and diagnostics end up in the walk. */
function walkGraph(model: OnnxModel, file: string): Walk {
  const w = new Walk(model);
  let external = 0;
  for (const t of model.initializers.values()) {
    w.set(t.name, { init: t, shape: t.dims.map(Number), ...(t.values ? { values: t.values } : {}) });
    if (t.external) external++;
  }
  if (external > 0) w.diagnostics.push(diag(messages.onnxExternalData, undefined, { count: external }));
  for (const inp of model.inputs) {
    if (model.initializers.has(inp.name)) continue; // IR < 4 lists initializers among the inputs
    const dims = inp.shape;
    if (!dims || dims.length < 2 || dims.slice(1).some((d) => typeof d !== "number" || d < 1)) {
      w.diagnostics.push(diag(messages.onnxBadGraph, undefined, { file, reason: `input "${inp.name}" has shape [${dims?.join(", ") ?? "unknown"}]; ConvSpec needs [batch, C, ...] with every non-batch size known` }, { hint: "export with fixed spatial sizes (dynamic_axes only on the batch axis)" }));
      continue;
    }
    // The batch axis is dropped (ConvSpec has none); a symbolic batch is fine.
    const shape = [1, ...(dims.slice(1) as number[])];
    const id = w.steps.length;
    w.steps.push({ id, call: "input", args: [], inputs: [], origin: inp.name, shape: shape.slice(1) });
    w.set(inp.name, { step: id, shape, layout: "first" });
  }
  for (const node of model.nodes) {
    if (node.opType === "Constant") {
      const a = node.attrs.get("value") ?? node.attrs.get("value_float") ?? node.attrs.get("value_ints") ?? node.attrs.get("value_floats") ?? node.attrs.get("value_int");
      if (a?.kind === "tensor") w.set(node.outputs[0]!, { shape: a.t.dims.map(Number), init: a.t, ...(a.t.values ? { values: a.t.values } : {}) });
      else if (a?.kind === "float") w.set(node.outputs[0]!, { shape: [], values: [a.f] });
      else if (a?.kind === "int") w.set(node.outputs[0]!, { shape: [], values: [Number(a.i)] });
      else if (a?.kind === "floats") w.set(node.outputs[0]!, { shape: [a.floats.length], values: [...a.floats] });
      else if (a?.kind === "ints") w.set(node.outputs[0]!, { shape: [a.ints.length], values: a.ints.map(Number) });
      continue;
    }
    const first = w.val(node.inputs[0] ?? "");
    if ((node.opType === "Identity" || node.opType === "Cast") && first?.init && first.step === undefined) {
      w.set(node.outputs[0]!, first); // an initializer shared through Identity: each reader counts it as its own weight
      continue;
    }
    if (node.opType === "Expand" && first?.init && first.step === undefined && expandsBatchOnly(first.shape ?? [], w.consts(node, 1))) {
      w.set(node.outputs[0]!, first); // a ViT's class token expanded to the batch: still the one initializer
      continue;
    }
    if (fold(w, node)) continue;
    const anyData = node.inputs.some((i) => w.val(i)?.step !== undefined);
    const rec = importOps.get(node.opType);
    if (rec && anyData && (node.domain === "" || node.domain === "ai.onnx" || node.domain === "convspec")) rec(w, node);
    else w.unmapped(node, anyData ? "the importer has no record for this operator" : "it computes no data tensor and its inputs are not constants the importer can fold");
  }
  return w;
}

/**
 * The steps the outputs depend on, renumbered in order (inputs stay, and every part of a split
 * one of whose parts is used): a branch that feeds no output is not written, so its weights
 * are not counted.
 */
function usedSteps(steps: readonly Step[], outputs: readonly number[]): { steps: Step[]; outputs: number[] } {
  const used = new Set<number>(outputs);
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (!used.has(i)) continue;
    for (const j of s.inputs) used.add(j);
    if (s.part) for (const id of s.part.ids) used.add(id);
  }
  const renumber = new Map<number, number>();
  const out: Step[] = [];
  for (const s of steps) {
    if (!used.has(s.id) && s.call !== "input") continue;
    renumber.set(s.id, out.length);
    out.push({ ...s, id: out.length, inputs: s.inputs.map((i) => renumber.get(i)!) });
  }
  for (const [k, s] of out.entries()) if (s.part) out[k] = { ...s, part: { ...s.part, ids: s.part.ids.map((i) => renumber.get(i)!) } };
  return { steps: out, outputs: outputs.map((o) => renumber.get(o)!) };
}

/** Imports an ONNX model's bytes: ConvSpec text, its compiled graph, and what was found on the way. */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImportResult {
  const file = options.file ?? "model.onnx";
  const empty: Graph = { models: [] };
  let model: OnnxModel;
  try {
    model = readModel(bytes);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return { text: "", graph: empty, diagnostics: [diag(messages.onnxUnreadable, undefined, { file, reason: e.message }, { hint: "the file is truncated or is not an ONNX ModelProto" })] };
  }
  const w = walkGraph(applyPatterns(model), file);
  const name = toIdentifier(options.modelName ?? (options.file ?? model.graphName).replace(/^.*\//, "").replace(/\.onnx$/i, "")) ?? "imported";
  const outputs = model.outputs.flatMap((o) => {
    const v = w.val(o.name);
    return v?.step === undefined ? [] : [{ id: w.materialize(o.name, v as Val & { step: number }), name: o.name }];
  });
  if (outputs.length === 0 || !w.steps.some((s) => s.call === "input")) {
    w.diagnostics.push(diag(messages.onnxBadGraph, undefined, { file, reason: "no output is computed from a model input" }));
    return { text: "", graph: empty, diagnostics: w.diagnostics };
  }
  if (outputs.length < model.outputs.length) {
    const rest = model.outputs.filter((o) => !outputs.some((k) => k.name === o.name)).map((o) => o.name).join(", ");
    w.diagnostics.push(diag(messages.onnxBadGraph, undefined, { file, reason: `output(s) ${rest} are not computed from a model input, so the spec leaves them out` }, { severity: "warning" }));
  }
  if (w.foldedBiases > 0) {
    w.diagnostics.push(diag(messages.onnxFoldedBatchnorm, undefined, { count: w.foldedBiases }, { hint: "PyTorch's eval-mode export folds each batchnorm into the conv before it: params count that bias (C) instead of batchnorm's γ and β (2·C), and there are no running statistics, so sum(p.numel()) is C more per folded batchnorm" }));
  }
  foldViews(w.steps);
  const kept = usedSteps(w.steps, outputs.map((o) => o.id));
  const text = writeSpec(kept.steps, kept.outputs.map((id, k) => ({ id, name: outputs[k]!.name })), { name, source: `${file} (ONNX IR ${model.irVersion}, opset ${model.opset}${model.producer ? `, ${model.producer}` : ""})` });
  const specFile = file.replace(/\.onnx$/i, "") + ".cnn";
  const c = compile({ file: specFile, text }, { file: specFile, maxLayers: 1_000_000 });
  const compileErrors = c.diagnostics.filter((d) => d.severity === "error");
  for (const d of compileErrors) w.diagnostics.push(diag(messages.onnxImportCompile, undefined, { file, message: `${d.code} ${d.message}` }));
  return { text, graph: c.graph, diagnostics: [...w.diagnostics, ...c.diagnostics.filter((d) => d.severity !== "error")] };
}
