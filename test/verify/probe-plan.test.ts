/**
 * The probe's plan: every phase of a position pattern is probed and compared unit by unit;
 * fields a reshape scrambles are not spatial and skipped; the probe's memory is planned and
 * refused up front when even the model's own input does not fit; an upsample of a pooled map
 * grows with the probe input.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";
import { probeCopy } from "../../src/verify/probe.js";
import { probeReceptiveFields } from "../../src/exec/rf.js";
import { bruteExtent } from "./brute.js";

function build(text: string) {
  const c = compile({ file: "a.cnn", text });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c.graph;
}

const failures = (r: ReturnType<typeof verify>) =>
  r.models.flatMap((m) => m.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([q, c]) => `${l.name}.${q}: ${JSON.stringify(c)}`)));

// A two-level U-Net with stand-in crops (2-tap max pooling with dilation 2c drops c per side).
const UNET = `model u {
  input x: [1, 68, 68]
  e1 = x -> conv2d(2, 3) -> conv2d(2, 3)                       # 64
  e2 = e1 -> maxpool(2) -> conv2d(2, 3) -> conv2d(2, 3)        # 32 -> 28
  b = e2 -> maxpool(2) -> conv2d(2, 3) -> conv2d(2, 3)         # 14 -> 10
  u2 = b -> deconv2d(2, 2, stride=2)                           # 20
  s2 = e2 -> maxpool(2, stride=1, dilation=8)                  # 20
  d2 = concat(s2, u2) -> conv2d(2, 3) -> conv2d(2, 3)          # 16
  u1 = d2 -> deconv2d(2, 2, stride=2)                          # 32
  s1 = e1 -> maxpool(2, stride=1, dilation=32)                 # 32
  output concat(s1, u1) -> conv2d(2, 3) as c9 -> conv2d(2, 3) as last   # 30, 28
}`;

describe("the probe's units follow the position pattern", () => {
  it("after two 2x2/2 transposed convs: four phases per axis, each unit compared with its own prediction", () => {
    const g = build(UNET);
    const r = verify(g);
    expect(failures(r)).toEqual([]);
    const m = g.models[0]!;
    const f = analyze(g).models[0]!.layers.find((x) => x.name === "c9")!;
    // Period 4 along each axis (two stride-2 transposed convs); the units' fields differ.
    const ph = f.rf.phases![0]!;
    expect(ph.period).toBe(4);
    expect(r.models[0]!.layers.find((l) => l.name === "c9")!.cells.rf).toMatchObject({ predicted: [44, 44], measured: [44, 44], ok: true });
    // The four units of one period nearest the centre of the 30-wide output (12..15), on the
    // model's own input: what the probe measures for each, and a brute-force forward check
    // (along H) of each, against the analyzer's per-unit field.
    const units = [12, 13, 14, 15].map((u) => [u, u]);
    const probed = probeReceptiveFields(m, { nodes: [f.node], units: () => units }).fields.get(f.node)!.units;
    const measured = probed.map((u) => u.hi[0]! - u.lo[0]! + 1);
    const brute = units.map((u) => bruteExtent(m, f.node, u, [0])[0]!);
    const predicted = units.map((u) => Math.round(ph.hi[u[0]! % 4]! - ph.lo[u[0]! % 4]! + 1));
    expect(measured).toEqual(brute);
    expect(measured).toEqual(predicted);
    expect(new Set(measured)).toEqual(new Set([40, 44])); // one central unit could have shown 40
  });

  it("a wrong prediction fails with a concrete unit whose extent a brute-force check confirms", () => {
    const g = build(UNET);
    const a = analyze(g);
    const m = a.models[0]!;
    const id = m.layers.find((f) => f.name === "last")!.node;
    const wrong = { ...m, layers: m.layers.map((f) => (f.node === id ? { ...f, rf: { ...f.rf, size: f.rf.size.map((n) => n - 4) } } : f)) };
    const cell = verify(g, { analysis: { ...a, models: [wrong] } }).models[0]!.layers.find((l) => l.node === id)!.cells.rf;
    expect(cell.ok).toBe(false);
    expect(cell.unit!.predicted).toEqual(wrong.layers.find((f) => f.node === id)!.rf.size);
    expect(bruteExtent(probeCopy(g.models[0]!, m, cell.unit!.factor), id, cell.unit!.index)).toEqual(cell.unit!.measured);
  });
});

describe("fields that are not spatial", () => {
  const YOLO = `model y {
  input x: [1, 16, 16]
  p = x -> conv2d(2, 3, padding=1) -> maxpool(2)                 # [2, 8, 8]
  f = p -> conv2d(4, 3, stride=2, padding=1)                     # [4, 4, 4]
  r = p -> conv2d(2, 1) -> reshape([8, 4, 4]) as reorg
  k = p -> reshape([2, 8, 8]) as keep
  output d = concat(r, f) -> conv2d(2, 3, padding=1) as detect
  output kept = k -> identity
}`;

  it("a reshape that moves units between positions, and all after it: not spatial, not probed", () => {
    const g = build(YOLO);
    const a = analyze(g).models[0]!;
    const by = (n: string) => a.layers.find((f) => f.name === n)!;
    expect(by("reorg").rf.notSpatial).toMatch(/reorg: it moves units between positions \(\[2, 8, 8\] to \[8, 4, 4\]\)/);
    expect(by("detect").rf.notSpatial).toBe(by("reorg").rf.notSpatial);
    expect(by("keep").rf.notSpatial).toBeUndefined(); // same sizes: every unit stays in place
    const r = verify(g);
    expect(failures(r)).toEqual([]);
    const cell = r.models[0]!.layers.find((l) => l.name === "detect")!.cells.rf;
    expect(cell).toMatchObject({ predicted: "not spatial", measured: null, ok: true });
    expect(cell.note).toMatch(/not measured: reorg: it moves units/);
    // keep: conv 3 → 3, maxpool 2 → 3 + 1 = 4; the reshape keeps it.
    expect(r.models[0]!.layers.find((l) => l.name === "keep")!.cells.rf).toMatchObject({ predicted: [4, 4], measured: [4, 4], ok: true });
  });

  it("an assert on a field that is not spatial is an error, not a number", () => {
    const a = analyze(build(YOLO.replace("-> identity\n}", "-> identity\n  assert rf(detect) == 3\n}")));
    expect(a.diagnostics.map((d) => d.message).join("\n")).toMatch(/no spatial receptive field/);
  });
});

describe("the probe's memory", () => {
  // 40 pass-through layers on a 1×64×64 map: the forward run keeps two 16 KiB maps alive, the
  // probe keeps all 41 (float64, batch 2: 64 KiB each), and twice that for its gradients.
  const DEEP = `model d {\n  input x: [1, 64, 64]\n  output x -> relu * 40\n}`;

  it("refuses up front, naming the phase, when even the model's own input does not fit", () => {
    const r = verify(build(DEEP), { maxMemoryBytes: 1024 * 1024 });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS4006"]);
    expect(r.diagnostics[0]!.message).toMatch(/model d: the receptive-field probe needs about [\d.]+ MiB at batch 1, more than the limit of 1\.00 MiB/);
    expect(r.diagnostics[0]!.hint).toMatch(/--no-rf/);
    expect(r.models[0]!.layers).toEqual([]);
  });

  it("runs the same model without the probe within the same limit", () => {
    const r = verify(build(DEEP), { maxMemoryBytes: 1024 * 1024, rf: false });
    expect(r.ok).toBe(true);
  });

  it("an image-pooling branch upsampled back: the probe input grows, every field measured, within the limit", () => {
    const text = readFileSync("test/fixtures/verify/dilated_gp.cnn", "utf8");
    const r = verify(build(text), { maxMemoryBytes: 64 * 1024 * 1024 });
    expect(failures(r)).toEqual([]);
    const m = r.models[0]!;
    // The dilated branch's field: 1 + 2·(12 + 24 + 36) = 145 > 32, so the probe input grows.
    expect(m.rfProbeInput![0]).toBeGreaterThan(145);
    expect(m.memory!.probe).toBeLessThanOrEqual(64 * 1024 * 1024);
    const conv3 = m.layers.find((l) => l.name === "conv2d_3")!.cells.rf;
    expect(conv3).toMatchObject({ predicted: [145, 145], measured: [145, 145], ok: true });
  });
});
