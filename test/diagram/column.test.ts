/**
 * The column layout (the playground's layout for diagrams of more than 120 boxes) and the
 * layout key (when a layout may be reused for an edited diagram). The column layout must keep
 * what the ELK layout keeps: no two boxes or labels overlap, every frame holds exactly the
 * boxes of its block call, every edge runs from its source box to its target box. The key
 * must not change for an edit that changes numbers only, and a reused layout must draw the
 * same SVG as a fresh one.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, compile, diagramGraph, layoutDiagram, type ModelAnalysis } from "../../src/index.js";
import { columnLayout } from "../../src/diagram/column.js";
import type { DiagramGraph } from "../../src/diagram/graph.js";
import { layoutKey, type Layout, type Rect } from "../../src/diagram/layout.js";
import { renderSvg } from "../../src/diagram/svg.js";

function modelOf(path: string, text = readFileSync(path, "utf8")): ModelAnalysis {
  const c = compile({ file: path, text }, { file: path, resolve: (p) => readFileSync(p, "utf8") });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(c.graph).models[0]!;
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Rect, b: Rect) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
/** On the border of a rectangle (within half a pixel). */
const onBorder = (p: { x: number; y: number }, r: Rect) => {
  const inX = p.x >= r.x - 0.5 && p.x <= r.x + r.width + 0.5;
  const inY = p.y >= r.y - 0.5 && p.y <= r.y + r.height + 0.5;
  const edgeX = Math.abs(p.x - r.x) < 0.5 || Math.abs(p.x - r.x - r.width) < 0.5;
  const edgeY = Math.abs(p.y - r.y) < 0.5 || Math.abs(p.y - r.y - r.height) < 0.5;
  return inX && inY && (edgeX || edgeY);
};

/** Every property a readable drawing needs, as a list of what breaks them (empty: none). */
function problems(g: DiagramGraph, l: Layout): string[] {
  const out: string[] = [];
  const boxes = g.boxes.map((b) => ({ id: b.id, r: l.boxes.get(b.id)! }));
  const labels = g.edges.map((e) => ({ id: e.id, r: l.edges.get(e.id)?.label }));
  if (boxes.some((b) => !b.r)) out.push("a box has no place");
  if (labels.some((e) => !e.r)) out.push("an edge has no label place");
  const rects = [...boxes.map((b) => ({ id: b.id, r: b.r })), ...labels.map((e) => ({ id: e.id, r: e.r! }))];
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) if (overlap(rects[i]!.r, rects[j]!.r)) out.push(`${rects[i]!.id} overlaps ${rects[j]!.id}`);
  }
  // Frames: a box is inside a frame exactly when its block call is that frame or nested in it.
  const parent = new Map(g.clusters.map((c) => [c.id, c.parent]));
  const within = (cluster: string | undefined, frame: string): boolean => {
    for (let c = cluster; c !== undefined; c = parent.get(c)) if (c === frame) return true;
    return false;
  };
  for (const c of g.clusters) {
    const f = l.clusters.get(c.id);
    if (!f) continue;
    for (const b of g.boxes) {
      const r = l.boxes.get(b.id)!;
      if (within(b.cluster, c.id) && !inside(r, f)) out.push(`${b.id} sticks out of ${c.id}`);
      if (!within(b.cluster, c.id) && overlap(r, f)) out.push(`${b.id} overlaps the frame ${c.id} it is not in`);
    }
    for (const e of g.edges) {
      const lr = l.edges.get(e.id)?.label;
      if (lr && overlap(lr, f) && !inside(lr, f)) out.push(`label of ${e.id} crosses the border of ${c.id}`);
    }
    if (c.parent && l.clusters.get(c.parent) && !inside(f, l.clusters.get(c.parent)!)) out.push(`${c.id} sticks out of ${c.parent}`);
  }
  for (const e of g.edges) {
    const pts = l.edges.get(e.id)!.points;
    if (pts.length < 2) out.push(`${e.id} has no route`);
    else {
      if (!onBorder(pts[0]!, l.boxes.get(e.from)!)) out.push(`${e.id} does not start on ${e.from}`);
      if (!onBorder(pts[pts.length - 1]!, l.boxes.get(e.to)!)) out.push(`${e.id} does not end on ${e.to}`);
      // Orthogonal: each step is horizontal or vertical.
      for (let i = 1; i < pts.length; i++) if (pts[i]!.x !== pts[i - 1]!.x && pts[i]!.y !== pts[i - 1]!.y) out.push(`${e.id} has a slanted step`);
    }
    for (const p of pts) if (p.x < 0 || p.y < 0 || p.x > l.width || p.y > l.height) out.push(`${e.id} leaves the canvas`);
  }
  return out;
}

