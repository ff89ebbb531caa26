/** `convspec parse FILE...`: the expanded layer list of every model, or the diagnostics. */
import { grid, PLAIN_GRID } from "../report/grid.js";
import { isDeclaredTensor, type ArgValue, type LayerNode, type ModelGraph } from "../graph/ir.js";
import { schemaOfKind } from "../families/registry.js";
import { location } from "../diagnostics/render.js";
import { compileFile, exitFor, printDiagnostics } from "./io.js";

export interface ParseCommandOptions {
  readonly format?: "text" | "json";
  readonly strict?: boolean;
}

function showArg(v: ArgValue): string {
  if (Array.isArray(v)) return `[${v.map(showArg).join(", ")}]`;
  return String(v);
}

/** Arguments that differ from the family's defaults, as `name=value`. */
function argSummary(n: LayerNode): string {
  // Inputs, params and buffers have no layer schema: their shape is what they declare.
  if (n.kind === "input" || isDeclaredTensor(n)) return `shape=${showArg(n.args.shape!)}`;
  const schema = schemaOfKind(n.kind);
  const parts: string[] = [];
  for (const spec of schema?.args ?? []) {
    const v = n.args[spec.name];
    if (v === undefined) continue;
    if (spec.default !== undefined && JSON.stringify(spec.default) === JSON.stringify(v)) continue;
    parts.push(`${spec.name}=${showArg(v)}`);
  }
  return parts.join(" ");
}

export function layerListing(m: ModelGraph, sources: ReadonlyMap<string, string>): string {
  const rows = [["#", "layer", "kind", "inputs", "block", "arguments"]];
  for (const n of m.nodes) {
    rows.push([
      String(n.id), n.label, n.op, n.inputs.map((i) => m.nodes[i]!.label).join(", "),
      n.blocks.map((b) => b.name).join("/"), argSummary(n),
    ]);
  }
  const layers = m.nodes.filter((n) => n.kind !== "input").length;
  const head = `model ${m.name} (${location(m.span, (f) => sources.get(f))}): ${m.inputs.length} input(s), ${layers} layer(s), ${m.asserts.length} assert(s)`;
  const body = grid(rows, PLAIN_GRID).replace(/ +$/gm, "");
  return `${head}\n${body}`;
}

export function runParse(files: readonly string[], opts: ParseCommandOptions): number {
  let code = 0;
  const json: unknown[] = [];
  for (const f of files) {
    const r = compileFile(f);
    printDiagnostics(r.diagnostics, r.sources);
    code = Math.max(code, exitFor(r.diagnostics, opts.strict));
    if (opts.format === "json") json.push({ file: f, models: r.graph.models, diagnostics: r.diagnostics });
    else for (const m of r.graph.models) process.stdout.write(layerListing(m, r.sources) + "\n");
  }
  if (opts.format === "json") process.stdout.write(JSON.stringify(json, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  return code;
}
