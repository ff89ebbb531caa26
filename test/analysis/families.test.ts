/** Every layer family on hand-computed cases, named by their shapes. */
import { describe, expect, test } from "vitest";
import { chain, codes, run } from "./helpers.js";

describe("conv", () => {
  test("in=[3,227,227] k=11 s=4 (AlexNet conv1): [96,55,55], 34,848 weights + 96 biases", () => {
    const r = chain([3, 227, 227], "conv2d(96, kernel=11, stride=4) as conv1");
    const l = r.layer("conv1");
    expect(l.outputShape).toEqual([96, 55, 55]); // (227 − 11)/4 + 1 = 55
    expect(l.params).toBe(34_944n); // 11·11·3·96 = 34,848 weights + 96 biases
    expect(l.macs).toBe(105_415_200n); // 96·55·55 outputs × 11·11·3 = 290,400 × 363
  });
  test("in=[3,28,28] k=3 with 100 filters: 3·3·3 + 1 = 28 params each, 2,800 in all", () => {
    const l = chain([3, 28, 28], "conv2d(100, 3, padding=1)").layer("conv2d_1");
    expect(l.params).toBe(2_800n);
    expect(l.outputShape).toEqual([100, 28, 28]);
  });
  test("in=[3,5,5] k=3 p=1 s=2, two filters → [2,3,3]", () => {
    const l = chain([3, 5, 5], "conv2d(2, 3, stride=2, padding=1)").layer("conv2d_1");
    expect(l.outputShape).toEqual([2, 3, 3]); // (5 − 3 + 2)/2 + 1 = 3
    expect(l.params).toBe(56n); // 2·(3·3·3) + 2
    expect(l.macs).toBe(486n); // 18 outputs × 27
    expect(l.flops).toBe(990n); // 2·486 + 18 bias adds
  });
  test("in=[3,32,32] k=3 s=2 p=same → [8,16,16]", () => {
    const l = chain([3, 32, 32], "conv2d(8, 3, stride=2, padding=same)").layer("conv2d_1");
    expect(l.outputShape).toEqual([8, 16, 16]);
  });
  test("in=[4,10,10] k=3 p=valid / p=full / p=[[0,1],[2,2]]", () => {
    expect(chain([4, 10, 10], "conv2d(2, 3, padding=valid)").layer("conv2d_1").outputShape).toEqual([2, 8, 8]);
    expect(chain([4, 10, 10], "conv2d(2, 3, padding=full)").layer("conv2d_1").outputShape).toEqual([2, 12, 12]);
    // H: 10 + 0 + 1 − 3 + 1 = 9; W: 10 + 4 − 3 + 1 = 12
    expect(chain([4, 10, 10], "conv2d(2, 3, padding=[[0, 1], [2, 2]])").layer("conv2d_1").outputShape).toEqual([2, 9, 12]);
  });
  test("in=[4,10,12] k=[1,3] p=[0,1]: per-axis kernel and padding → [2,10,12]", () => {
    const l = chain([4, 10, 12], "conv2d(2, [1, 3], padding=[0, 1])").layer("conv2d_1");
    expect(l.outputShape).toEqual([2, 10, 12]);
    expect(l.params).toBe(2n * 4n * 3n + 2n);
  });
  test("in=[16,32,32] k=3 d=2: Keff 5, 32 − 5 + 1 = 28", () => {
    expect(chain([16, 32, 32], "conv2d(16, 3, dilation=2)").layer("conv2d_1").outputShape).toEqual([16, 28, 28]);
  });
  test("in=[32,8,8] k=3 p=1 groups=4, Cout 64: 64·(32/4)·9 = 4,608 weights; MACs 64·64·8·9", () => {
    const l = chain([32, 8, 8], "conv2d(64, 3, padding=1, groups=4, bias=false)").layer("conv2d_1");
    expect(l.params).toBe(4_608n);
    expect(l.macs).toBe(64n * 64n * 8n * 9n);
  });
  test("in=[32,112,112] depthwise k=3 p=1 groups=32 (MobileNet): 32·1·9 + 32 = 320 params, 32·112·112·9 MACs", () => {
    const l = chain([32, 112, 112], "conv2d(32, 3, padding=1, groups=32)").layer("conv2d_1");
    expect(l.params).toBe(320n);
    expect(l.macs).toBe(3_612_672n);
  });
  test("in=[1,100] conv1d k=5 s=2 → [4,48]; conv (no number) takes dims from the input", () => {
    expect(chain([1, 100], "conv1d(4, 5, stride=2)").layer("conv1d_1").outputShape).toEqual([4, 48]);
    expect(chain([1, 100], "conv(4, 5, stride=2)").layer("conv_1").outputShape).toEqual([4, 48]);
    expect(chain([3, 8, 8, 8], "conv(4, 3)").layer("conv_1").outputShape).toEqual([4, 6, 6, 6]);
  });
  test("in=[3,16,112,112] conv3d k=3 p=1: 64·3·27 + 64 = 5,248 params", () => {
    const l = chain([3, 16, 112, 112], "conv3d(64, 3, padding=1)").layer("conv3d_1");
    expect(l.outputShape).toEqual([64, 16, 112, 112]);
    expect(l.params).toBe(5_248n);
  });
  test("padding_mode=reflect keeps the zero-padding geometry", () => {
    expect(chain([3, 9, 9], "conv2d(3, 3, padding=1, padding_mode=reflect)").layer("conv2d_1").outputShape).toEqual([3, 9, 9]);
  });
});