describe("the column layout", () => {
  for (const spec of ["specs/resnet50.cnn", "specs/densenet121.cnn", "specs/googlenet.cnn", "specs/inception_v3.cnn", "specs/unet.cnn", "specs/lenet5.cnn"]) {
    it(`draws every layer of ${spec} with nothing overlapping, frames around their block calls`, () => {
      const g = diagramGraph(modelOf(spec));
      const l = columnLayout(g);
      expect(l.boxes.size).toBe(g.boxes.length);
      expect(l.edges.size).toBe(g.edges.length);
      expect(problems(g, l)).toEqual([]);
    });
  }

  it("stacks a chain straight down and sends a skip connection round a lane", () => {
    // x → conv → relu → add(relu, x): the add's second input skips two boxes.
    const text = "model m {\n  input x: [4, 8, 8]\n  y = x -> conv2d(4, 3, padding=1) -> relu\n  output add(y, x)\n}\n";
    const g = diagramGraph(modelOf("m.cnn", text));
    const l = columnLayout(g);
    const ids = g.boxes.map((b) => b.id); // input, conv, relu, add, output
    expect(ids.length).toBe(5);
    const ys = ids.map((id) => l.boxes.get(id)!.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys); // in graph order, top to bottom
    const skip = g.edges.find((e) => e.from === ids[0] && e.to === ids[3])!;
    const chain = g.edges.find((e) => e.from === ids[0] && e.to === ids[1])!;
    expect(l.edges.get(chain.id)!.points.length).toBe(2); // straight down
    const route = l.edges.get(skip.id)!.points;
    expect(route.length).toBe(4); // out to the right, down the lane, back in
    const right = Math.max(...ids.map((id) => l.boxes.get(id)!.x + l.boxes.get(id)!.width));
    expect(route[1]!.x).toBeGreaterThan(right);
    expect(problems(g, l)).toEqual([]);
  });
});

describe("the layout key", () => {
  const lenet = readFileSync("specs/lenet5.cnn", "utf8");

  it("stays the same when an edit changes numbers only, and the reused layout draws the same SVG", async () => {
    // conv1's 6 filters → 7: shapes, params and MACs change (6×28×28 → 7×28×28), the graph does not.
    const edited = lenet.replace(/conv2d\(6,/, "conv2d(7,");
    expect(edited).not.toBe(lenet);
    const before = diagramGraph(modelOf("specs/lenet5.cnn", lenet));
    const after = diagramGraph(modelOf("specs/lenet5.cnn", edited));
    expect(after.edges.map((e) => e.label)).toContain("7×28×28");
    expect(layoutKey(after)).toBe(layoutKey(before));
    const reused = renderSvg(after, await layoutDiagram(before));
    const fresh = renderSvg(after, await layoutDiagram(after));
    expect(reused).toBe(fresh);
    expect(reused).toContain(">7×28×28<");
  });

  it("changes when the graph changes", () => {
    const before = diagramGraph(modelOf("specs/lenet5.cnn", lenet));
    const added = diagramGraph(modelOf("specs/lenet5.cnn", lenet.replace(/-> tanh/, "-> tanh -> tanh")));
    expect(added.boxes.length).toBe(before.boxes.length + 1);
    expect(layoutKey(added)).not.toBe(layoutKey(before));
  });
});
