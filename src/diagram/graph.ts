/**
 * What a diagram shows, before any layout: one box per layer (or per collapsed block call),
 * block calls as nested clusters, and an edge per tensor read, labelled with its shape. Built
 * from an analysis; plain data, so it crosses a Web Worker boundary unchanged.
 */
import type { LayerFacts, ModelAnalysis } from "../analysis/types.js";
import type { ArgValue, BlockFrame, LayerNode } from "../graph/ir.js";
import { schemaOfKind } from "../families/registry.js";
import { count, field, shape } from "../report/units.js";

export interface DiagramOptions {
  /**
   * Nesting levels shown, as `convspec analyze --depth` (torchinfo's depth): 1 = the model
   * body, each block call one box; 2 opens those calls as frames; ... (default: every level).
   */
  readonly depth?: number;
  /** Add each box's receptive field (size/jump) to its text. */
  readonly rf?: boolean;
}

export interface DiagramBox {
  /** `n<id>` for a layer or input, `b<path>` for a collapsed block call, `out<i>` for an output. */
  readonly id: string;
  /** First line: the label and kind (`conv2d_1 · conv2d`); later lines: arguments, numbers. */
  readonly lines: readonly string[];
  readonly role: "input" | "layer" | "merge" | "block" | "output";
  /** MACs of the layer or the collapsed call (0 for inputs and outputs). */
  readonly macs: bigint;
  /** Graph-IR node ids the box stands for. */
  readonly nodes: readonly number[];
  /** The cluster (open block call) that holds the box, or undefined at model level. */
  readonly cluster?: string;
}

export interface DiagramCluster {
  readonly id: string;
  /** `name · block` of the call. */
  readonly label: string;
  readonly parent?: string;
}

export interface DiagramEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The shape of the tensor it carries, without the batch axis (`64×56×56`). */
  readonly label: string;
}

export interface DiagramGraph {
  readonly model: string;
  /** One line about the whole model: totals and what the colour means. */
  readonly title: string;
  readonly boxes: readonly DiagramBox[];
  readonly clusters: readonly DiagramCluster[];
  readonly edges: readonly DiagramEdge[];
  /** The most MACs of any box: the darkest fill. */
  readonly maxMacs: bigint;
}

/** Short names for the arguments most layers share, so boxes stay narrow. */
const SHORT: Readonly<Record<string, string>> = { kernel: "k", stride: "s", padding: "p", dilation: "d", groups: "g" };

function showArg(v: ArgValue): string {
  if (Array.isArray(v)) return `[${v.map(showArg).join(",")}]`;
  if (v === null) return "none";
  return String(v);
}

function sameArg(a: ArgValue | undefined, b: ArgValue | undefined): boolean {
  return showArg(a ?? null) === showArg(b ?? null);
}

/** A layer's key arguments: required ones by value, others only where they differ from the default. */
export function keyArgs(node: LayerNode): string {
  const schema = schemaOfKind(node.kind);
  if (!schema || schema.merge) return "";
  const parts: string[] = [];
  for (const a of schema.args) {
    const v = node.args[a.name];
    if (v === undefined) continue;
    if (a.default === undefined) parts.push(showArg(v));
    else if (!sameArg(v, a.default)) parts.push(`${SHORT[a.name] ?? a.name}=${showArg(v)}`);
  }
  return parts.join(", ");
}

const pathOf = (model: string, frames: readonly BlockFrame[]): string => [model, ...frames.map((f) => f.name)].join("/");

/** A layer's box: `label · kind`, its key arguments, its counts (and field with --rf). */
function layerBox(node: LayerNode, f: LayerFacts, rf: boolean, cluster: string | undefined): DiagramBox {
  const args = keyArgs(node);
  const numbers = numbersLine(f.params, f.macs, rf ? field(f.rf) : undefined);
  const lines = [`${f.name} · ${f.kind}`, ...(args ? [args] : []), ...(numbers ? [numbers] : [])];
  const role = schemaOfKind(node.kind)?.merge === true ? "merge" : "layer";
  return { id: `n${node.id}`, lines, role, macs: f.macs, nodes: [node.id], ...(cluster ? { cluster } : {}) };
}

/**
 * A collapsed block call's box: its layers' sums, the shape and field of its last layer (a call
 * with several results kept says how many; its edges out carry each one's shape).
 */
function blockBox(id: string, frame: BlockFrame, members: readonly LayerFacts[], rf: boolean, cluster: string | undefined, results = 1): DiagramBox {
  const sum = (pick: (l: LayerFacts) => bigint) => members.reduce((a, l) => a + pick(l), 0n);
  const last = members[members.length - 1]!;
  const numbers = numbersLine(sum((l) => l.params), sum((l) => l.macs), rf ? field(last.rf) : undefined);
  const lines = [`${frame.name} · ${frame.block}`, `${members.length} layers → ${results > 1 ? `${results} results` : shape(last.outputShape)}`, ...(numbers ? [numbers] : [])];
  return { id, lines, role: "block", macs: sum((l) => l.macs), nodes: members.map((l) => l.node), ...(cluster ? { cluster } : {}) };
}

