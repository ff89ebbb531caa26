/**
 * The weights the runtime would use for a seed, without running the model: the same seeded
 * generator drawn in the runtime's order (each input, then each layer's parameters in node
 * order), so `convspec export --seed N` writes the weights `convspec verify --seed N` runs.
 */
import type { ModelGraph } from "../graph/ir.js";
import type { LayerParams, ModelParams, Tensor } from "../exec/tensor.js";
import { Rng, initInput, initParam } from "../exec/init.js";
import { familyOf } from "../families/registry.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { inferShapes } from "./shapes.js";
import { dict } from "../util/dict.js";

/** Seeded parameters of every layer (float32), or a diagnostic saying why they could not be drawn. */
export function seededParams(model: ModelGraph, seed: number, batch = 1): { params?: ModelParams; diagnostics: readonly Diagnostic[] } {
  const { shapes, failure } = inferShapes(model);
  if (failure) return { diagnostics: [diag(messages.onnxUnsupported, failure.node.span, { layer: failure.node.path, reason: failure.reason })] };
  const rng = new Rng(seed);
  const params = new Map<number, LayerParams>();
  for (const node of model.nodes) {
    const shape = [batch, ...shapes.get(node.id)!];
    if (node.kind === "input") {
      // Drawn only to advance the generator exactly as the runtime does.
      initInput(shape, rng, "f32");
      continue;
    }
    const op = familyOf(node.family)?.exec;
    if (!op) return { diagnostics: [diag(messages.noKernel, node.span, { layer: node.path, family: node.family })] };
    const specs = op.params?.(node, node.inputs.map((i) => [batch, ...shapes.get(i)!])) ?? {};
    const p = dict<Tensor>();
    for (const [name, spec] of Object.entries(specs)) p[name] = initParam(spec, rng, "f32");
    params.set(node.id, p);
  }
  return { params, diagnostics: [] };
}