describe("transposed conv", () => {
  test("in=[8,4,4] k=4 s=2 p=1 → [3,8,8]; MACs on input positions 8·16·3·16", () => {
    const l = chain([8, 4, 4], "deconv2d(3, 4, stride=2, padding=1)").layer("deconv2d_1");
    expect(l.outputShape).toEqual([3, 8, 8]); // (4 − 1)·2 − 2 + 4 = 8
    expect(l.params).toBe(8n * 3n * 16n + 3n);
    expect(l.macs).toBe(8n * 16n * 3n * 16n); // Cin·∏in·(Cout/groups)·∏K = 6,144
    expect(l.flops).toBe(2n * 6_144n + 3n * 64n);
  });
  test("in=[4,5] deconv1d k=3 s=2 p=1 output_padding=1 → [2,10]", () => {
    expect(chain([4, 5], "deconv1d(2, 3, stride=2, padding=1, output_padding=1)").layer("deconv1d_1").outputShape).toEqual([2, 10]);
  });
  test("in=[4,3,3] k=3 d=2 groups=2 → [6,7,7], weights 4·(6/2)·9", () => {
    const l = chain([4, 3, 3], "deconv2d(6, 3, dilation=2, groups=2, bias=false)").layer("deconv2d_1");
    expect(l.outputShape).toEqual([6, 7, 7]);
    expect(l.params).toBe(108n);
  });
  test("same with stride 1 keeps the size; with stride 2 it is an error", () => {
    expect(chain([2, 9, 9], "deconv2d(2, 3, padding=same)").layer("deconv2d_1").outputShape).toEqual([2, 9, 9]);
    expect(codes(chain([2, 9, 9], "deconv2d(2, 3, stride=2, padding=same)"), "error")).toEqual(["CS3007"]);
  });
});

