/**
 * What the model's outputs need: the layers (and params, buffers) no output reads from are
 * left out of the graph IR, with a warning, so totals, execution and export all count
 * exactly what some output needs (LANGUAGE.md, "Named outputs, several of them").
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { isAllowed } from "../diagnostics/allow.js";
import { pushAll } from "../util/array.js";
import { isDeclaredTensor, type BlockCallInfo, type LayerNode } from "./ir.js";

export interface Prunable {
  readonly nodes: readonly LayerNode[];
  readonly inputs: readonly number[];
  readonly outputs: readonly { readonly name: string; readonly node: number; readonly span: LayerNode["span"] }[];
  readonly tensors: Readonly<Record<string, number>>;
  readonly blockCalls: readonly BlockCallInfo[];
  readonly aliases: ReadonlyMap<string, { readonly node: number; readonly members: readonly number[] }>;
}

export interface Pruned extends Prunable {
  /** Labels of the layers left out, for assert diagnostics that name one. */
  readonly dropped: ReadonlySet<string>;
}

/** Ids of the nodes some output depends on (inputs always count: they are the model's interface). */
function needed(g: Prunable): boolean[] {
  const keep = g.nodes.map((n) => n.kind === "input");
  const stack = g.outputs.map((o) => o.node);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (keep[id] && g.nodes[id]!.kind !== "input") continue;
    keep[id] = true;
    pushAll(stack, g.nodes[id]!.inputs);
  }
  return keep;
}

/** Dead nodes that `sinks` (bindings already reported unused) reach through dead nodes. */
function explainedBy(g: Prunable, keep: readonly boolean[], sinks: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  const stack = [...sinks].filter((id) => !keep[id]);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    pushAll(stack, g.nodes[id]!.inputs.filter((i) => !keep[i]));
  }
  return out;
}

/**
 * Leaves out what no output needs, renumbering the rest. Warns about what it left out, except
 * the layers that only bindings already reported unused (CS2023, `unusedSinks`) need.
 */
export function pruneToOutputs(model: string, g: Prunable, diags: Diagnostic[], unusedSinks: ReadonlySet<number> = new Set()): Pruned {
  const keep = needed(g);
  if (keep.every((k) => k)) return { ...g, dropped: new Set() };
  const dead = g.nodes.filter((n) => !keep[n.id]);
  const explained = explainedBy(g, keep, unusedSinks);
  const layers = dead.filter((n) => !isDeclaredTensor(n) && !explained.has(n.id));
  for (const n of dead.filter(isDeclaredTensor)) {
    const d = diag(messages.unusedParam, n.span, { what: n.kind, name: n.label }, { hint: `use it in a merge, e.g. mul(x, ${n.label}), or delete the line` });
    if (!isAllowed(d, n.allow ?? [])) diags.push(d);
  }
  if (layers.length > 0) {
    const names = layers.slice(0, 5).map((n) => n.label).join(", ") + (layers.length > 5 ? `, … (${layers.length - 5} more)` : "");
    const d = diag(messages.deadLayers, layers[0]!.span, { count: `${layers.length} layer${layers.length === 1 ? "" : "s"}`, feed: layers.length === 1 ? "feeds" : "feed", are: layers.length === 1 ? "is" : "are", model, names }, {
      hint: "they feed only tensors that no output uses; merge them into an output, declare another output (output NAME = ...), or delete them",
    });
    if (!isAllowed(d, layers[0]!.allow ?? [])) diags.push(d);
  }
  const ids = new Map<number, number>();
  for (const n of g.nodes) if (keep[n.id]) ids.set(n.id, ids.size);
  const map = (id: number) => ids.get(id)!;
  const nodes = g.nodes.filter((n) => keep[n.id]).map((n) => ({ ...n, id: map(n.id), inputs: n.inputs.map(map) }));
  const members = (xs: readonly number[]) => xs.filter((i) => ids.has(i)).map(map);
  const tensors = Object.fromEntries(Object.entries(g.tensors).filter(([, id]) => ids.has(id)).map(([k, id]) => [k, map(id)]));
  const blockCalls = g.blockCalls.flatMap((c) => {
    // A call with several results stays while any of them is kept; its output is the first kept.
    const results = c.results?.filter((r) => ids.has(r.node)).map((r) => ({ name: r.name, node: map(r.node) }));
    if (results) return results.length > 0 ? [{ ...c, output: results[0]!.node, results, members: members(c.members) }] : [];
    return ids.has(c.output) ? [{ ...c, output: map(c.output), members: members(c.members) }] : [];
  });
  const aliases = new Map([...g.aliases].filter(([, a]) => ids.has(a.node)).map(([k, a]) => [k, { node: map(a.node), members: members(a.members) }]));
  return {
    nodes, inputs: g.inputs.map(map), outputs: g.outputs.map((o) => ({ ...o, node: map(o.node) })), tensors, blockCalls, aliases,
    dropped: new Set(dead.map((n) => n.label)),
  };
}
