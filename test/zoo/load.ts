/** Compiles and analyzes a bundled spec for the zoo tests, and finds layers in the result. */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { analyze } from "../../src/analysis/analyze.js";
import type { LayerFacts, ModelAnalysis } from "../../src/analysis/types.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { compile } from "../../src/graph/compile.js";

export const SPECS_DIR = fileURLToPath(new URL("../../specs/", import.meta.url));

/** The .cnn files directly in specs/ (specs/lib holds shared blocks, no models). */
export function specFiles(): string[] {
  return readdirSync(SPECS_DIR).filter((f) => f.endsWith(".cnn")).sort();
}

export interface Loaded {
  readonly models: readonly ModelAnalysis[];
  readonly diagnostics: readonly Diagnostic[];
}

const cache = new Map<string, Loaded>();

/** Compiles specs/FILE (imports resolved from disk) and analyzes every model in it. */
export function load(file: string): Loaded {
  const hit = cache.get(file);
  if (hit) return hit;
  const path = SPECS_DIR + file;
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  };
  const c = compile({ file: path, text: read(path)! }, { file: path, resolve: read });
  const a = analyze(c.graph);
  const out = { models: a.models, diagnostics: [...c.diagnostics, ...a.diagnostics] };
  cache.set(file, out);
  return out;
}

/** The one model named `name` in specs/FILE (or its only model). */
export function model(file: string, name?: string): ModelAnalysis {
  const { models } = load(file);
  const m = name === undefined ? models[0] : models.find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name ?? ""} in ${file}`);
  return m;
}

/**
 * A layer by label; a block call's label (of a repeat: its last call) stands for the layer that
 * makes its output; `kind:N`
 * is the N-th layer of that kind (1-based); `before:KIND` is the layer feeding the first KIND.
 */
export function layer(m: ModelAnalysis, ref: string): LayerFacts {
  const byNode = (node: number) => m.layers.find((l) => l.node === node);
  let found: LayerFacts | undefined;
  const nth = /^(\w+):(\d+)$/.exec(ref);
  const before = /^before:(\w+)$/.exec(ref);
  if (nth) found = m.layers.filter((l) => l.kind === nth[1])[Number(nth[2]) - 1];
  else if (before) {
    const consumer = m.layers.find((l) => l.kind === before[1]);
    found = consumer && byNode(m.graph.nodes[consumer.node]!.inputs[0]!);
  } else {
    found = m.layers.find((l) => l.name === ref && l.block === "");
    // A repeated call labelled `as ref` is named `ref#1`, `ref#2`, ...: the label is the last.
    const calls = m.graph.blockCalls.filter((c) => c.depth === 1 && (c.name === ref || c.name.startsWith(`${ref}#`)));
    const call = calls[calls.length - 1];
    if (!found && call) found = byNode(call.output);
  }
  if (!found) throw new Error(`no layer ${ref} in ${m.name}`);
  return found;
}
