/**
 * The diagram library: the SVG is well-formed XML with a box for every layer and the tensor
 * shape on every edge (checked against ResNet-18's published shapes, He et al. 2016 table 1),
 * block calls collapse by depth, and the layout never overlaps a box or a label.
 */
import { readFileSync } from "node:fs";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { analyze, compile, diagramGraph, diagramSvg, layoutDiagram, type ModelAnalysis } from "../../src/index.js";
import { keyArgs } from "../../src/diagram/graph.js";
import type { Rect } from "../../src/diagram/layout.js";

function model(path: string): ModelAnalysis {
  const c = compile({ file: path, text: readFileSync(path, "utf8") }, { file: path, resolve: (p) => readFileSync(p, "utf8") });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(c.graph).models[0]!;
}

interface Drawn {
  readonly titles: Map<string, string>; // box id → first text line
  readonly texts: Map<string, string[]>; // box id → all lines
  readonly edges: { from: string; to: string; label: string }[];
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const textOf = (t: unknown): string => (typeof t === "object" && t !== null ? String((t as Record<string, unknown>)["#text"] ?? "") : String(t));

/** Reads the boxes and edges back out of the SVG text. */
function parseSvg(svg: string): Drawn {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false }).parse(svg);
  const groups = asArray(doc.svg.g.g) as Record<string, unknown>[];
  const titles = new Map<string, string>();
  const texts = new Map<string, string[]>();
  const edges: Drawn["edges"] = [];
  for (const g of groups) {
    const cls = String(g["@class"]);
    if (cls.startsWith("box")) {
      const lines = asArray(g.text).map(textOf);
      titles.set(String(g["@data-box"]), lines[0]!);
      texts.set(String(g["@data-box"]), lines);
    } else if (cls === "edge") {
      edges.push({ from: String(g["@data-from"]), to: String(g["@data-to"]), label: textOf(g.text) });
    }
  }
  return { titles, texts, edges };
}

describe("diagram of specs/resnet18.cnn", async () => {
  const m = model("specs/resnet18.cnn");
  const svg = await diagramSvg(m);
  const d = parseSvg(svg);
  const titleToBox = new Map([...d.titles].map(([id, t]) => [t, id]));
  const edgeFrom = (title: string) => d.edges.filter((e) => e.from === titleToBox.get(title)).map((e) => e.label);

  it("has a box for each of the 69 layers, the input and the output", () => {
    // 20 convs (17 in the stem and blocks, 3 downsampling 1×1s), 20 batchnorms, 17 relus
    // (stem + 2 per block), 1 maxpool, 8 adds, global_avgpool, flatten, dense = 69.
    const layers = m.graph.nodes.filter((n) => n.kind !== "input");
    expect(layers.length).toBe(69);
    for (const n of layers) expect(titleToBox.has(`${n.label} · ${n.kind}`), n.label).toBe(true);
    expect(titleToBox.has("input image")).toBe(true);
    expect(titleToBox.has("output")).toBe(true);
    expect(d.titles.size).toBe(69 + 2);
  });

  it("draws every tensor read as an edge, with the published shapes", () => {
    // 69 layers read one tensor each, the 8 adds a second one: 77, plus the edge to the output.
    expect(d.edges.length).toBe(78);
    expect(edgeFrom("input image")).toEqual(["3×224×224"]);
    expect(edgeFrom("conv2d_1 · conv2d")).toEqual(["64×112×112"]); // conv1: 112×112, 64
    expect(edgeFrom("maxpool_1 · maxpool")).toEqual(["64×56×56", "64×56×56"]); // into conv2_x and its skip
    expect(edgeFrom("global_avgpool_1 · global_avgpool")).toEqual(["512×1×1"]); // conv5_x is 7×7, 512
    expect(edgeFrom("flatten_1 · flatten")).toEqual(["512"]);
    expect(edgeFrom("dense_1 · dense")).toEqual(["1000"]); // the 1000-way fc
    const shapes = new Set(d.edges.map((e) => e.label));
    for (const s of ["64×56×56", "128×28×28", "256×14×14", "512×7×7"]) expect(shapes.has(s), s).toBe(true);
  });

  it("shows each layer's arguments as written in the spec", () => {
    // specs/resnet18.cnn: conv2d(64, 7, stride=2, padding=3, bias=false) and maxpool(3, stride=2, padding=1).
    expect(d.texts.get(titleToBox.get("conv2d_1 · conv2d")!)![1]).toBe("64, 7, s=2, p=3, bias=false");
    expect(d.texts.get(titleToBox.get("maxpool_1 · maxpool")!)![1]).toBe("3, s=2, p=1");
    expect(keyArgs(m.graph.nodes.find((n) => n.kind === "add")!)).toBe("");
  });

  it("puts each block call in a frame named after it", () => {
    const frames = [...svg.matchAll(/data-cluster="([^"]+)"/g)].map((x) => x[1]);
    // basic(64) * 2, then basic_down + basic at 128, 256 and 512: 8 calls.
    expect(frames.length).toBe(8);
  });
});