describe("pooling", () => {
  test("in=[96,55,55] maxpool(3, stride=2) → [96,27,27], 8 compares per output", () => {
    const l = chain([96, 55, 55], "maxpool(3, stride=2)").layer("maxpool_1");
    expect(l.outputShape).toEqual([96, 27, 27]);
    expect(l.flops).toBe(96n * 27n * 27n * 8n);
    expect(l.macs).toBe(0n);
  });
  test("in=[6,28,28] avgpool(2): stride defaults to the kernel → [6,14,14]; 3 adds + 1 divide per output", () => {
    const l = chain([6, 28, 28], "avgpool(2)").layer("avgpool_1");
    expect(l.outputShape).toEqual([6, 14, 14]);
    expect(l.flops).toBe(6n * 14n * 14n * 4n);
  });
  test("in=[64,112,112] maxpool(3, stride=2, ceil=true) → 56 (floor: 55)", () => {
    expect(chain([64, 112, 112], "maxpool(3, stride=2, ceil=true)").layer("maxpool_1").outputShape).toEqual([64, 56, 56]);
    expect(chain([64, 112, 112], "maxpool(3, stride=2)").layer("maxpool_1").outputShape).toEqual([64, 55, 55]);
  });
  test("in=[2,2,3] maxpool(3, stride=2, ceil=true) → [2,1,1] as PyTorch (ceil((2 − 3)/2) + 1 = 1, window clipped); floor mode: CS3003", () => {
    // PyTorch: nn.MaxPool2d(3, 2, ceil_mode=True)(torch.ones(1, 2, 2, 3)).shape == (1, 2, 1, 1);
    // with ceil_mode=False the output size (2 − 3)/2 + 1 rounds down to 0, an error.
    expect(chain([2, 2, 3], "maxpool(3, stride=2, ceil=true)").layer("maxpool_1").outputShape).toEqual([2, 1, 1]);
    const floor = run("model t {\n  input x: [2, 2, 3]\n  output x -> maxpool(3, stride=2)\n}\n");
    expect(codes(floor, "error")).toEqual(["CS3003"]);
    // ceil((1 − 3)/2) + 1 = 0 outputs even in ceil mode: still an error.
    expect(codes(run("model t {\n  input x: [2, 1, 1]\n  output x -> maxpool(3, stride=2, ceil=true)\n}\n"), "error")).toEqual(["CS3003"]);
  });
  test("in=[2,16] lppool1d(4) → [2,4]; maxpool3d([1,2,2]) on [3,16,112,112] → [3,16,56,56]", () => {
    const l = chain([2, 16], "lppool1d(4)").layer("lppool1d_1");
    expect(l.outputShape).toEqual([2, 4]);
    expect(l.flops).toBe(8n * 8n); // 4 powers + 3 adds + 1 root per output
    expect(chain([3, 16, 112, 112], "maxpool3d([1, 2, 2])").layer("maxpool3d_1").outputShape).toEqual([3, 16, 56, 56]);
  });
  test("in=[512,7,7] global_avgpool → [512,1,1]; adaptive_avgpool(2) → [512,2,2]", () => {
    const g = chain([512, 7, 7], "global_avgpool").layer("global_avgpool_1");
    expect(g.outputShape).toEqual([512, 1, 1]);
    expect(g.flops).toBe(512n * 49n); // 48 adds + 1 divide
    const a = chain([512, 7, 7], "adaptive_avgpool(2)").layer("adaptive_avgpool_1");
    expect(a.outputShape).toEqual([512, 2, 2]);
    // PyTorch windows over 7 → 2: [0, 4) and [3, 7): 4 + 4 per axis, 8·8 = 64 reads per channel
    expect(a.flops).toBe(512n * 64n);
  });
});

