/**
 * The column layout: a layered layout with one box per layer, for diagrams too large for
 * ELK to lay out while someone types (ELK takes 0.5–2 s for 175–430 boxes; this takes
 * milliseconds). Boxes are stacked top to bottom in graph order (a topological order), each
 * indented by its block-call nesting, so every open block call is one contiguous frame. An
 * edge between consecutive boxes runs straight down with its shape label beside it, in a band
 * kept free for it; every other edge (a skip, a branch, a merge's second input) leaves its
 * box on the right, runs down a lane of its own to the right of everything, and enters its
 * target from the right. Lanes are shared only by edges whose spans do not overlap, and a
 * lane is as wide as its widest label, so no label overlaps a box, a frame or another label.
 */
import { maxOf } from "../util/array.js";
import type { DiagramGraph } from "./graph.js";
import { boxSize, edgeLabelWidth, type LaidEdge, type Layout, type Rect } from "./layout.js";
import { CLUSTER_LABEL_HEIGHT, LABEL_CHAR_WIDTH, LABEL_HEIGHT } from "./metrics.js";

const MARGIN = 12;
/** Indent per nesting level, and a frame's padding right and below. */
const INDENT = 10;
/** A frame's header: its label's line. */
const HEADER = CLUSTER_LABEL_HEIGHT + 6;
/** The band above a box that holds the label of the straight edge into it. */
const BAND = LABEL_HEIGHT + 10;
/** A straight edge runs this far right of the narrower box's left side. */
const STRAIGHT_X = 16;
/** Lane edges leave below and enter above a box's middle by this much. */
const LANE_DY = 4;

interface Pt {
  x: number;
  y: number;
}

