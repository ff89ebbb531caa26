/**
 * Forward kernels against hand computations of PyTorch's (and, for `same`, TensorFlow's)
 * definitions — the semantics the gradient checks cannot see.
 */
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec/runtime.js";
import { erf } from "../../src/families/activation/kernel.js";
import type { LayerParams } from "../../src/exec/tensor.js";
import { f64, model, nodeId } from "./helpers.js";

/** Runs `x -> chain as y` on one input given as [C, ...S] nested values; params by label. */
function fwd(shape: number[], values: unknown, chain: string, params: Record<string, LayerParams> = {}): number[] {
  const m = model(`model m {\n input x: [${shape.join(", ")}]\n output x -> ${chain}\n}`);
  const p = new Map(Object.entries(params).map(([label, v]) => [nodeId(m, label), v]));
  const r = run(m, { precision: "f64", inputs: { x: f64([1, ...shape], values) }, params: p });
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  return Array.from(r.outputs.output!.data, (v) => Math.round(v * 1e10) / 1e10);
}

const ones = (n: number) => new Array<number>(n).fill(1);
const w1d = (k: number[]) => ({ weight: f64([1, 1, k.length], k) });

describe("convolution padding forms", () => {
  it("same (TensorFlow): N=7 K=4 S=2 → out ceil(7/2)=4, total pad 3·2+4−7=3, 1 before and 2 after", () => {
    // Padded [0,1,2,3,4,5,6,7,0,0], windows at 0,2,4,6 summed.
    expect(fwd([1, 7], [[1, 2, 3, 4, 5, 6, 7]], "conv1d(1, 4, stride=2, padding=same, bias=false) as c", { c: w1d(ones(4)) })).toEqual([6, 14, 22, 13]);
  });
  it("full: K−1 each side", () => {
    expect(fwd([1, 3], [[1, 2, 3]], "conv1d(1, 3, padding=full, bias=false) as c", { c: w1d(ones(3)) })).toEqual([1, 3, 6, 5, 3]);
  });
  it("[before, after] pairs and dilation: K=2 D=3 reads x[i] + x[i+3]", () => {
    // Padded [1,2,3,4,5,0]: windows of span 4 start at 0, 1, 2.
    expect(fwd([1, 5], [[1, 2, 3, 4, 5]], "conv1d(1, 2, dilation=3, padding=[[0, 1]], bias=false) as c", { c: w1d([1, 1]) })).toEqual([5, 7, 3]);
  });
  it("padding modes of a conv: reflect, replicate, circular", () => {
    const x = [[1, 2, 3, 4]];
    const c = { c: w1d([1]) };
    // A 1-tap kernel returns the padded input itself.
    expect(fwd([1, 4], x, "conv1d(1, 1, padding=2, padding_mode=reflect, bias=false) as c", c)).toEqual([3, 2, 1, 2, 3, 4, 3, 2]);
    expect(fwd([1, 4], x, "conv1d(1, 1, padding=2, padding_mode=replicate, bias=false) as c", c)).toEqual([1, 1, 1, 2, 3, 4, 4, 4]);
    expect(fwd([1, 4], x, "conv1d(1, 1, padding=2, padding_mode=circular, bias=false) as c", c)).toEqual([3, 4, 1, 2, 3, 4, 1, 2]);
  });
  it("groups: each output channel reads only its group", () => {
    const p = { c: { weight: f64([2, 1, 1], [2, 3]), bias: f64([2], [0.5, -1]) } };
    expect(fwd([2, 2], [[1, 2], [10, 20]], "conv1d(2, 1, groups=2) as c", p)).toEqual([2.5, 4.5, 29, 59]);
  });
  it("transposed conv: stride 2 scatters [1, 2] with taps [1, 1, 1]; padding crops, output_padding extends", () => {
    const p = { d: { weight: f64([1, 1, 3], [1, 1, 1]) } };
    // Full buffer (2−1)·2 + 3 = 5: [1, 1, 1+2, 2, 2].
    expect(fwd([1, 2], [[1, 2]], "deconv1d(1, 3, stride=2, bias=false) as d", p)).toEqual([1, 1, 3, 2, 2]);
    expect(fwd([1, 2], [[1, 2]], "deconv1d(1, 3, stride=2, padding=1, bias=false) as d", p)).toEqual([1, 3, 2]);
    expect(fwd([1, 2], [[1, 2]], "deconv1d(1, 3, stride=2, padding=1, output_padding=1, bias=false) as d", p)).toEqual([1, 3, 2, 2]);
  });
});

