/**
 * Exports one model of the graph IR, with its weights, to an ONNX ModelProto (opset 17).
 * Pads are explicit, shapes static except that reshapes keep the batch axis with 0.
 */
import type { ModelGraph } from "../graph/ir.js";
import type { ModelParams } from "../exec/tensor.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { GraphBuilder } from "./builder.js";
import { familyOf, families } from "../families/registry.js";
import { encodeModel } from "./proto.js";
import { inferShapes } from "./shapes.js";
import { stopCheck, STOP_HINT, type StopOptions } from "../util/stop.js";

/** The opset the exporter writes (LayerNormalization needs 17). */
export const ONNX_OPSET = 17;

export interface OnnxExportOptions extends StopOptions {
  /** The batch size written into the input and output shapes (default 1). */
  readonly batch?: number;
}

export interface OnnxExportResult {
  /** The ModelProto's bytes; absent when a layer could not be expressed. */
  readonly bytes?: Uint8Array;
  /** ONNX names of the model's inputs and outputs, in declaration order. */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The layer families the exporter maps (every registered one: the ONNX face is required). */
export function exportedFamilies(): string[] {
  return families.map((f) => f.schema.family);
}

/** Exports `model` with `params` (PyTorch layouts, by node id) to ONNX bytes, or diagnostics. */
export function exportOnnx(model: ModelGraph, params: ModelParams, options: OnnxExportOptions = {}): OnnxExportResult {
  const batch = options.batch ?? 1;
  const refuse = (node: ModelGraph["nodes"][number], reason: string): OnnxExportResult => ({
    inputNames: [], outputNames: [],
    diagnostics: [diag(messages.onnxUnsupported, node.span, { layer: node.path, reason })],
  });
  const { shapes, failure } = inferShapes(model);
  if (failure) return refuse(failure.node, failure.reason);

  const b = new GraphBuilder();
  const names = new Map<number, string>();
  const inputNames: string[] = [];
  for (const id of model.inputs) {
    const n = model.nodes[id]!;
    const name = b.input(n.label, [batch, ...shapes.get(id)!]);
    names.set(id, name);
    inputNames.push(name);
  }
  const stop = stopCheck(options);
  for (const node of model.nodes) {
    const reason = (node.id & 255) === 0 ? stop() : undefined;
    if (reason !== undefined) return { inputNames: [], outputNames: [], diagnostics: [diag(messages.stopped, node.span, { reason: reason.replace(/^it /, "the export ") }, { hint: STOP_HINT })] };
    if (node.kind === "input") continue;
    const emit = familyOf(node.family)?.onnx;
    if (!emit) return refuse(node, `layer family ${node.family} has no ONNX mapping`);
    const r = emit({
      b, node,
      ins: node.inputs.map((i) => names.get(i)!),
      inShapes: node.inputs.map((i) => shapes.get(i)!),
      outShape: shapes.get(node.id)!,
      params: params.get(node.id),
    });
    if (typeof r !== "string") return refuse(node, r.refuse);
    names.set(node.id, r);
  }
  const outputNames: string[] = [];
  for (const o of model.outputs) {
    outputNames.push(b.output(names.get(o.node)!, o.name, [batch, ...shapes.get(o.node)!]));
  }
  const doc = `convspec model ${model.name} from ${model.file}`;
  return { bytes: encodeModel(b.model(model.name, ONNX_OPSET, doc)), inputNames, outputNames, diagnostics: [] };
}
