import { describe, expect, it } from "vitest";
import { crossCheck } from "./crosscheck.js";
import { model } from "./ort.js";

/** One small model per case; each runs in the convspec runtime and, exported, in onnxruntime. */
const cases: Record<string, string> = {
  "conv2d same s2 (odd unit after), dilation, groups": `input x: [4, 9, 10]
    output x -> conv2d(6, 3, stride=2, padding=same, groups=2) -> conv2d(6, [3, 2], dilation=[2, 1], padding=full)`,
  "conv per-side padding, 1-D and 3-D": `input x: [3, 11, 7]
    output x -> conv2d(5, [2, 3], padding=[[0, 1], [2, 0]]) -> relu -> flatten -> reshape([5, -1]) -> conv1d(4, 3, stride=2, padding=[[1, 2]])`,
  "conv3d": `input x: [2, 5, 6, 7]
    output x -> conv3d(3, [2, 3, 3], stride=[1, 2, 1], padding=1)`,
  "conv padding modes reflect, replicate, circular": `input x: [2, 7, 8]
    a = x -> conv2d(3, 3, padding=2, padding_mode=reflect) -> flatten
    b = x -> conv2d(3, 3, padding=[[1, 2], [2, 1]], padding_mode=replicate) -> flatten
    c = x -> conv2d(3, 3, padding=2, padding_mode=circular) -> flatten
    output concat(a, b, c)`,
  "deconv with output_padding, groups, dilation": `input x: [4, 5, 6]
    output x -> deconv2d(6, 3, stride=2, padding=1, output_padding=1, groups=2) -> deconv(2, 2, stride=3, dilation=2)`,
  "max/avg/lp pooling, ceil mode, count_pad=false, dilation": `input x: [3, 11, 12]
    a = x -> maxpool(3, stride=2, padding=1, ceil=true) -> flatten
    b = x -> avgpool(3, stride=2, padding=1, ceil=true) -> flatten
    c = x -> avgpool(3, stride=2, padding=1, count_pad=false) -> flatten
    d = x -> maxpool(2, stride=2, dilation=2, ceil=true) -> flatten
    e = x -> relu -> lppool(3, stride=2, ceil=true) -> flatten
    f = x -> avgpool(3, stride=2, padding=1, ceil=true, count_pad=false) -> flatten
    output concat(a, b, c, d, e, f)`,
  "lppool p=2 native and avgpool dilated": `input x: [2, 9, 9]
    a = x -> lppool(2) -> flatten
    b = x -> avgpool(2, stride=1, dilation=2) -> maxpool(2, stride=2) -> flatten
    output concat(a, b)`,
  "global and adaptive pooling, exact and sliced": `input x: [3, 10, 7]
    a = x -> adaptive_avgpool([5, 7]) -> adaptive_maxpool([3, 4]) -> flatten
    b = x -> adaptive_avgpool(1) -> flatten
    c = x -> global_maxpool -> flatten
    d = x -> adaptive_maxpool([3, 3]) -> flatten
    output concat(a, b, c, d)`,
  "dense, batchnorm, layernorm, dropout": `input x: [3, 6, 6]
    output x -> batchnorm -> layernorm(axes=all) -> flatten -> dense(20) -> batchnorm -> dropout(0.3) -> dense(7, bias=false)`,
  "layernorm over channels and other axes, groupnorm, instancenorm": `input x: [6, 4, 5]
    a = x -> layernorm -> flatten
    b = x -> layernorm(axes=[1, 2], affine=false, eps=1e-3) -> flatten
    c = x -> layernorm(axes=[0, -1]) -> flatten
    d = x -> groupnorm(3) -> flatten
    e = x -> groupnorm(2, affine=false) -> flatten
    f = x -> instancenorm -> flatten
    g = x -> instancenorm(affine=true, eps=1e-3) -> flatten
    output concat(a, b, c, d, e, f, g)`,
  "attention on a map, on tokens and on a vector; groupnorm and layernorm on a vector": `input x: [8, 3, 4]
    a = x -> attention(2) -> flatten
    b = x -> reshape([8, 12]) -> attention(4, qkv_bias=false) -> layernorm -> flatten
    c = x -> flatten -> groupnorm(4) -> attention(2) -> layernorm
    d = x -> attention(4, bias=false)
    e = add(x, d) -> flatten
    output concat(a, b, c, e)`,
  "a number as an operand of mul and add (ESRGAN's x·0.2 + y)": `input x: [4, 5, 6]
    y = x -> conv2d(4, 3, padding=1)
    s = mul(y, 0.2)
    a = add(s, x)
    b = x -> mul(-1.5) -> add(0.25)
    output add(a, b, 1)`,
  "prelu per channel and shared, on a map, a sequence and a vector": `input x: [4, 5, 6]
    a = x -> prelu(4) -> prelu -> flatten
    b = x -> reshape([4, 30]) -> prelu(4) -> flatten
    c = x -> flatten -> prelu(120)
    output concat(a, b, c)`,
  "mish, softplus, swish (beyond 1.1)": `input x: [3, 4, 5]
    output x -> conv2d(4, 1) -> mish -> conv2d(4, 1) -> softplus -> swish`,
  "channel_shuffle 2-D and 1-D": `input x: [6, 3, 4]
    a = x -> channel_shuffle(2) -> flatten
    b = x -> reshape([6, 12]) -> channel_shuffle(3) -> flatten
    output concat(a, b)`,
  "slice, select and permute": `input x: [4, 5, 6]
    a = x -> slice(1, -1) -> slice(-5, 10, step=2, axis=2) -> flatten
    b = x -> select(-1, axis=1) -> flatten
    c = x -> permute([2, 0, 1]) -> flatten
    d = x -> select(2) -> flatten
    output concat(a, b, c, d)`,
  "pixel_shuffle and pixel_unshuffle in 1-D, 2-D and 3-D": `input x: [8, 4, 6]
    a = x -> pixel_shuffle(2) -> flatten
    b = x -> pixel_unshuffle(2) -> flatten
    c = x -> reshape([8, 24]) -> pixel_unshuffle(3) -> pixel_shuffle(2) -> flatten
    d = x -> reshape([8, 2, 2, 6]) -> pixel_shuffle(2) -> flatten
    output concat(a, b, c, d)`,
  "crop and center_crop (offsets rounded half to even)": `input x: [2, 9, 8]
    a = x -> crop([[1, 2], 1]) -> flatten
    b = x -> center_crop([4, 5]) -> flatten
    c = x -> crop(2) -> center_crop(3) -> flatten
    output concat(a, b, c)`,
  "resize by size and scale, nearest, bilinear, bicubic; fractional upsample": `input x: [2, 5, 6]
    a = x -> resize(size=[7, 4]) -> flatten
    b = x -> resize(scale=2.5, mode=bilinear) -> flatten
    c = x -> resize(scale=[0.6, 1.5], mode=bicubic) -> flatten
    d = x -> resize(size=[1, 3], mode=bilinear) -> flatten
    e = x -> upsample(1.5, mode=bilinear) -> flatten
    f = x -> upsample(1.1) -> flatten
    g = x -> resize(scale=2.2) -> flatten
    h = x -> resize(size=[5, 9], mode=bicubic) -> flatten
    output concat(a, b, c, d, e, f, g, h)`,
  "center_crop(like=) and resize(like=): a U-Net skip and an image-pooling branch": `input x: [3, 12, 12]
    s = x -> conv2d(4, 3)
    d = s -> maxpool(2) -> conv2d(4, 3) -> deconv2d(4, 2, stride=2)
    c = s -> center_crop(like=d)
    p = d -> global_avgpool -> conv2d(4, 1) -> resize(like=d, mode=bicubic)
    output concat(c, d, p)`,
  "split in equal parts and given sizes": `input x: [6, 4, 5]
    a, b, c = x -> split(3)
    d, e = x -> split([1, 4], axis=-1)
    f = concat(e, d, axis=2)
    g = concat(c, a, b)
    output concat(f, g)`,
  "the new layers composed: like=, split, slice, permute, resize, crop, select": `input x: [3, 16, 16]
    s = x -> conv2d(8, 3) -> relu
    d = s -> maxpool(2) -> conv2d(16, 3) -> pixel_shuffle(2)
    c = s -> center_crop(like=d)
    a, b = c -> split(2)
    p = d -> global_avgpool -> conv2d(4, 1) -> resize(like=d, mode=bilinear)
    t = b -> slice(0, 2) -> permute([0, 2, 1])
    output concat(a, t, d, p) -> resize(scale=1.5, mode=bicubic) -> crop(1) -> select(0)`,
  "lrn odd and even sizes": `input x: [7, 5, 4]
    output x -> lrn(size=3) -> lrn(size=4, alpha=0.01, beta=0.5, k=1)`,
  "activations": `input x: [2, 4, 6]
    a = x -> relu
    b = x -> leaky_relu(0.2)
    c = x -> elu(0.7)
    d = x -> gelu
    e = x -> sigmoid
    f = x -> hardsigmoid
    g = x -> tanh
    h = x -> relu6
    i = x -> hardswish
    j = x -> silu
    k = x -> softmax
    l = x -> softmax(axis=-1)
    m = x -> identity
    output concat(a, b, c, d, e, f, g, h, i, j, k, l, m)`,
  "pad modes, upsample nearest and linear": `input x: [2, 5, 6]
    a = x -> pad(2) -> pad([[1, 0], [0, 2]], mode=reflect) -> pad(1, mode=replicate) -> pad(1, mode=circular) -> pad(1, mode=constant, value=0.5) -> flatten
    b = x -> upsample(2) -> flatten
    c = x -> upsample([2, 3], mode=bilinear) -> flatten
    output concat(a, b, c)`,
  "maxout, broadcast add and mul (squeeze-and-excitation gate)": `input x: [8, 5, 5]
    g = x -> global_avgpool -> conv2d(8, 1) -> sigmoid
    y = x -> channel_maxpool(2) -> conv2d(8, 1)
    z = mul(y, g)
    output add(z, x)`,
  "same padding on pools and stride-1 transposed conv, full on a transposed conv": `input x: [3, 9, 8]
    a = x -> maxpool(3, stride=2, padding=same) -> flatten
    b = x -> avgpool(2, stride=2, padding=same, count_pad=false) -> flatten
    c = x -> deconv2d(2, [3, 4], padding=same) -> flatten
    d = x -> deconv2d(2, 3, stride=2, padding=[[1, 0], [0, 2]]) -> flatten
    output concat(a, b, c, d)`,
  "upsample in 1-D and 3-D, nearest and linear": `input x: [2, 4, 3, 5]
    a = x -> upsample([1, 2, 3]) -> flatten
    b = x -> upsample(2, mode=trilinear) -> flatten
    c = x -> flatten -> reshape([2, 60]) -> upsample(3, mode=linear) -> flatten
    d = x -> flatten -> reshape([2, 60]) -> upsample(2) -> flatten
    output concat(a, b, c, d)`,
  "layer families on 1-D maps: lrn, maxout, adaptive pooling, circular pad": `input x: [6, 11]
    output x -> lrn(size=3) -> channel_maxpool(3) -> pad([[2, 1]], mode=circular) -> adaptive_maxpool(4) -> adaptive_avgpool(3)`,
  "two inputs, broadcasting across ranks": `input a: [3, 4, 5]
    input b: [5]
    input c: [4, 1]
    s = add(a, b)
    output mul(s, c)`,
};

describe("ONNX export cross-checked with onnxruntime, layer family by family", () => {
  for (const [name, body] of Object.entries(cases)) {
    it(name, async () => {
      const m = model(`model t {\n${body}\n}`);
      expect(await crossCheck(m, 3, 2)).toBeLessThan(1e-4);
    });
  }
});
