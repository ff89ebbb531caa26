/** Shared by the family tests: analyze or verify an inline spec, and run it on a given input. */
import { expect } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { run } from "../../src/exec/runtime.js";
import { compile } from "../../src/graph/compile.js";
import { verify } from "../../src/verify/verify.js";
import { model } from "../exec/helpers.js";

/** The analysis of a one-model spec (its layers) and every diagnostic of compiling and analyzing it. */
export function analyzed(text: string) {
  const r = compile({ file: "t.cnn", text });
  const a = analyze(r.graph);
  return { layers: a.models[0]?.layers ?? [], diagnostics: [...r.diagnostics, ...a.diagnostics] as Diagnostic[] };
}

/** [code, message, hint] of every diagnostic of a spec. */
export function problems(text: string): [string, string, string | undefined][] {
  return analyzed(text).diagnostics.map((d) => [d.code, d.message, d.hint]);
}

/** verify's cells that failed (empty when every cell is ✓), and each layer's measured field. */
export function verified(text: string) {
  const g = compile({ file: "t.cnn", text }).graph;
  const v = verify(g);
  const layers = v.models[0]!.layers;
  const failed = layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => c.ok === false).map(([k, c]) => `${l.name}.${k}: ${JSON.stringify(c)}`));
  expect(layers.flatMap((l) => Object.values(l.cells)).length).toBeGreaterThan(0);
  return { failed, rf: Object.fromEntries(layers.map((l) => [l.name, l.cells.rf])) };
}

/** The output of a one-input model run in float64 on `x` (values in row-major order, batch 1). */
export function output(text: string, x: readonly number[]): number[] {
  const m = model(text);
  const shape = [1, ...(m.nodes[m.inputs[0]!]!.args.shape as number[])];
  const r = run(m, { precision: "f64", inputs: { [m.nodes[m.inputs[0]!]!.label]: { shape, data: Float64Array.from(x) } } });
  expect(r.diagnostics).toEqual([]);
  return Array.from(r.outputs.output!.data, (v) => Math.round(v * 1e9) / 1e9);
}

/** 0, 1, 2, ... n − 1: an input whose values name their positions. */
export function iota(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
