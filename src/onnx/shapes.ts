/**
 * Static shapes (without the batch axis) of every node, as the exporter needs them for
 * explicit pads, reshapes and weights: the analyzer's. The export stays an independent check:
 * the ONNX cross-check compares onnxruntime's results with the runtime's, whose kernels find
 * their own geometry; a wrong shape here makes a graph that disagrees with both.
 */
import { analyze } from "../analysis/analyze.js";
import type { LayerNode, ModelGraph } from "../graph/ir.js";

type Shape = readonly number[];

/** Shapes by node id, or the first node the analyzer could not size (and its message). */
export function inferShapes(model: ModelGraph): { shapes: Map<number, Shape>; failure?: { node: LayerNode; reason: string } } {
  const a = analyze({ models: [model] }, { asserts: false });
  const shapes = new Map<number, Shape>();
  for (const id of model.inputs) {
    const s = model.nodes[id]!.args.shape;
    if (Array.isArray(s)) shapes.set(id, s as number[]);
  }
  for (const f of a.models[0]?.layers ?? []) shapes.set(f.node, f.outputShape);
  const missing = model.nodes.find((n) => !shapes.has(n.id));
  if (!missing) return { shapes };
  const reason = a.diagnostics.find((d) => d.severity === "error")?.message ?? "its shape is unknown";
  return { shapes, failure: { node: missing, reason } };
}