/** The open block calls as nested clusters, created on first use; returns the innermost. */
function clusterMaker(model: string): { clusters: Map<string, DiagramCluster>; clusterFor: (frames: readonly BlockFrame[]) => string | undefined } {
  const clusters = new Map<string, DiagramCluster>();
  const clusterFor = (frames: readonly BlockFrame[]): string | undefined => {
    let parent: string | undefined;
    for (let i = 0; i < frames.length; i++) {
      const id = `c${pathOf(model, frames.slice(0, i + 1))}`;
      if (!clusters.has(id)) clusters.set(id, { id, label: `${frames[i]!.name} · ${frames[i]!.block}`, ...(parent ? { parent } : {}) });
      parent = id;
    }
    return parent;
  };
  return { clusters, clusterFor };
}

/** The diagram of one analysed model. */
export function diagramGraph(m: ModelAnalysis, options: DiagramOptions = {}): DiagramGraph {
  const depth = options.depth === undefined ? Infinity : Math.max(0, options.depth - 1); // block-call levels open
  const rf = options.rf === true;
  const g = m.graph;
  const facts = new Map<number, LayerFacts>(m.layers.map((l) => [l.node, l]));
  const boxOf = new Map<number, string>();
  // Boxes in graph order; a collapsed call holds its place by id until its members are known.
  const slots: (DiagramBox | string)[] = [];
  const { clusters, clusterFor } = clusterMaker(g.name);
  const collapsed = new Map<string, { frame: BlockFrame; members: LayerFacts[]; cluster?: string }>();

  for (const node of g.nodes) {
    const f = facts.get(node.id);
    if (node.kind === "input") {
      const dims = (node.args.shape as readonly number[] | undefined) ?? m.inputs[node.label] ?? [];
      boxOf.set(node.id, `n${node.id}`);
      slots.push({ id: `n${node.id}`, lines: [`input ${node.label}`, shape(dims)], role: "input", macs: 0n, nodes: [node.id] });
    } else if (!f) {
      continue; // a layer the analysis stopped before (an error upstream)
    } else if (node.blocks.length > depth) {
      const frames = node.blocks.slice(0, depth + 1);
      const id = `b${pathOf(g.name, frames)}`;
      let c = collapsed.get(id);
      if (!c) {
        const cluster = clusterFor(frames.slice(0, depth));
        c = { frame: frames[depth]!, members: [], ...(cluster ? { cluster } : {}) };
        collapsed.set(id, c);
        slots.push(id);
      }
      c.members.push(f);
      boxOf.set(node.id, id);
    } else {
      boxOf.set(node.id, `n${node.id}`);
      slots.push(layerBox(node, f, rf, clusterFor(node.blocks)));
    }
  }
  const boxes = slots.map((b) => {
    if (typeof b !== "string") return b;
    const c = collapsed.get(b)!;
    const results = g.blockCalls.find((call) => `b${call.path}` === b)?.results?.length;
    return blockBox(b, c.frame, c.members, rf, c.cluster, results);
  });
  const edges = edgesOf(m, facts, boxOf, boxes);

  const maxMacs = boxes.reduce((a, b) => (b.macs > a ? b.macs : a), 0n);
  const t = m.totals;
  const title = `${g.name}: ${m.layers.length} layers, params ${count(t.params)}, MACs ${count(t.macs)}; fill darker = more MACs (darkest ${count(maxMacs)})`;
  return { model: g.name, title, boxes, clusters: [...clusters.values()], edges, maxMacs };
}

/** One edge per tensor read between different boxes (duplicates merged), and one to each output box (added to `boxes`). */
function edgesOf(m: ModelAnalysis, facts: ReadonlyMap<number, LayerFacts>, boxOf: ReadonlyMap<number, string>, boxes: DiagramBox[]): DiagramEdge[] {
  const g = m.graph;
  const edges: DiagramEdge[] = [];
  const seen = new Set<string>();
  const addEdge = (from: string, to: string, label: string) => {
    const key = `${from}>${to}>${label}`;
    if (from === to || seen.has(key)) return;
    seen.add(key);
    edges.push({ id: `e${edges.length}`, from, to, label });
  };
  const shapeOf = (n: number): readonly number[] => facts.get(n)?.outputShape ?? m.inputs[g.nodes[n]!.label] ?? [];
  for (const node of g.nodes) {
    const to = boxOf.get(node.id);
    if (!to) continue;
    for (const i of node.inputs) {
      const from = boxOf.get(i);
      if (from) addEdge(from, to, shape(shapeOf(i)));
    }
  }
  g.outputs.forEach((o, i) => {
    const from = boxOf.get(o.node);
    if (!from) return;
    boxes.push({ id: `out${i}`, lines: [o.name, shape(shapeOf(o.node))], role: "output", macs: 0n, nodes: [] });
    addEdge(from, `out${i}`, shape(shapeOf(o.node)));
  });
  return edges;
}

/** `params 9,408  MACs 118,013,952  RF 7/2`, leaving out zero counts ("" when nothing is left). */
function numbersLine(params: bigint, macs: bigint, rf: string | undefined): string {
  const parts: string[] = [];
  if (params > 0n) parts.push(`params ${count(params)}`);
  if (macs > 0n) parts.push(`MACs ${count(macs)}`);
  if (rf !== undefined) parts.push(`RF ${rf}`);
  return parts.join("  ");
}