/** Positions every box, frame, edge route and edge label (synchronous; no layout engine). */
export function columnLayout(d: DiagramGraph): Layout {
  const parentOf = new Map(d.clusters.map((c) => [c.id, c.parent]));
  const labelOf = new Map(d.clusters.map((c) => [c.id, c.label]));
  /** The open block calls around a box, outermost first. */
  const pathOf = (cluster: string | undefined): string[] => {
    const path: string[] = [];
    for (let c = cluster; c !== undefined; c = parentOf.get(c)) path.unshift(c);
    return path;
  };

  // Top to bottom: close the frames the previous box was in and this one is not, open the new
  // ones (their headers), keep the label band, place the box.
  const boxes = new Map<string, Rect>();
  const top = new Map<string, number>();
  const bottom = new Map<string, number>();
  /** Header text spans opened just above each box: a straight edge into it avoids them. */
  const headersAbove: { x0: number; x1: number }[][] = [];
  /** The top of the outermost frame opened just above each box. */
  const frameTopAbove: number[] = [];
  let y = MARGIN;
  let open: string[] = [];
  d.boxes.forEach((b, i) => {
    const path = pathOf(b.cluster);
    let common = 0;
    while (common < open.length && common < path.length && open[common] === path[common]) common++;
    for (let k = open.length - 1; k >= common; k--) {
      y += INDENT;
      bottom.set(open[k]!, y);
    }
    const headers: { x0: number; x1: number }[] = [];
    for (let k = common; k < path.length; k++) {
      if (k === common && i > 0) y += 6;
      top.set(path[k]!, y);
      const x0 = MARGIN + k * INDENT + 8;
      headers.push({ x0, x1: x0 + (labelOf.get(path[k]!) ?? "").length * LABEL_CHAR_WIDTH });
      y += HEADER;
    }
    headersAbove.push(headers);
    frameTopAbove.push(path.length > common ? top.get(path[common]!)! : y);
    if (i > 0) y += BAND;
    const size = boxSize(b.lines);
    boxes.set(b.id, { x: MARGIN + path.length * INDENT, y, width: size.width, height: size.height });
    y += size.height;
    open = path;
  });
  for (let k = open.length - 1; k >= 0; k--) {
    y += INDENT;
    bottom.set(open[k]!, y);
  }

  // Frames: from their header to their padding, as wide as what they hold.
  const right = new Map<string, number>();
  const widen = (cluster: string | undefined, x: number) => {
    for (let c = cluster; c !== undefined; c = parentOf.get(c)) {
      x += INDENT;
      right.set(c, Math.max(right.get(c) ?? 0, x));
      x = right.get(c)!;
    }
  };
  for (const b of d.boxes) {
    const r = boxes.get(b.id)!;
    widen(b.cluster, r.x + r.width);
  }
  const clusters = new Map<string, Rect>();
  for (const c of d.clusters) {
    const t = top.get(c.id);
    if (t === undefined) continue; // a frame with no box in it is not drawn
    const x = MARGIN + (pathOf(c.id).length - 1) * INDENT;
    const w = Math.max(right.get(c.id) ?? 0, x + 8 + c.label.length * LABEL_CHAR_WIDTH + 8) - x;
    clusters.set(c.id, { x, y: t, width: w, height: bottom.get(c.id)! - t });
  }
  // A wide frame label can make a frame wider than its parent: widen the parents too.
  for (const c of d.clusters) {
    const r = clusters.get(c.id);
    if (!r) continue;
    for (let p = c.parent, inner = r.x + r.width; p !== undefined; p = parentOf.get(p)) {
      const pr = clusters.get(p);
      if (!pr) break;
      if (pr.x + pr.width < inner + INDENT) clusters.set(p, { ...pr, width: inner + INDENT - pr.x });
      inner = clusters.get(p)!.x + clusters.get(p)!.width;
    }
  }

  // Edges: straight between consecutive boxes, else in a lane.
  const index = new Map(d.boxes.map((b, i) => [b.id, i]));
  const edges = new Map<string, LaidEdge>();
  const straightTaken = new Set<number>();
  const laneEdges: { id: string; from: number; to: number; width: number }[] = [];
  let extent = maxOf([...boxes.values(), ...clusters.values()].map((r) => r.x + r.width));
  for (const e of d.edges) {
    const i = index.get(e.from);
    const j = index.get(e.to);
    if (i === undefined || j === undefined) continue;
    const width = edgeLabelWidth(e.label);
    if (j === i + 1 && !straightTaken.has(i)) {
      straightTaken.add(i);
      const a = boxes.get(e.from)!;
      const b = boxes.get(e.to)!;
      const to = d.boxes[j]!;
      // Down from the upper box; where frames open just above the lower box, a jog above
      // their headers moves the line right of the header text, so it crosses none.
      const xa = Math.min(a.x + STRAIGHT_X, a.x + a.width - 8);
      let xb = Math.max(a.x, b.x) + STRAIGHT_X;
      const headers = headersAbove[j]!;
      for (const h of headers) xb = Math.max(xb, h.x1 + 8);
      xb = Math.min(xb, b.x + b.width - 8);
      // The label right of the line, or left of it where the right would cross b's frame.
      const frame = to.cluster === undefined ? undefined : clusters.get(to.cluster);
      const lx = frame && xb + 4 + width > frame.x + frame.width - 2 ? xb - 4 - width : xb + 4;
      const label = { x: lx, y: b.y - LABEL_HEIGHT - 5, width, height: LABEL_HEIGHT };
      const points: Pt[] = [{ x: xa, y: a.y + a.height }];
      if (xa !== xb) {
        const yJog = headers.length > 0 ? frameTopAbove[j]! - 3 : b.y - BAND + 3;
        points.push({ x: xa, y: yJog }, { x: xb, y: yJog });
      }
      points.push({ x: xb, y: b.y });
      edges.set(e.id, { id: e.id, points, label });
      extent = Math.max(extent, label.x + label.width);
    } else {
      laneEdges.push({ id: e.id, from: i, to: j, width });
    }
  }

  // Lanes: an edge takes the first lane free over its span (interval colouring by start).
  const lanes: { freeFrom: number; width: number }[] = [];
  const laneOf = new Map<string, number>();
  const byStart = [...laneEdges].sort((p, q) => Math.min(p.from, p.to) - Math.min(q.from, q.to) || Math.max(p.from, p.to) - Math.max(q.from, q.to));
  for (const e of byStart) {
    const lo = Math.min(e.from, e.to);
    const hi = Math.max(e.from, e.to);
    let k = lanes.findIndex((l) => l.freeFrom <= lo);
    if (k < 0) {
      k = lanes.length;
      lanes.push({ freeFrom: 0, width: 0 });
    }
    lanes[k] = { freeFrom: hi, width: Math.max(lanes[k]!.width, e.width) };
    laneOf.set(e.id, k);
  }
  const laneX: number[] = [];
  let x = extent + 16;
  for (const l of lanes) {
    laneX.push(x);
    x += l.width + 10;
  }
  const center = (r: Rect) => r.y + r.height / 2;
  for (const e of laneEdges) {
    const a = boxes.get(d.boxes[e.from]!.id)!;
    const b = boxes.get(d.boxes[e.to]!.id)!;
    const lx = laneX[laneOf.get(e.id)!]!;
    const y0 = center(a) + LANE_DY;
    const y1 = center(b) - LANE_DY;
    const points: Pt[] = [{ x: a.x + a.width, y: y0 }, { x: lx, y: y0 }, { x: lx, y: y1 }, { x: b.x + b.width, y: y1 }];
    edges.set(e.id, { id: e.id, points, label: { x: lx + 3, y: y0 + 2, width: e.width, height: LABEL_HEIGHT } });
  }
  return { width: x + MARGIN, height: y + MARGIN, boxes, clusters, edges };
}
