/**
 * verify(): predictions of the analyzer against the run, on the zoo and on hand computations,
 * and a deliberately wrong prediction caught on exactly its cell.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import type { Graph } from "../../src/graph/ir.js";
import type { LayerFacts } from "../../src/analysis/types.js";
import { verify, type ModelCheck } from "../../src/verify/verify.js";

function spec(name: string, inputShapes?: Record<string, number[]>): Graph {
  const r = compile({ file: `${name}.cnn`, text: readFileSync(new URL(`../../specs/${name}.cnn`, import.meta.url), "utf8") }, inputShapes ? { inputShapes } : {});
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph;
}

/** Every cell that disagrees, as "layer.quantity". */
function failures(m: ModelCheck): string[] {
  const out: string[] = [];
  for (const l of m.layers) for (const [q, c] of Object.entries(l.cells)) if (!c.ok) out.push(`${l.name}.${q}`);
  for (const [q, c] of Object.entries(m.totals)) if (!c.ok) out.push(`total.${q}`);
  return out;
}

describe("verify on the zoo", () => {
  it("lenet5: every cell agrees, and the run reproduces the published counts", () => {
    const r = verify(spec("lenet5"));
    const m = r.models[0]!;
    expect(failures(m)).toEqual([]);
    expect(r.ok).toBe(true);
    // REFERENCE.md: 61,706 params, 416,520 MACs.
    expect(m.totals.params.measured).toBe(61_706);
    expect(m.totals.macs.measured).toBe(416_520);
    // By hand: conv1's output is 6·28·28 floats = 18,816 bytes. Peak: the 32·32 input (4,096 B)
    // is freed after conv1; conv1's output (18,816) and tanh's (18,816) are alive together.
    expect(m.layers[0]!.cells.bytes.measured).toBe(18_816);
    expect(m.totals.peak.measured).toBe(37_632);
    // LANGUAGE.md: the field after the 2nd pooling is 16.
    expect(m.layers.find((l) => l.name === "avgpool_2")!.cells.rf.measured).toEqual([16, 16]);
  });

  it("googlenet_3a and genre1d: every cell agrees", () => {
    for (const name of ["googlenet_3a", "genre1d"]) {
      const r = verify(spec(name));
      expect(failures(r.models[0]!), name).toEqual([]);
      expect(r.models[0]!.rfProbeInput).toBeDefined();
    }
    const g = verify(spec("googlenet_3a")).models[0]!;
    expect(g.layers.at(-1)!.cells.shape.measured).toEqual([1, 256, 28, 28]);
  });
});

describe("verify reports a wrong prediction on the right cell", () => {
  const g = spec("lenet5");
  const perturb = (label: string, change: (f: LayerFacts) => LayerFacts) => {
    const a = analyze(g);
    const m = a.models[0]!;
    const layers = m.layers.map((f) => (f.name === label ? change(f) : f));
    return verify(g, { analysis: { ...a, models: [{ ...m, layers }] } });
  };

  it("one MAC too many on conv2d_2 fails only conv2d_2's MACs", () => {
    const r = perturb("conv2d_2", (f) => ({ ...f, macs: f.macs + 1n }));
    expect(r.ok).toBe(false);
    expect(failures(r.models[0]!)).toEqual(["conv2d_2.macs"]);
    const c = r.models[0]!.layers.find((l) => l.name === "conv2d_2")!.cells.macs;
    expect([c.predicted, c.measured]).toEqual([240_001, 240_000]);
  });

  it("a wrong shape, parameter count or field fails only that cell", () => {
    expect(failures(perturb("avgpool_1", (f) => ({ ...f, outputShape: [6, 15, 14] })).models[0]!)).toEqual(["avgpool_1.shape"]);
    expect(failures(perturb("dense_2", (f) => ({ ...f, trainableParams: f.trainableParams - 84n })).models[0]!)).toEqual(["dense_2.params"]);
    expect(failures(perturb("tanh_2", (f) => ({ ...f, activationBytes: f.activationBytes * 2n })).models[0]!)).toEqual(["tanh_2.bytes"]);
    expect(failures(perturb("conv2d_2", (f) => ({ ...f, rf: { ...f.rf, size: [15, 14] } })).models[0]!)).toEqual(["conv2d_2.rf"]);
  });

  it("a wrong total fails the totals row", () => {
    const a = analyze(g);
    const m = a.models[0]!;
    const r = verify(g, { analysis: { ...a, models: [{ ...m, totals: { ...m.totals, peakActivationBytes: m.totals.peakActivationBytes - 4n } }] } });
    expect(failures(r.models[0]!)).toEqual(["total.peak"]);
  });
});

describe("memory limit", () => {
  it("refuses a model whose predicted memory exceeds the limit, without running it", () => {
    const r = verify(spec("lenet5"), { maxMemoryBytes: 1024 });
    expect(r.ok).toBe(false);
    expect(r.models[0]!.layers).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS4006"]);
    // The forward run: 61,706 parameters · 4 B = 246,824 B, plus 37,632 B peak activations,
    // plus the largest layer's scratch, dense_1's: 2 · 48,120 · 4 B of weights + 2 · 400 · 4 B
    // of input = 388,160 B; in all 672,616 B = 656.85 KiB.
    expect(r.diagnostics[0]!.message).toMatch(/the forward run needs about 656\.85 KiB at batch 1, more than the limit of 1\.00 KiB/);
  });
});
