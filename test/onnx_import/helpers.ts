/** Shared by the import tests: shape-only weights for the exporter, the totals compared, and the round trip. */
import { expect } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import type { AnalysisResult } from "../../src/analysis/types.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { importOnnx, type OnnxImportResult } from "../../src/onnx/import/import.js";
import type { ModelGraph } from "../../src/graph/ir.js";
import type { LayerParams, ModelParams, Tensor } from "../../src/exec/tensor.js";
import { familyOf } from "../../src/families/registry.js";
import { inferShapes } from "../../src/onnx/shapes.js";

/**
 * Every parameter tensor with its shape and no data, so `exportOnnx` writes initializers with
 * dims and empty raw_data — what the importer reads — without drawing 100M random weights.
 */
export function shapeOnlyParams(model: ModelGraph): ModelParams {
  const { shapes } = inferShapes(model);
  const params = new Map<number, LayerParams>();
  for (const node of model.nodes) {
    if (node.kind === "input") continue;
    const specs = familyOf(node.family)?.exec.params?.(node, node.inputs.map((i) => [1, ...shapes.get(i)!])) ?? {};
    const p: Record<string, Tensor> = {};
    for (const [name, spec] of Object.entries(specs)) p[name] = { shape: spec.shape, data: new Float32Array(0) };
    params.set(node.id, p);
  }
  return params;
}

/** The totals an import must keep: params, buffers, MACs and output shapes (bigints as strings). */
export function totalsOf(r: AnalysisResult): Record<string, unknown> {
  const m = r.models[0];
  if (!m) return { missing: true };
  const t = m.totals;
  return { params: String(t.params), buffers: String(t.nonTrainableParams), macs: String(t.macs), outputs: Object.values(m.outputs) };
}

/**
 * A model exported with shape-only weights and imported back: both steps clean (the import's
 * infos aside) and the imported model's totals equal the model's. Returns the import and
 * those totals, for the caller's own expectations.
 */
export function roundTrip(m: ModelGraph, file = `${m.name}.onnx`): { back: OnnxImportResult; totals: Record<string, unknown> } {
  const ex = exportOnnx(m, shapeOnlyParams(m));
  expect(ex.diagnostics, m.name).toEqual([]);
  const back = importOnnx(ex.bytes!, { file });
  expect(back.diagnostics.filter((d) => d.severity !== "info"), `${m.name}:\n${back.text}`).toEqual([]);
  const totals = totalsOf(analyze(back.graph));
  expect(totals, m.name).toEqual(totalsOf(analyze({ models: [m] })));
  return { back, totals };
}