describe("diagram depth", () => {
  it("--depth 1 draws each top-level block call as one box with its layers' sums", async () => {
    const m = model("specs/resnet18.cnn");
    const g = diagramGraph(m, { depth: 1 });
    // input, stem (conv, batchnorm, relu, maxpool), 8 block calls, pool, flatten, dense, output.
    expect(g.boxes.length).toBe(1 + 4 + 8 + 3 + 1);
    expect(g.clusters.length).toBe(0);
    const first = g.boxes.find((b) => b.role === "block")!;
    // basic(64): two 3×3 convs 64→64 on 56×56, each 3·3·64·64·56·56 = 115,605,504 MACs,
    // and 2 · (3·3·64·64) + 2 batchnorms · 2·64 = 73,728 + 256 = 73,984 params.
    expect(first.lines).toEqual(["basic_1 · basic", "7 layers → 64×56×56", "params 73,984  MACs 231,211,008"]);
    const svg = await diagramSvg(m, { depth: 1 });
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  it("--rf adds the receptive field: conv1 of ResNet-18 sees 7 pixels with jump 2", () => {
    const g = diagramGraph(model("specs/resnet18.cnn"), { rf: true });
    const conv1 = g.boxes.find((b) => b.lines[0] === "conv2d_1 · conv2d")!;
    expect(conv1.lines[2]).toBe("params 9,408  MACs 118,013,952  RF 7/2"); // 7·7·3·64; 112²·64·147
  });
});

describe("layout", () => {
  const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  for (const spec of ["specs/resnet18.cnn", "specs/googlenet_3a.cnn", "specs/unet_small.cnn"]) {
    it(`no two boxes or labels overlap: ${spec}`, async () => {
      const g = diagramGraph(model(spec));
      const l = await layoutDiagram(g);
      const boxes = [...l.boxes.values()];
      const labels = [...l.edges.values()].flatMap((e) => (e.label ? [e.label] : []));
      expect(boxes.length).toBe(g.boxes.length);
      expect(labels.length).toBe(g.edges.length);
      const clash: string[] = [];
      const all = [...boxes, ...labels];
      for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) if (overlap(all[i]!, all[j]!)) clash.push(`${JSON.stringify(all[i])} × ${JSON.stringify(all[j])}`);
      expect(clash).toEqual([]);
      for (const b of boxes) expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= l.width && b.y + b.height <= l.height).toBe(true);
      for (const e of l.edges.values()) for (const p of e.points) expect(p.x >= 0 && p.y >= 0 && p.x <= l.width && p.y <= l.height, JSON.stringify(p)).toBe(true);
    });
  }
});

describe("nested block calls", () => {
  const spec = [
    "block unit(c) {", "  input x", "  output x -> conv2d(c, 3, padding=1) -> relu", "}",
    "block stage(c) {", "  input x", "  output x -> unit(c) -> unit(c) -> maxpool(2)", "}",
    "model m {", "  input image: [3, 32, 32]", "  output image -> stage(8) -> stage(16) -> flatten -> dense(10)", "}", "",
  ].join("\n");
  const m = analyze(compile(spec, { file: "n.cnn" }).graph).models[0]!;
  const count = (g: ReturnType<typeof diagramGraph>, role: string) => g.boxes.filter((b) => b.role === role).length;

  it("opens one level per --depth step", () => {
    // depth 1 (the model body): input, stage_1, stage_2, flatten, dense, output.
    const d0 = diagramGraph(m, { depth: 1 });
    expect(d0.boxes.map((b) => b.lines[0])).toEqual(["input image", "stage_1 · stage", "stage_2 · stage", "flatten_1 · flatten", "dense_1 · dense", "output"]);
    expect(d0.clusters).toEqual([]);
    // depth 2: each stage a frame holding its two unit calls as boxes and its maxpool.
    const d1 = diagramGraph(m, { depth: 2 });
    expect(d1.clusters.map((c) => c.label)).toEqual(["stage_1 · stage", "stage_2 · stage"]);
    expect(count(d1, "block")).toBe(4);
    expect(d1.boxes.find((b) => b.lines[0] === "unit_1 · unit")!.lines[1]).toBe("2 layers → 8×32×32");
    // every level: 2 stages + 4 units as frames, each unit frame inside its stage's.
    const all = diagramGraph(m);
    expect(all.clusters.length).toBe(6);
    expect(all.clusters.filter((c) => c.parent !== undefined).length).toBe(4);
    // 4 units × (conv + relu) + 2 maxpools + flatten + dense = 12 layers.
    expect(count(all, "layer")).toBe(12);
  });

  it("draws every depth as valid SVG with the nested frames", async () => {
    const svg = await diagramSvg(m);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="cluster"/g)!.length).toBe(6);
  });
});
