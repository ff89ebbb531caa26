/**
 * ConvSpec 1.1 normalisations: layernorm(axes=[0]) as the new default (over channels at every
 * position), groupnorm(groups) and instancenorm. Expectations computed by hand below, or as
 * PyTorch counts them (torchvision's LayerNorm2d, nn.GroupNorm, nn.InstanceNorm2d).
 */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { run } from "../../src/exec/runtime.js";
import type { Tensor } from "../../src/exec/tensor.js";
import { model } from "../exec/helpers.js";
import { verifyAllCells } from "./helpers.js";

const analyzeText = (text: string) => analyze(compile({ file: "t.cnn", text }).graph);
const f64 = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

/** The model's output for one input sample given as a flat list. */
function forward(text: string, shape: number[], x: number[]): number[] {
  const m = model(text);
  return Array.from(run(m, { precision: "f64", inputs: { x: f64([1, ...shape], x) } }).outputs.output!.data);
}

describe("layernorm(axes=[0], eps=1e-5, affine=true)", () => {
  it("params 2·(product of the normalized axes): over channels by default, axes=all as ConvSpec 1.0", () => {
    const m = analyzeText(`model m {
      input x: [96, 56, 56]
      a = x -> layernorm as by_default
      b = x -> layernorm(axes=[0]) as channels
      c = x -> layernorm(axes=[1, -1]) as spatial
      d = x -> layernorm(axes=all) as whole
      e = x -> layernorm(affine=false) as plain
      output concat(a, b, c, d, e)
    }`).models[0]!;
    const p = Object.fromEntries(m.layers.map((l) => [l.name, l.params]));
    // torchvision's ConvNeXt LayerNorm2d(96): weight 96 + bias 96 = 192.
    expect(p.by_default).toBe(192n);
    expect(p.channels).toBe(192n);
    expect(p.spatial).toBe(2n * 56n * 56n); // 6,272
    expect(p.whole).toBe(2n * 96n * 56n * 56n); // 602,112: nn.LayerNorm([96, 56, 56])
    expect(p.plain).toBe(0n);
    // 96·56·56 = 301,056 elements: 8 FLOPs each with affine (2,408,448), 6 without (1,806,336).
    const fl = Object.fromEntries(m.layers.map((l) => [l.name, l.flops]));
    expect([fl.by_default, fl.whole, fl.plain]).toEqual([2_408_448n, 2_408_448n, 1_806_336n]);
  });

  it("normalizes each position over its channels (nn.LayerNorm(C) on the tokens), hand-computed", () => {
    // x = [[1, 2, 3], [3, 6, 3]] as [C = 2, N = 3]. Position 0: (1, 3), mean 2, variance 1;
    // position 1: (2, 6), mean 4, variance 4; position 2: (3, 3), mean 3, variance 0.
    const y = forward(`model m {
      input x: [2, 3]
      output x -> layernorm(affine=false)
    }`, [2, 3], [1, 2, 3, 3, 6, 3]);
    const r1 = 1 / Math.sqrt(1 + 1e-5), r4 = 2 / Math.sqrt(4 + 1e-5);
    [-r1, -r4, 0, r1, r4, 0].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it("axes=[-1] normalizes each channel along the last axis, hand-computed", () => {
    // Channel 0: (1, 2, 3), mean 2, variance 2/3 → (−1, 0, 1)/√(2/3); channel 1: (3, 6, 3),
    // mean 4, variance 2 → (−1, 2, −1)/√2.
    const y = forward(`model m {
      input x: [2, 3]
      output x -> layernorm(axes=[-1], eps=0, affine=false)
    }`, [2, 3], [1, 2, 3, 3, 6, 3]);
    const a = 1 / Math.sqrt(2 / 3), b = 1 / Math.SQRT2;
    [-a, 0, a, -b, 2 * b, -b].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it("fields: over channels unchanged, over every axis global, and on a flattened vector global (its features are positions)", () => {
    const m = analyzeText(`model m {
      input x: [2, 9, 9]
      a = x -> conv2d(3, 3, padding=1) -> layernorm as over_channels
      output b = a -> layernorm(axes=all) as whole
      output v = a -> flatten -> layernorm as vector
    }`).models[0]!;
    const rf = (name: string) => m.layers.find((l) => l.name === name)!.rf;
    expect([rf("over_channels").size, rf("over_channels").global]).toEqual([[3, 3], false]);
    expect([rf("whole").size, rf("whole").global]).toEqual([[9, 9], true]);
    expect([rf("vector").size, rf("vector").global]).toEqual([[9, 9], true]);
  });

  it("axes out of range or repeated are coded errors with the numbers and a hint", () => {
    const d = analyzeText(`model m {
      input x: [4, 5, 6]
      a = x -> layernorm(axes=[0, 3]) -> flatten
      b = x -> layernorm(axes=[0, -3]) -> flatten
      output concat(a, b)
    }`).diagnostics.filter((x) => x.severity === "error");
    expect(d.map((x) => [x.code, x.message])).toEqual([
      ["CS3015", "layernorm_1: axis 3 is out of range for [4, 5, 6] (axes 0 to 2, or −1 to −3)"],
      ["CS3015", "layernorm_2: axis 0 is named twice in [0, -3]"],
    ]);
    expect(d[0]!.hint).toBe("axes count from 0 = channels (negative from the end); axes=all normalizes the whole tensor");
  });

  it("eps stays the first positional argument (1.0's layernorm(1e-6)); axes is named only", () => {
    const ok = compile({ file: "t.cnn", text: `model m {
      input x: [4, 5]
      output x -> layernorm(1e-6, false, axes=[-1])
    }` });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.graph.models[0]!.nodes[1]!.args).toEqual({ eps: 1e-6, affine: false, axes: [-1] });
    const d = compile({ file: "t.cnn", text: `model m {
      input x: [4, 5]
      output x -> layernorm(1e-6, false, [0])
    }` }).diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([["CS2004", "layernorm takes at most 2 positional argument(s), got 3"]]);
  });

  it("a word other than all is a type error naming what axes takes", () => {
    const d = compile({ file: "t.cnn", text: `model m {
      input x: [4, 5]
      output x -> layernorm(axes=every)
    }` }).diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([["CS2006", "layernorm: axes must be a list of axes (0 = channels, negative from the end) or all, got the word every"]]);
  });
});

describe("groupnorm(groups, eps=1e-5, affine=true) and instancenorm(eps=1e-5, affine=false)", () => {
  it("params 2·C (affine), 0 without; instancenorm 0 by default, 2·C with affine=true", () => {
    const m = analyzeText(`model m {
      input x: [32, 8, 8]
      a = x -> groupnorm(8) as gn
      b = x -> groupnorm(4, affine=false) as gn_plain
      c = x -> instancenorm as inorm
      d = x -> instancenorm(affine=true) as inorm_affine
      output concat(a, b, c, d)
    }`).models[0]!;
    const p = Object.fromEntries(m.layers.map((l) => [l.name, [l.params, l.nonTrainableParams]]));
    // nn.GroupNorm(8, 32): weight 32 + bias 32; nn.InstanceNorm2d(32): no parameters, no buffers.
    expect(p.gn).toEqual([64n, 0n]);
    expect(p.gn_plain).toEqual([0n, 0n]);
    expect(p.inorm).toEqual([0n, 0n]);
    expect(p.inorm_affine).toEqual([64n, 0n]);
    // 32·8·8 = 2,048 elements: 8 FLOPs each with affine, 6 without.
    expect(m.layers.map((l) => l.flops).slice(0, 4)).toEqual([16_384n, 12_288n, 12_288n, 16_384n]);
  });

  it("groupnorm pools runs of C/groups channels with every position; instancenorm one channel (hand-computed)", () => {
    // x as [C = 4, 2]: channels (1, 3), (5, 7), (0, 0), (2, 2).
    const x = [1, 3, 5, 7, 0, 0, 2, 2];
    // Two groups: {1, 3, 5, 7} mean 4, variance (9 + 1 + 1 + 9)/4 = 5; {0, 0, 2, 2} mean 1, variance 1.
    const g = forward(`model m {
      input x: [4, 2]
      output x -> groupnorm(2, eps=0, affine=false)
    }`, [4, 2], x);
    const r5 = 1 / Math.sqrt(5);
    [-3 * r5, -r5, r5, 3 * r5, -1, -1, 1, 1].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
    // Per channel: (1, 3) → (−1, 1); (5, 7) → (−1, 1); (0, 0) → 0 (variance 0 + eps); (2, 2) → 0.
    const n = forward(`model m {
      input x: [4, 2]
      output x -> instancenorm
    }`, [4, 2], x);
    const r = 1 / Math.sqrt(1 + 1e-5);
    [-r, r, -r, r, 0, 0, 0, 0].forEach((v, i) => expect(n[i]).toBeCloseTo(v, 12));
  });

  it("groups not dividing C, and instancenorm without positions, are coded errors with the numbers", () => {
    const d = analyzeText(`model m {
      input x: [32, 8, 8]
      a = x -> groupnorm(3) -> flatten
      b = x -> global_avgpool -> flatten -> instancenorm
      output concat(a, b)
    }`).diagnostics.filter((x) => x.severity === "error");
    expect(d.map((x) => [x.code, x.message])).toEqual([
      ["CS3004", "groupnorm_1: input channels 32 is not divisible by groups=3"],
      ["CS3001", "instancenorm_1: instancenorm expects an input with at least one axis after channels, got [32] from flatten_2"],
    ]);
    expect(d[0]!.hint).toBe("groups must divide the 32 channels of [32, 8, 8] (from input x)");
  });
});

describe("verify: every cell ✓ with each new normalisation, the fields measured", () => {
  it("over channels keeps the field; over every position (group, instance, axes=all) it is global; over W only, W is whole", () => {
    const v = verifyAllCells(`
      model local {
        input x: [4, 10, 10]
        output x -> conv2d(8, 3) -> layernorm -> conv2d(8, 3) -> layernorm(axes=[0, 2])
      }
      model global {
        input x: [4, 9, 9]
        output x -> conv2d(8, 3) -> groupnorm(4) -> conv2d(6, 3) -> instancenorm(affine=true) -> conv2d(4, 1) -> layernorm(axes=all)
      }`);
    const fields = (i: number) => v.models[i]!.layers.map((l) => l.cells.rf.measured);
    // conv 3, layernorm over channels 3, conv 5, layernorm over C and W: W spans the whole
    // input (10) and H stays 5.
    expect(fields(0)).toEqual([[3, 3], [3, 3], [5, 5], [5, 10]]);
    expect(fields(1)).toEqual([[3, 3], "global", "global", "global", "global", "global"]);
  });
});
