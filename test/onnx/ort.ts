/** Test helpers: run ONNX bytes with onnxruntime-node (CPU, one thread) and build params. */
import * as ort from "onnxruntime-node";
import type { LayerParams, ModelParams, Tensor } from "../../src/exec/tensor.js";
import type { ModelGraph } from "../../src/graph/ir.js";
import { compile } from "../../src/graph/compile.js";

/** Runs a model on float32 inputs by name; returns every output as [shape, data]. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "basic" });
  const inputs: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) inputs[k] = new ort.Tensor("float32", Float32Array.from(t.data), [...t.shape]);
  const out = await session.run(inputs);
  const res: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(out)) res[k] = { shape: t.dims.map(Number), data: Float32Array.from(t.data as Float32Array) };
  await session.release();
  return res;
}

/** A tensor from a shape and values. */
export function tensor(shape: number[], values: ArrayLike<number>): Tensor {
  return { shape, data: Float32Array.from(values) };
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Random tensor of a shape. */
export function randomTensor(shape: number[], r: () => number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = r() * scale;
  return { shape, data: d };
}

/** Compiles a spec that must hold exactly one model without errors. */
export function model(text: string, inputShapes?: Record<string, number[]>): ModelGraph {
  const r = compile(text, { inputShapes });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.graph.models[0]!;
}

/** Params from explicit tensors by layer label. */
export function paramsByLabel(m: ModelGraph, byLabel: Record<string, LayerParams>): ModelParams {
  const out = new Map<number, LayerParams>();
  for (const n of m.nodes) if (byLabel[n.label]) out.set(n.id, byLabel[n.label]!);
  return out;
}