describe("pooling", () => {
  it("stride defaults to the kernel; ceil mode keeps a last partial window", () => {
    expect(fwd([1, 5], [[1, 5, 2, 4, 3]], "maxpool(2)")).toEqual([5, 4]);
    expect(fwd([1, 5], [[1, 5, 2, 4, 3]], "maxpool(2, ceil=true)")).toEqual([5, 4, 3]);
  });
  it("ceil mode with padding: a window may not start in the right padding (PyTorch)", () => {
    // N=6 K=3 S=2 P=1: padded 8, starts 0,2,4 fit; start 6 is partial but begins inside → kept.
    expect(fwd([1, 6], [[1, 2, 3, 4, 5, 6]], "maxpool(3, stride=2, padding=1, ceil=true)")).toEqual([2, 4, 6, 6]);
    // N=5 K=2 S=2 P=1: start 6 would begin in the right padding (6 ≥ 5 + 1) → dropped.
    expect(fwd([1, 5], [[1, 2, 3, 4, 5]], "maxpool(2, stride=2, padding=1, ceil=true)")).toEqual([1, 3, 5]);
  });
  it("average pooling counts padding by default, or only the input with count_pad=false", () => {
    expect(fwd([1, 4], [[1, 2, 3, 4]], "avgpool(3, stride=1, padding=1)")).toEqual([1, 2, 3, 2.3333333333]);
    expect(fwd([1, 4], [[1, 2, 3, 4]], "avgpool(3, stride=1, padding=1, count_pad=false)")).toEqual([1.5, 2, 3, 3.5]);
    // A ceil-mode window hanging past the end divides by what it covers (PyTorch): 3/1.
    expect(fwd([1, 5], [[1, 1, 1, 1, 3]], "avgpool(2, ceil=true)")).toEqual([1, 1, 3]);
  });
  it("Lp pooling: (Σ x^p)^(1/p)", () => {
    expect(fwd([1, 4], [[3, 4, 1, 0]], "lppool(2)")).toEqual([5, 1]);
  });
  it("adaptive bins [floor(i·N/out), ceil((i+1)·N/out)) and global pooling", () => {
    expect(fwd([1, 5], [[1, 2, 3, 4, 5]], "adaptive_avgpool(3)")).toEqual([1.5, 3, 4.5]);
    expect(fwd([1, 5], [[1, 2, 3, 4, 5]], "adaptive_maxpool(2)")).toEqual([3, 5]);
    expect(fwd([2, 2, 2], [[[1, 2], [3, 4]], [[5, 6], [7, 9]]], "global_avgpool")).toEqual([2.5, 6.75]);
    expect(fwd([2, 2, 2], [[[1, 2], [3, 4]], [[5, 6], [7, 9]]], "global_maxpool")).toEqual([4, 9]);
  });
});

