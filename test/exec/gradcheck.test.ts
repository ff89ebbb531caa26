/**
 * Finite-difference gradient checks in float64 for every layer family: the backward kernels'
 * gradients of L = Σ dy·y with respect to inputs and parameters against central differences
 * (L(v + h) − L(v − h)) / 2h of the forward kernels.
 */
import { describe, expect, it } from "vitest";
import { run, type RunResult } from "../../src/exec/runtime.js";
import { backward } from "../../src/exec/backward.js";
import { Rng } from "../../src/exec/init.js";
import type { LayerParams, Tensor } from "../../src/exec/tensor.js";
import { model } from "./helpers.js";

const cases: [string, string, string][] = [
  // [name, input shape, chain]
  ["conv2d stride 2 padding 1", "[2, 6, 6]", "conv2d(3, 3, stride=2, padding=1)"],
  ["conv2d per-axis pairs, dilation", "[2, 7, 6]", "conv2d(2, [3, 2], stride=[1, 2], padding=[[0, 1], [2, 1]], dilation=[2, 1])"],
  ["conv2d same stride 2", "[2, 7, 7]", "conv2d(2, 4, stride=2, padding=same)"],
  ["conv2d groups 2 no bias", "[4, 5, 5]", "conv2d(6, 3, groups=2, bias=false)"],
  ["conv2d reflect", "[2, 5, 5]", "conv2d(2, 3, padding=2, padding_mode=reflect)"],
  ["conv2d replicate", "[2, 5, 4]", "conv2d(2, 3, padding=[1, 2], padding_mode=replicate)"],
  ["conv2d circular", "[1, 4, 5]", "conv2d(2, 3, padding=1, padding_mode=circular)"],
  ["conv1d full", "[2, 9]", "conv1d(3, 3, stride=2, padding=full)"],
  ["conv3d", "[2, 4, 4, 5]", "conv3d(2, 2, stride=[1, 2, 1], padding=[0, 1, 1])"],
  ["deconv2d output_padding", "[2, 3, 3]", "deconv2d(3, 3, stride=2, padding=1, output_padding=1)"],
  ["deconv2d groups dilation", "[4, 3, 4]", "deconv2d(2, 2, stride=[2, 1], dilation=2, groups=2)"],
  ["deconv1d", "[2, 5]", "deconv1d(2, 4, stride=3, padding=[[1, 2]])"],
  ["maxpool", "[2, 6, 6]", "maxpool(2)"],
  ["maxpool ceil padded", "[2, 6, 7]", "maxpool(3, stride=2, padding=1, ceil=true)"],
  ["maxpool dilation", "[1, 7, 7]", "maxpool(2, stride=1, dilation=2)"],
  ["avgpool count_pad ceil", "[2, 6, 7]", "avgpool(3, stride=2, padding=1, ceil=true)"],
  ["avgpool without count_pad", "[2, 6, 6]", "avgpool(3, stride=2, padding=1, count_pad=false)"],
  ["lppool p=2", "[2, 6, 6]", "lppool(2)"],
  // A negative window sum has no real cube root (NaN, as in PyTorch): feed positives.
  ["lppool p=3", "[2, 6, 7]", "sigmoid -> lppool(3, stride=2, p=3)"],
  ["global avg and max", "[3, 4, 5]", "global_avgpool -> global_maxpool"],
  ["adaptive avg and max", "[2, 7, 5]", "adaptive_avgpool([3, 2]) -> adaptive_maxpool(1)"],
  ["dense", "[2, 3, 3]", "flatten -> dense(4)"],
  ["dense no bias", "[5]", "dense(3, bias=false)"],
  ["batchnorm", "[3, 4, 4]", "batchnorm"],
  ["batchnorm affine=false", "[3, 4]", "batchnorm(affine=false)"],
  ["layernorm axes=all (ConvSpec 1.0)", "[3, 2, 3]", "layernorm(axes=all)"],
  ["layernorm over channels (the default)", "[3, 2, 3]", "layernorm"],
  ["layernorm over axes [0, -1], no affine", "[3, 2, 3]", "layernorm(axes=[0, -1], affine=false) -> conv2d(2, 1)"],
  ["groupnorm", "[4, 2, 3]", "groupnorm(2)"],
  ["groupnorm affine=false on [C]", "[6]", "groupnorm(3, affine=false) -> dense(2)"],
  ["instancenorm affine", "[3, 2, 3]", "instancenorm(affine=true)"],
  ["instancenorm", "[2, 5]", "instancenorm -> conv1d(2, 2)"],
  ["attention on tokens", "[4, 3]", "attention(2)"],
  ["attention on a map, no qkv bias", "[4, 2, 2]", "attention(1, qkv_bias=false)"],
  ["attention without any bias (bias=false)", "[4, 3]", "attention(2, bias=false)"],
  ["prelu per channel and shared", "[3, 2, 3]", "prelu(3) -> conv2d(2, 1) -> prelu"],
  ["prelu on a vector", "[4]", "prelu(4)"],
  ["a number as an operand of mul and add", "[2, 3, 3]", "mul(-0.7) -> conv2d(2, 1) -> add(0.3) -> sigmoid"],
  ["lrn", "[6, 2, 2]", "lrn(size=3, alpha=0.5, beta=0.75, k=1)"],
  ["activations I", "[2, 3, 3]", "relu -> conv2d(2, 1) -> sigmoid -> conv2d(2, 1) -> tanh -> conv2d(2, 1) -> gelu"],
  ["activations II", "[2, 3, 3]", "silu -> conv2d(2, 1) -> elu(alpha=0.7) -> conv2d(2, 1) -> leaky_relu(slope=0.2)"],
  ["activations IV (beyond 1.1)", "[2, 3, 3]", "softplus -> conv2d(2, 1) -> mish -> conv2d(2, 1) -> swish"],
  ["activations III", "[2, 3, 3]", "relu6 -> conv2d(2, 1) -> hardsigmoid -> conv2d(2, 1) -> hardswish"],
  ["softmax channels and last axis", "[4, 3]", "softmax -> conv1d(4, 1) -> softmax(axis=-1)"],
  ["dropout identity reshape", "[2, 3, 4]", "dropout(0.5) -> identity -> reshape([4, -1]) -> conv1d(2, 3)"],
  ["pad constant", "[2, 3, 3]", "pad([[1, 0], [2, 1]], mode=constant, value=0.5) -> conv2d(1, 2)"],
  ["pad reflect and circular", "[1, 4, 4]", "pad(2, mode=reflect) -> pad(1, mode=circular) -> pad(1, mode=replicate) -> conv2d(1, 3)"],
  ["upsample nearest", "[2, 3, 2]", "upsample(2) -> conv2d(1, 2)"],
  ["upsample bilinear", "[2, 3, 4]", "upsample([2, 3], mode=bilinear) -> conv2d(1, 2)"],
  ["upsample linear and trilinear", "[1, 2, 2, 3]", "upsample(2, mode=trilinear) -> conv3d(1, 2)"],
  ["channel_maxpool", "[6, 3, 3]", "channel_maxpool(3) -> conv2d(1, 2)"],
  ["channel_shuffle", "[6, 2, 3]", "channel_shuffle(3) -> conv2d(2, 2)"],
  ["slice channels and a spatial axis, negative bounds, step", "[4, 5, 6]", "slice(1, -1) -> slice(-5, 10, step=2, axis=2) -> conv2d(2, 2)"],
  ["select a spatial position and a channel", "[3, 4, 5]", "select(-1, axis=1) -> conv1d(2, 2) -> select(0)"],
  ["permute channels into space", "[2, 3, 4]", "permute([2, 0, 1]) -> conv2d(2, 2)"],
  ["pixel_unshuffle then pixel_shuffle", "[2, 4, 6]", "pixel_unshuffle(2) -> conv2d(4, 1) -> pixel_shuffle(2)"],
  ["pixel_shuffle 1-D and 3-D", "[8, 1, 2, 2]", "pixel_shuffle(2) -> conv3d(1, 2) -> flatten -> reshape([3, 3]) -> pixel_unshuffle(3)"],
  ["crop and center_crop", "[2, 7, 8]", "crop([[1, 2], 1]) -> center_crop([3, 5]) -> conv2d(2, 2)"],
  ["resize to a size, bilinear", "[2, 3, 4]", "resize(size=[5, 3], mode=bilinear) -> conv2d(2, 2)"],
  ["resize by 2.5, bicubic", "[2, 3, 4]", "resize(scale=2.5, mode=bicubic)"],
  ["resize nearest by [0.6, 1.5]", "[2, 5, 4]", "resize(scale=[0.6, 1.5]) -> conv2d(2, 2)"],
  ["upsample by 1.5, bilinear and linear", "[2, 3, 4]", "upsample(1.5, mode=bilinear) -> flatten -> reshape([2, 24]) -> upsample(0.75, mode=linear)"],
];

