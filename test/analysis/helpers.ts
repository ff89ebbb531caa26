/** Compiles and analyzes spec text for tests. */
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import type { AnalyzeOptions, LayerFacts, ModelAnalysis } from "../../src/analysis/types.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";

export interface Run {
  readonly model: ModelAnalysis;
  readonly diagnostics: readonly Diagnostic[];
  readonly layer: (label: string) => LayerFacts;
}

/** One model's analysis; compile errors fail the test. */
export function run(text: string, options: AnalyzeOptions = {}, inputShapes?: Record<string, number[]>): Run {
  const c = compile({ file: "t.cnn", text }, inputShapes ? { inputShapes } : {});
  const errs = c.diagnostics.filter((d) => d.severity === "error");
  if (errs.length > 0) throw new Error(`compile failed: ${errs.map((d) => d.message).join("; ")}`);
  const r = analyze(c.graph, { ...options, sources: (f) => c.sources.get(f) });
  const model = r.models[0]!;
  return {
    model,
    diagnostics: r.diagnostics,
    layer: (label) => {
      const l = model.layers.find((x) => x.name === label);
      if (!l) throw new Error(`no layer ${label}; have ${model.layers.map((x) => x.name).join(", ")}`);
      return l;
    },
  };
}

/** A one-chain model: `in=[3,32,32]` piped through `chain`. */
export function chain(shape: readonly number[], steps: string, options: AnalyzeOptions = {}): Run {
  return run(`model t {\n  input x: [${shape.join(", ")}]\n  output x -> ${steps}\n}\n`, options);
}

/** The codes of diagnostics with a given severity. */
export function codes(r: { diagnostics: readonly Diagnostic[] }, severity?: string): string[] {
  return r.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code);
}
