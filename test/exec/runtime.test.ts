/** The runtime: seeded initialization, given weights and inputs, and its measurements by hand. */
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec/runtime.js";
import { f64, model, nodeId } from "./helpers.js";

describe("initialization and inputs", () => {
  const m = model(`model m {
    input x: [3, 8, 8]
    output x -> conv2d(4, 3, bias=true) as c -> batchnorm as b -> flatten -> dense(5) as d
  }`);

  it("is deterministic per seed", () => {
    const a = run(m, { seed: 7 }).outputs.output!.data;
    expect(Array.from(run(m, { seed: 7 }).outputs.output!.data)).toEqual(Array.from(a));
    expect(Array.from(run(m, { seed: 8 }).outputs.output!.data)).not.toEqual(Array.from(a));
  });

  it("draws He weights (variance 2/fan_in, uniform), small biases and positive running variances", () => {
    const big = model(`model m {\n input x: [64, 3, 3]\n output x -> conv2d(256, 3) as c -> batchnorm as b\n}`);
    const r = run(big, { seed: 1 });
    const w = r.params.get(nodeId(big, "c"))!.weight!.data;
    let s2 = 0;
    for (const v of w) s2 += v * v;
    // fan_in = 64·3·3 = 576 → std √(2/576) ≈ 0.0589; 147,456 draws estimate it within ~1 %.
    expect(Math.sqrt(s2 / w.length)).toBeGreaterThan(0.0589 * 0.97);
    expect(Math.sqrt(s2 / w.length)).toBeLessThan(0.0589 * 1.03);
    expect(Math.max(...Array.from(r.params.get(nodeId(big, "c"))!.bias!.data, Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.min(...r.params.get(nodeId(big, "b"))!.running_var!.data)).toBeGreaterThan(0);
  });

  it("counts parameters as allocated: batch norm's running statistics are buffers", () => {
    const r = run(m);
    // conv 4·3·3·3 + 4 = 112; batchnorm γ, β trainable (8) + running mean, var (8); dense 5·(4·6·6) + 5 = 725.
    expect(r.layers.map((l) => [l.name, l.trainableParams, l.params])).toEqual([["c", 112, 112], ["b", 8, 16], ["flatten_1", 0, 0], ["d", 725, 725]]);
  });

  it("reports weights of the wrong shape or name, and a wrong input, as diagnostics", () => {
    const bad = run(m, { params: new Map([[nodeId(m, "c"), { weight: f64([4, 3, 2, 2], new Array(48).fill(0)) }]]) });
    expect(bad.diagnostics.map((d) => [d.code, d.message])).toEqual([["CS4002", "c: weights \"weight\" have shape [4, 3, 2, 2], the layer needs [4, 3, 3, 3]"]]);
    expect(bad.layers).toEqual([]);
    const unknown = run(m, { params: new Map([[nodeId(m, "d"), { gamma: f64([1], [1]) }]]) });
    expect(unknown.diagnostics.map((d) => d.code)).toEqual(["CS4003"]);
    const input = run(m, { inputs: { x: f64([1, 3, 4, 4], new Array(48).fill(1)) } });
    expect(input.diagnostics.map((d) => d.code)).toEqual(["CS4004"]);
  });
});

describe("measurements by hand", () => {
  it("MACs of a transposed conv: every input element scatters Cout/G·∏K products", () => {
    const m = model(`model m {\n input x: [4, 5, 6]\n output x -> deconv2d(6, [3, 2], stride=2, padding=1, groups=2)\n}`);
    const r = run(m, { batch: 2 });
    // 2 batches · 4 input channels · 5·6 positions · (6/2 outputs per group) · 3·2 taps = 4,320.
    expect(r.layers[0]!.macs).toBe(4_320);
    // (5−1)·2 − 2 + 3 = 9 rows, (6−1)·2 − 2 + 2 = 10 columns.
    expect(r.layers[0]!.shape).toEqual([2, 6, 9, 10]);
  });

  it("peak bytes: the input lives until its last reader; a branch output until the merge", () => {
    const m = model(`model m {
      input x: [1, 4, 4]
      a = x -> conv2d(2, 1)
      b = x -> maxpool(2) -> upsample(2)
      output concat(a, b)
    }`);
    const r = run(m);
    // Bytes: x 64, a 128, b 16, upsample 64, concat 192. Running order x, a, b, up, concat:
    // x+a = 192; x+a+b = 208, then x is freed → 144; +up = 208, b freed → 192; +concat = 384.
    expect(r.layers.map((l) => l.activationBytes)).toEqual([128, 16, 64, 192]);
    expect(r.peakBytes).toBe(384);
  });
});

describe("shapes the analyzer would reject never throw", () => {
  const cases: [string, string, RegExp][] = [
    ["[3, 8, 8]", "conv2d(4, 3, groups=2)", /not divisible by groups/],
    ["[4, 8]", "deconv1d(3, 3, groups=2)", /not divisible by groups/],
    ["[1, 4, 4]", "maxpool(5)", /window does not fit/],
    ["[1, 4, 4]", "conv2d(1, 5)", /kernel does not fit/],
    ["[3, 4]", "channel_maxpool(2)", /do not split into groups/],
    ["[2, 4, 4]", "dense(3)", /rank-1 input/],
    ["[2, 4]", "reshape([3, 3])", /cannot reshape/],
  ];
  for (const [shape, chain, reason] of cases) {
    it(`in=${shape} ${chain}`, () => {
      const r = run(model(`model m {\n input x: ${shape}\n output x -> ${chain}\n}`));
      expect(r.diagnostics.map((d) => d.code)).toEqual(["CS4001"]);
      expect(r.diagnostics[0]!.message).toMatch(reason);
    });
  }
});
