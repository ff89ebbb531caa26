/** Reading ONNX back: the `convspec.attention` node pattern_attention.ts puts in place of an attention block. */
import type { Arg } from "../../onnx/import/steps.js";
import { attrInt, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { attention } from "./family.js";

/**
 * Tokens [N, T, C], stored channels-last after the Transpose of a [N, C, T] map or
 * channels-first as PyTorch's ViT keeps them → attention(heads) over the T positions. The
 * weights, in whatever layout the exporter wrote them, must hold exactly attention's
 * 4·C² + 4·C (3·C fewer without qkv biases, 4·C fewer without any).
 */
const readAttention: OpImport = (w, node) => {
  const x = w.data(node, 0);
  const heads = attrInt(node, "heads", 0);
  const qkvBias = attrInt(node, "qkv_bias", 1) === 1, bias = attrInt(node, "bias", 1) === 1;
  if (!x || x.shape.length !== 3) return w.unmapped(node, "its tokens are not a [N, tokens, C] data tensor");
  if (qkvBias && !bias) return w.unmapped(node, "its q, k, v projections have biases and its output projection none, which attention cannot say");
  const c = x.shape[2]!;
  const held = node.inputs.slice(1).reduce((n, i) => n + (w.val(i)?.init?.dims.reduce((a, d) => a * Number(d), 1) ?? NaN), 0);
  const needed = 4 * c * c + (qkvBias ? 3 * c : 0) + (bias ? c : 0);
  if (held !== needed || heads < 1 || c % heads !== 0) return w.unmapped(node, `its weights hold ${held} values for ${heads} heads over ${c} channels, not attention's ${needed}`);
  // No bias at all is PyTorch's bias=False (an extension beyond 1.1); in_proj's alone, qkv_bias=false.
  const args: Arg[] = [{ value: heads }, ...(!bias ? [{ key: "bias", value: "false" }] : qkvBias ? [] : [{ key: "qkv_bias", value: "false" }])];
  if (x.layout === "last") return void w.emit(node, "attention", args, [x.step], x.shape, "last");
  // Tokens stored [N, T, C] channels-first (C is the last axis): moved so that C leads.
  const moved = w.emit(node, "permute", [{ value: [1, 0] }], [x.step], [x.shape[0]!, x.shape[2]!, x.shape[1]!], "first", `${node.outputs[0]!}#tokens`);
  w.emit(node, "attention", args, [moved], x.shape, "last");
};

export const attentionReads: FamilyReads = { family: attention, ops: [{ op: "convspec.attention", read: readAttention }] };