describe("dense, norms, activations, layout", () => {
  test("FC 640·480 → 100 → 100 → 1, weights only: 30,730,100", () => {
    const r = chain([307_200], "dense(100, bias=false) -> dense(100, bias=false) -> dense(1, bias=false)");
    expect(r.model.totals.params).toBe(30_730_100n);
  });
  test("FC 2048·1536 → 100 → 100 → 1, weights only: 314,582,900", () => {
    const r = chain([3_145_728], "dense(100, bias=false) -> dense(100, bias=false) -> dense(1, bias=false)");
    expect(r.model.totals.params).toBe(314_582_900n);
  });
  test("dense(10) on [84]: 850 params, 840 MACs, FLOPs 2·840 + 10", () => {
    const l = chain([84], "dense(10)").layer("dense_1");
    expect([l.params, l.macs, l.flops]).toEqual([850n, 840n, 1_690n]);
  });
  test("batchnorm on [64,56,56]: γ, β trainable (128), running mean/var buffers (128)", () => {
    const l = chain([64, 56, 56], "batchnorm").layer("batchnorm_1");
    expect([l.params, l.trainableParams, l.nonTrainableParams]).toEqual([128n, 128n, 128n]);
    expect(l.flops).toBe(2n * 64n * 56n * 56n);
  });
  test("layernorm on [10,4]: 2·40 params; lrn keeps the shape with no params", () => {
    expect(chain([10, 4], "layernorm(axes=all)").layer("layernorm_1").params).toBe(80n);
    const l = chain([96, 55, 55], "lrn").layer("lrn_1");
    expect([l.params, l.outputShape]).toEqual([0n, [96, 55, 55]]);
    expect(l.flops).toBe(96n * 55n * 55n * 13n); // 2·5 + 3 per element
  });
  test("activations keep the shape; relu 1 FLOP per element, softmax 5, dropout 0", () => {
    const r = chain([10], "relu -> leaky_relu -> elu -> sigmoid -> tanh -> gelu -> silu -> relu6 -> hardswish -> hardsigmoid -> dropout(0.5) -> identity -> softmax");
    expect(r.model.layers.every((l) => l.outputShape[0] === 10 && l.params === 0n)).toBe(true);
    expect(r.layer("relu_1").flops).toBe(10n);
    expect(r.layer("softmax_1").flops).toBe(50n);
    expect(r.layer("dropout_1").flops).toBe(0n);
  });
  test("flatten [16,5,5] → [400]; reshape([4, -1]) → [4,100]; reshape mismatch is an error", () => {
    expect(chain([16, 5, 5], "flatten").layer("flatten_1").outputShape).toEqual([400]);
    expect(chain([16, 5, 5], "reshape([4, -1])").layer("reshape_1").outputShape).toEqual([4, 100]);
    expect(codes(chain([16, 5, 5], "reshape([3, -1])"), "error")).toEqual(["CS3008"]);
    expect(codes(chain([16, 5, 5], "reshape([4, 99])"), "error")).toEqual(["CS3008"]);
  });
  test("pad([[0,1],[2,2]]) on [3,5,5] → [3,6,9]; zeropad(1) → [3,7,7]", () => {
    expect(chain([3, 5, 5], "pad([[0, 1], [2, 2]])").layer("pad_1").outputShape).toEqual([3, 6, 9]);
    expect(chain([3, 5, 5], "zeropad(1)").layer("zeropad_1").outputShape).toEqual([3, 7, 7]);
  });
  test("upsample(2) on [8,7,7] → [8,14,14]; bilinear blends 4 neighbours: 7 FLOPs per output", () => {
    expect(chain([8, 7, 7], "upsample(2)").layer("upsample_1").flops).toBe(0n);
    const l = chain([8, 7, 7], "upsample(2, mode=bilinear)").layer("upsample_1");
    expect(l.outputShape).toEqual([8, 14, 14]);
    expect(l.flops).toBe(8n * 196n * 7n);
  });
  test("channel_maxpool(2) on [96,13,13] → [48,13,13]; 5 channels by 2 is an error", () => {
    expect(chain([96, 13, 13], "channel_maxpool(2)").layer("channel_maxpool_1").outputShape).toEqual([48, 13, 13]);
    expect(codes(chain([5, 3, 3], "channel_maxpool(2)"), "error")).toEqual(["CS3015"]);
  });
});

describe("merges", () => {
  test("concat of [64,28,28], [128,28,28], [32,28,28], [32,28,28] → [256,28,28] (inception 3a)", () => {
    const r = run(`model t {
  input x: [192, 28, 28]
  a = x -> conv2d(64, 1)
  b = x -> conv2d(128, 3, padding=1)
  c = x -> conv2d(32, 5, padding=2)
  d = x -> maxpool(3, stride=1, padding=1) -> conv2d(32, 1)
  output concat(a, b, c, d)
}`);
    expect(r.layer("concat_1").outputShape).toEqual([256, 28, 28]);
    expect(codes(r)).toEqual([]);
  });
  test("concat(axis=1) of [2,3] and [2,5] → [2,8]", () => {
    const r = run("model t {\n  input x: [2, 3]\n  input y: [2, 5]\n  output concat(x, y, axis=1)\n}");
    expect(r.layer("concat_1").outputShape).toEqual([2, 8]);
  });
  test("mul of [64,7,7] by a gate [64,1,1] broadcasts → [64,7,7]; 1 FLOP per output", () => {
    const r = run("model t {\n  input x: [64, 7, 7]\n  g = x -> global_avgpool -> conv2d(64, 1) -> sigmoid\n  output mul(x, g)\n}");
    const l = r.layer("mul_1");
    expect(l.outputShape).toEqual([64, 7, 7]);
    expect(l.flops).toBe(64n * 49n);
  });
  test("add of three [4,4,4] tensors: 2 adds per output", () => {
    const r = run("model t {\n  input x: [4, 4, 4]\n  a = x -> relu\n  b = x -> tanh\n  output add(x, a, b)\n}");
    expect(r.layer("add_1").flops).toBe(2n * 64n);
  });
});
