/** Shared test helpers: compile an inline spec, build float64 tensors, read results. */
import { expect } from "vitest";
import { compile } from "../../src/graph/compile.js";
import type { ModelGraph } from "../../src/graph/ir.js";
import type { Tensor } from "../../src/exec/tensor.js";

/** Compiles a one-model spec text and returns the model (no errors allowed). */
export function model(text: string, inputShapes?: Record<string, number[]>): ModelGraph {
  const r = compile({ file: "t.cnn", text }, inputShapes ? { inputShapes } : {});
  expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return r.graph.models[0]!;
}

/** A float64 tensor from nested arrays with the given full shape. */
export function f64(shape: number[], values: unknown): Tensor {
  const flat = (values as unknown[]).flat(Infinity as 1) as number[];
  expect(flat.length).toBe(shape.reduce((a, b) => a * b, 1));
  return { shape, data: Float64Array.from(flat) };
}

/** The id of the node labelled `label`. */
export function nodeId(m: ModelGraph, label: string): number {
  const n = m.nodes.find((x) => x.label === label);
  if (!n) throw new Error(`no node ${label}`);
  return n.id;
}

/** Plain nested rows of a 2-D slice [rows, cols] of a flat array. */
export function rows(data: ArrayLike<number>, r: number, c: number, offset = 0): number[][] {
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => Math.round(data[offset + i * c + j]! * 1e9) / 1e9));
}
