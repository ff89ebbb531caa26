/**
 * The probe's two economies: concats along channels summed in its one-channel copy, and
 * backward passes that end where they meet an earlier pass's non-zero set at a cut
 * (src/exec/probe_memo.ts). Each must measure exactly what the plain probe (concats stacked,
 * every pass run to the input) measures, and a wrong prediction on a layer measured by a
 * shared pass must still fail its cell.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { analyze } from "../../src/analysis/analyze.js";
import type { LayerFacts } from "../../src/analysis/types.js";
import { compile } from "../../src/graph/compile.js";
import { probeModel, probeReceptiveFields } from "../../src/exec/rf.js";
import { setSparseMode } from "../../src/exec/kernels/sparse.js";
import { verify } from "../../src/verify/verify.js";
import { model } from "./helpers.js";

const zoo = (name: string) => readFileSync(new URL(`../../specs/${name}`, import.meta.url), "utf8");

// A DenseNet in small: each layer's output is concatenated onto its input, so a stacked copy
// piles up channels (1, 2, 3, ... one-channel operands) while a summed one stays one wide.
const dense = `
block layer() {
  input x
  y = x -> batchnorm -> relu -> conv2d(8, 1, bias=false) -> batchnorm -> relu -> conv2d(4, 3, padding=1, bias=false)
  output concat(x, y)
}
model d {
  input image: [3, 48, 48]
  output image -> conv2d(8, 5, stride=2, padding=2) as stem -> layer * 4 as b1
    -> batchnorm -> relu -> conv2d(8, 1) -> avgpool(2) as t1 -> layer * 3 as b2 -> global_avgpool -> flatten -> dense(5)
}`;

const models: [string, () => ReturnType<typeof model>][] = [
  ["dense blocks", () => model(dense)],
  ["inception module (concat of four branches)", () => model(zoo("googlenet_3a.cnn"), { x: [8, 14, 14] })],
  ["U-Net: concat of skips, transposed conv", () => model(zoo("unet_small.cnn"), { image: [3, 16, 16] })],
  ["residual chain", () => model(`model m { input x: [3, 40, 40]
      a = x -> conv2d(4, 7, stride=2, padding=3) -> batchnorm -> relu -> maxpool(3, stride=2, padding=1)
      b = a -> conv2d(4, 3, padding=1) -> batchnorm -> relu -> conv2d(4, 3, padding=1) -> batchnorm
      output add(a, b) -> relu -> conv2d(2, 3, stride=2, dilation=2) -> relu -> conv2d(2, 3) }`)],
  ["1-D with a concat along the length (kept stacked)", () => model(`model m { input x: [2, 30]
      a = x -> conv1d(3, 3, padding=1)
      b = x -> conv1d(3, 5, stride=2, padding=2) -> upsample(2)
      output concat(a, b, axis=1) -> relu -> conv1d(2, 3, padding=1) -> relu }`)],
];

describe("summed concats and shared pass tails", () => {
  for (const [name, build] of models) {
    it(`${name}: the same measurements as stacked concats with every pass run to the input`, () => {
      const m = build();
      const plain = probeReceptiveFields(m, { sumConcats: false, shareTails: false });
      // "check": every region a kernel, a seed or a ring half records is verified against its values.
      const prev = setSparseMode("check");
      const fast = probeReceptiveFields(m);
      setSparseMode(prev);
      expect(plain.diagnostics).toEqual([]);
      expect(fast.diagnostics).toEqual([]);
      expect([...fast.fields]).toEqual([...plain.fields]);
      expect([plain.passes.shared, plain.passes.ring]).toEqual([0, 0]);
    });
  }

  it("the dense blocks' copy is one channel wide throughout when summed, and most passes are shared", () => {
    const m = model(dense);
    const c = analyze({ models: [probeModel(m, 1, true, undefined, true)] }).models[0]!;
    const stacked = analyze({ models: [probeModel(m, 1, true)] }).models[0]!;
    const b1 = (a: typeof c) => a.layers.find((f) => f.name === "concat_4")!.outputShape; // b1's last concat
    // Stacked: the stem's one channel plus one per dense layer, 1 + 4 = 5; summed: 1.
    expect(b1(stacked)).toEqual([5, 24, 24]);
    expect(b1(c)).toEqual([1, 24, 24]);
    expect(c.layers.every((f) => f.outputShape.length < 3 || f.outputShape[0] === 1)).toBe(true);
    // Per dense layer of 7 nodes (batchnorm, relu, 1×1 conv, batchnorm, relu, 3×3 conv, concat),
    // only the 3×3 conv reaches a set no earlier pass had: the others meet one within a node or
    // two (the concat meets the 3×3 conv's pass at the concat before it).
    const r = probeReceptiveFields(m);
    expect(r.passes.shared).toBeGreaterThan(r.passes.full);
    // Below the stem (its one conv), later passes propagate only the ring they add.
    expect(r.passes.ring).toBeGreaterThan(0);
  });

  it("a wrong field on a layer measured by a shared pass fails exactly that cell", () => {
    const g = compile({ file: "d.cnn", text: dense }).graph;
    const a = analyze(g);
    const m = a.models[0]!;
    // b1's second layer: its first relu, relu_3 (its pass meets concat_1's own seed at concat_1,
    // through batchnorm_3), and its concat, concat_2 (summed; meets conv2d_5's pass at concat_1).
    for (const label of ["relu_3", "concat_2"]) {
      const wrong = (f: LayerFacts) => (f.name === label ? { ...f, rf: { ...f.rf, size: f.rf.size.map((s) => s + 2), phases: undefined } } : f);
      const r = verify(g, { analysis: { ...a, models: [{ ...m, layers: m.layers.map(wrong) }] } });
      const bad = r.models[0]!.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([q]) => `${l.name}.${q}`));
      expect(bad).toEqual([`${label}.rf`]);
    }
    expect(verify(g, { analysis: a }).ok).toBe(true);
  });
});
