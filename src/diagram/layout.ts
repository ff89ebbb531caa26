/**
 * Lays a diagram out with ELK's layered (Sugiyama) algorithm: top to bottom, orthogonal edges,
 * clusters laid out with their contents (INCLUDE_CHILDREN), edge labels placed as dummy nodes
 * so they never overlap a box or each other. elkjs is loaded on first use only.
 */
import { maxOf, pushAll } from "../util/array.js";
import type { DiagramGraph } from "./graph.js";
import { CHAR_WIDTH, LINE_HEIGHT, BOX_PAD_X, BOX_PAD_Y, CLUSTER_LABEL_HEIGHT, LABEL_CHAR_WIDTH, LABEL_HEIGHT } from "./metrics.js";

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidEdge {
  readonly id: string;
  /** The route, in root coordinates: start, bends, end. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Where the shape label sits (its top-left corner) and how big it is. */
  readonly label?: Rect;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly boxes: ReadonlyMap<string, Rect>;
  readonly clusters: ReadonlyMap<string, Rect>;
  readonly edges: ReadonlyMap<string, LaidEdge>;
}

interface ElkShape { id: string; x?: number; y?: number; width?: number; height?: number; labels?: ElkLabel[]; layoutOptions?: Record<string, string>; children?: ElkShape[]; edges?: ElkEdge[] }
interface ElkLabel { text: string; x?: number; y?: number; width: number; height: number }
interface ElkEdge { id: string; sources: string[]; targets: string[]; labels?: ElkLabel[]; sections?: { startPoint: Pt; endPoint: Pt; bendPoints?: Pt[] }[] }
interface Pt { x: number; y: number }
interface ElkEngine { layout(g: ElkShape): Promise<ElkShape> }

let engine: Promise<ElkEngine> | undefined;

/** One ELK instance per process or worker; elkjs (1.5 MB) is imported only here, on demand. */
async function elk(): Promise<ElkEngine> {
  // In a Web Worker, elk.bundled.js installs its own `self.onmessage` when it is evaluated
  // (for a bundler, on first access to its exports): keep the host's handler.
  const scope = (globalThis as { self?: { onmessage?: unknown } }).self;
  const hostHandler = scope?.onmessage;
  engine ??= import("elkjs/lib/elk.bundled.js").then((mod) => {
    // elkjs is CommonJS: its constructor is the module itself or its `default`.
    const m = mod as unknown as { default?: unknown };
    const Ctor = ((m.default as { default?: unknown } | undefined)?.default ?? m.default ?? m) as new () => ElkEngine;
    const elk = new Ctor();
    if (scope) scope.onmessage = hostHandler;
    return elk;
  });
  return engine;
}

/**
 * Widths are reserved for text in steps of this many characters, so an edit that changes a
 * number by a digit or two (`params 1,792` → `params 3,584`) seldom changes any size, and the
 * last layout still fits the new text (see `layoutKey`).
 */
export const WIDTH_STEP = 4;
const stepped = (chars: number): number => Math.ceil(chars / WIDTH_STEP) * WIDTH_STEP;

/** Loads the layout engine ahead of the first layout (a worker calls this while it waits for work). */
export async function preloadLayoutEngine(): Promise<void> {
  await elk();
}

/** Width and height of a box that holds these lines of text. */
export function boxSize(lines: readonly string[]): { width: number; height: number } {
  const chars = stepped(maxOf(lines.map((l) => l.length)));
  return { width: Math.ceil(chars * CHAR_WIDTH + 2 * BOX_PAD_X), height: lines.length * LINE_HEIGHT + 2 * BOX_PAD_Y };
}

/** Width of an edge's shape label, as laid out. */
export function edgeLabelWidth(label: string): number {
  return Math.ceil(stepped(label.length) * LABEL_CHAR_WIDTH) + 4;
}