const graphs: [string, string][] = [
  ["concat channels and add", `model m { input x: [3, 5, 5]
    a = x -> conv2d(2, 3, padding=1)
    b = x -> maxpool(3, stride=1, padding=1)
    output concat(a, b) -> conv2d(3, 1) -> add(x) }`],
  ["concat spatial axis", `model m { input x: [2, 4, 3]
    a = x -> conv2d(2, [2, 1])
    output concat(a, x, axis=1) }`],
  ["center_crop and resize like another tensor (its shape only: zero gradient)", `model m { input x: [2, 7, 7]
    d = x -> conv2d(2, 3, stride=2)
    c = x -> center_crop(like=d)
    p = x -> global_avgpool -> conv2d(2, 1) -> resize(like=d, mode=bilinear)
    output concat(c, d, p) }`],
  ["split into equal parts and given sizes", `model m { input x: [4, 3, 5]
    a, b = x -> split(2)
    c, d = b -> conv2d(2, 1) -> split([2, 3], axis=-1)
    e = concat(d, c, axis=2)
    output concat(a, e) }`],
  ["mul broadcast gate", `model m { input x: [3, 4, 4]
    g = x -> global_avgpool -> conv2d(3, 1) -> sigmoid
    output mul(x, g) }`],
  ["param and buffer broadcast over the batch and the axes of size 1", `model m { input x: [3, 4, 4]
    param gamma: [3, 1, 1]
    buffer shift: [4]
    y = mul(x, gamma)
    output add(y, shift) }`],
  ["add broadcast over rank", `model m { input x: [2, 3, 3]
    y = x -> conv2d(2, 1)
    s = x -> global_maxpool -> flatten -> dense(3)
    output add(y, s) }`],
];

