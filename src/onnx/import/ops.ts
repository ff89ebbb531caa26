/**
 * The import table: one record per ONNX operator (and per `convspec.*` pattern node), keyed
 * by op type. A record reads the node's inputs from the walk and emits one ConvSpec step, folds
 * it away, or refuses it with a coded diagnostic. Adding an operator is one row here.
 */
import { windowOps, type OpImport } from "./ops_window.js";
import { tensorOps } from "./ops_tensor.js";
import { viewOps } from "./ops_view.js";

export const importOps: Readonly<Record<string, OpImport>> = {
  ...windowOps,
  ...tensorOps,
  ...viewOps,
  // The decomposed LayerNorm (before opset 17) imports as the fused operator.
  "convspec.layernorm": windowOps.LayerNormalization!,
};

/** Every ONNX operator (domain ai.onnx) the importer maps onto a layer, for docs and tests. */
export function importedOpTypes(): string[] {
  return Object.keys(importOps).filter((k) => !k.startsWith("convspec."));
}