const ROOT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.json.shapeCoords": "ROOT",
  "elk.json.edgeCoords": "ROOT",
  "elk.layered.spacing.nodeNodeBetweenLayers": "18",
  "elk.layered.spacing.edgeNodeBetweenLayers": "10",
  "elk.spacing.nodeNode": "24",
  "elk.spacing.edgeLabel": "2",
  "elk.spacing.edgeEdge": "8",
  "elk.edgeLabels.inline": "false",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  // One crossing-minimisation pass and no greedy switch: a third of the time on ResNet-50
  // (175 layers), the same drawing size; CNN graphs are mostly chains with short detours.
  "elk.layered.thoroughness": "1",
  "elk.layered.crossingMinimization.greedySwitch.type": "OFF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.padding": "[top=12,left=12,bottom=12,right=12]",
};

/** ELK places only labels with text, and reads nothing of it but that it is there. */
const LABEL_TEXT = "-";

/**
 * The graph ELK lays out: ids, nesting, sizes of boxes and labels, and no text (a layout
 * depends on nothing else, so two diagrams with the same ELK graph have the same layout).
 */
function elkGraph(d: DiagramGraph): ElkShape {
  const nodes = new Map<string, ElkShape>();
  const root: ElkShape = { id: "root", layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const parentOf = (cluster: string | undefined): ElkShape => (cluster ? nodes.get(cluster)! : root);
  for (const c of d.clusters) {
    const shape: ElkShape = {
      id: c.id, children: [],
      labels: [{ text: LABEL_TEXT, width: stepped(c.label.length) * LABEL_CHAR_WIDTH, height: LABEL_HEIGHT }],
      layoutOptions: { "elk.padding": `[top=${CLUSTER_LABEL_HEIGHT + 6},left=10,bottom=10,right=10]`, "elk.nodeLabels.placement": "[H_LEFT, V_TOP, INSIDE]" },
    };
    nodes.set(c.id, shape);
    parentOf(c.parent).children!.push(shape);
  }
  for (const b of d.boxes) {
    const shape: ElkShape = { id: b.id, ...boxSize(b.lines) };
    nodes.set(b.id, shape);
    parentOf(b.cluster).children!.push(shape);
  }
  for (const e of d.edges) {
    root.edges!.push({
      id: e.id, sources: [e.from], targets: [e.to],
      labels: [{ text: LABEL_TEXT, width: edgeLabelWidth(e.label), height: LABEL_HEIGHT }],
    });
  }
  return root;
}

/**
 * What a layout depends on, as a string: two diagrams with the same key have the same layout,
 * so one's layout serves the other (with its own text drawn in). Edits that change only
 * numbers keep the key unless a line grows past its WIDTH_STEP.
 */
export function layoutKey(d: DiagramGraph): string {
  return JSON.stringify(elkGraph(d));
}

/** Positions every box, cluster, edge route and edge label. */
export async function layoutDiagram(d: DiagramGraph): Promise<Layout> {
  const root = elkGraph(d);
  const clusterIds = new Set(d.clusters.map((c) => c.id));
  const out = await (await elk()).layout(root);

  const boxes = new Map<string, Rect>();
  const clusters = new Map<string, Rect>();
  const walk = (n: ElkShape) => {
    for (const c of n.children ?? []) {
      const r = { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 };
      (clusterIds.has(c.id) ? clusters : boxes).set(c.id, r);
      walk(c);
    }
  };
  walk(out);
  const edges = new Map<string, LaidEdge>();
  const collect = (n: ElkShape) => {
    for (const e of n.edges ?? []) {
      const points: Pt[] = [];
      for (const s of e.sections ?? []) {
      points.push(s.startPoint);
      pushAll(points, s.bendPoints ?? []);
      points.push(s.endPoint);
    }
      const l = e.labels?.[0];
      edges.set(e.id, { id: e.id, points, ...(l ? { label: { x: l.x ?? 0, y: l.y ?? 0, width: l.width, height: l.height } } : {}) });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(out);
  return { width: out.width ?? 0, height: out.height ?? 0, boxes, clusters, edges };
}