function randomLike(t: Tensor, rng: Rng): Tensor {
  return { shape: t.shape, data: Float64Array.from(t.data, () => rng.uniform(-1, 1)) };
}

function loss(r: RunResult, dy: Tensor): number {
  const y = r.outputs.output!;
  let s = 0;
  for (let i = 0; i < y.data.length; i++) s += y.data[i]! * dy.data[i]!;
  return s;
}

/** Indices to probe: all of a small tensor, an even sample of a large one. */
function sample(n: number, max = 12): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * (n - 1)) / (max - 1)));
}

function check(text: string): void {
  const m = model(text);
  const base = run(m, { precision: "f64", keep: true, seed: 3, batch: 2 });
  expect(base.diagnostics).toEqual([]);
  const rng = new Rng(11);
  const dy = randomLike(base.outputs.output!, rng);
  const g = backward(base, new Map([[m.outputs[0]!.node, dy]]));
  const input = base.tensors[m.inputs[0]!]!;
  const h = 1e-6;
  const L = (inputs: Record<string, Tensor>, params: Map<number, LayerParams>) =>
    loss(run(m, { precision: "f64", batch: 2, inputs, params }), dy);
  const params = new Map(base.params);
  const x = { shape: input.shape, data: Float64Array.from(input.data) };
  const name = m.nodes[m.inputs[0]!]!.label;
  const compare = (numeric: number, analytic: number, what: string) => {
    expect(Math.abs(numeric - analytic), `${what}: numeric ${numeric} analytic ${analytic}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(analytic)));
  };
  for (const i of sample(x.data.length)) {
    const v = x.data[i]!;
    x.data[i] = v + h;
    const up = L({ [name]: x }, params);
    x.data[i] = v - h;
    const down = L({ [name]: x }, params);
    x.data[i] = v;
    compare((up - down) / (2 * h), g.inputs[name]!.data[i]!, `d/dx[${i}]`);
  }
  for (const [id, p] of base.params) {
    for (const [pname, t] of Object.entries(p)) {
      const gp = g.params.get(id)?.[pname];
      if (pname.startsWith("running_")) continue; // buffers: no gradient
      expect(gp, `gradient of ${m.nodes[id]!.label}.${pname}`).toBeDefined();
      const copy = { shape: t.shape, data: Float64Array.from(t.data) };
      const with_ = new Map(params).set(id, { ...p, [pname]: copy });
      for (const i of sample(copy.data.length, 6)) {
        const v = copy.data[i]!;
        copy.data[i] = v + h;
        const up = L({ [name]: x }, with_);
        copy.data[i] = v - h;
        const down = L({ [name]: x }, with_);
        copy.data[i] = v;
        compare((up - down) / (2 * h), gp!.data[i]!, `d/d${m.nodes[id]!.label}.${pname}[${i}]`);
      }
    }
  }
}

describe("finite-difference gradient checks (float64)", () => {
  for (const [name, shape, chain] of cases) {
    it(`${name}: in=${shape} ${chain}`, () => check(`model m {\n input x: ${shape}\n output x -> ${chain}\n}`));
  }
  for (const [name, text] of graphs) it(name, () => check(text));
});