describe("element-wise, normalisation and layout", () => {
  it("activations with PyTorch's definitions", () => {
    const x = [[-1, 1, 7]];
    expect(fwd([1, 3], x, "gelu")).toEqual([-0.1586552539, 0.8413447461, 7]);
    expect(fwd([1, 3], x, "hardsigmoid")).toEqual([0.3333333333, 0.6666666667, 1]);
    expect(fwd([1, 3], x, "hardswish")).toEqual([-0.3333333333, 0.6666666667, 7]);
    expect(fwd([1, 3], x, "relu6")).toEqual([0, 1, 6]);
    expect(fwd([1, 3], x, "elu")).toEqual([-0.6321205588, 1, 7]);
    expect(fwd([1, 3], x, "leaky_relu")).toEqual([-0.01, 1, 7]);
    expect(fwd([1, 3], x, "silu")).toEqual([-0.2689414214, 0.7310585786, 6.9936226416]);
  });
  it("erf to double precision (tabulated values)", () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(2)).toBeCloseTo(0.9953222650189527, 15);
    expect(erf(-3.5)).toBeCloseTo(-0.9999992569016276, 14);
  });
  it("softmax along channels and along the last axis", () => {
    expect(fwd([2, 1], [[1], [2]], "softmax")).toEqual([0.2689414214, 0.7310585786]);
    expect(fwd([1, 2], [[1, 2]], "softmax(axis=-1)")).toEqual([0.2689414214, 0.7310585786]);
  });
  it("dense: y = Wx + b with W [out, in]", () => {
    const p = { d: { weight: f64([2, 2], [[1, 2], [3, 4]]), bias: f64([2], [0.5, -1]) } };
    expect(fwd([2], [1, 2], "dense(2) as d", p)).toEqual([5.5, 10]);
  });
  it("batchnorm (running statistics) and layernorm (all non-batch axes, biased variance)", () => {
    const p = { b: { weight: f64([1], [2]), bias: f64([1], [1]), running_mean: f64([1], [1]), running_var: f64([1], [4]) } };
    // (3 − 1)/√(4 + 1e-5)·2 + 1
    expect(fwd([1, 1], [[3]], "batchnorm(eps=0) as b", p)).toEqual([3]);
    const ln = { l: { weight: f64([1, 3], [[1, 1, 1]]), bias: f64([1, 3], [[0, 0, 0]]) } };
    // Mean 2, variance (1 + 0 + 1)/3: x̂ = ±1/√(2/3) = ±1.2247…
    expect(fwd([1, 3], [[1, 2, 3]], "layernorm(axes=all, eps=0) as l", ln)).toEqual([-1.2247448714, 0, 1.2247448714]);
  });
  it("lrn (PyTorch): s_c = k + α/n·Σ x² over channels c−⌊n/2⌋…c+⌊(n−1)/2⌋, y = x/s^β", () => {
    // n=2: s = 1 + (x_{c−1}² + x_c²)/2 → 1/1.5, 2/3.5, 3/7.5.
    expect(fwd([3, 1], [[1], [2], [3]], "lrn(size=2, alpha=1, beta=1, k=1)")).toEqual([0.6666666667, 0.5714285714, 0.4]);
  });
  it("pad with a constant, upsample nearest and linear (align_corners=false)", () => {
    expect(fwd([1, 2], [[1, 2]], "pad([[1, 2]], mode=constant, value=9)")).toEqual([9, 1, 2, 9, 9]);
    expect(fwd([1, 2], [[1, 3]], "upsample(2)")).toEqual([1, 1, 3, 3]);
    expect(fwd([1, 2], [[1, 3]], "upsample(2, mode=linear)")).toEqual([1, 1.5, 2.5, 3]);
  });
  it("maxout, concat along a spatial axis, broadcasting mul", () => {
    expect(fwd([4, 1], [[1], [5], [3], [2]], "channel_maxpool(2)")).toEqual([5, 3]);
    const m = model(`model m {
      input x: [1, 2, 2]
      g = x -> global_avgpool
      a = concat(x, x, axis=1)
      output a -> mul(g)
    }`);
    const r = run(m, { precision: "f64", inputs: { x: f64([1, 1, 2, 2], [[1, 2], [3, 4]]) } });
    // Mean 2.5 scales the 4×2 stack [[1,2],[3,4],[1,2],[3,4]].
    expect(Array.from(r.outputs.output!.data)).toEqual([2.5, 5, 7.5, 10, 2.5, 5, 7.5, 10]);
  });
});
