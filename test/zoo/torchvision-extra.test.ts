/**
 * Architectures beyond REFERENCE.md against torchvision's documented figures: "num_params"
 * from each weights entry's meta (sum(p.numel()), buffers excluded), and MACs whose rounding
 * is torchvision's "GFLOPS" column (GMACs), written out exactly from a hand count of conv and
 * linear layers. The numbers below are transcribed, not computed by convspec.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import type { ModelAnalysis } from "../../src/analysis/types.js";
import { compile } from "../../src/graph/compile.js";
import { layer, model, SPECS_DIR } from "./load.js";

/** A spec's model analyzed with its input replaced (torchvision's 224×224 for SqueezeNet). */
function at(file: string, name: string, input: Record<string, number[]>): ModelAnalysis {
  const path = SPECS_DIR + file;
  const c = compile({ file: path, text: readFileSync(path, "utf8") }, { file: path, inputShapes: input });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(c.graph).models.find((m) => m.name === name)!;
}

interface Row {
  readonly title: string;
  readonly file: string;
  readonly name: string;
  readonly params: bigint;
  readonly macs: bigint;
  /** torchvision's GFLOPS column, to two decimals. */
  readonly gflops: number;
  /** The input torchvision measures at, where the spec declares another. */
  readonly input?: Record<string, number[]>;
}

const TABLE: readonly Row[] = [
  { title: "SqueezeNet 1.0", file: "squeezenet.cnn", name: "squeezenet1_0", params: 1_248_424n, macs: 818_924_576n, gflops: 0.82, input: { image: [3, 224, 224] } },
  { title: "SqueezeNet 1.1", file: "squeezenet.cnn", name: "squeezenet1_1", params: 1_235_496n, macs: 349_151_936n, gflops: 0.35, input: { image: [3, 224, 224] } },
  { title: "DenseNet-121", file: "densenet121.cnn", name: "densenet121", params: 7_978_856n, macs: 2_834_161_664n, gflops: 2.83 },
  { title: "ResNeXt-50 32x4d", file: "resnext50.cnn", name: "resnext50_32x4d", params: 25_028_904n, macs: 4_230_479_872n, gflops: 4.23 },
  { title: "Wide ResNet-50-2", file: "resnext50.cnn", name: "wide_resnet50_2", params: 68_883_240n, macs: 11_398_021_120n, gflops: 11.4 },
  { title: "EfficientNet-B0", file: "efficientnet_b0.cnn", name: "efficientnet_b0", params: 5_288_548n, macs: 385_814_752n, gflops: 0.39 },
  { title: "MobileNet v3 Large", file: "mobilenet_v3_large.cnn", name: "mobilenet_v3_large", params: 5_483_032n, macs: 216_589_760n, gflops: 0.22 },
  { title: "RegNetY-400MF", file: "regnet_y_400mf.cnn", name: "regnet_y_400mf", params: 4_344_144n, macs: 401_842_848n, gflops: 0.4 },
  { title: "R3D-18 (video, 16×112×112)", file: "r3d_18.cnn", name: "r3d_18", params: 33_371_472n, macs: 40_696_553_472n, gflops: 40.7 },
  // ConvSpec 1.1 specs; MACs from torch forward hooks (scripts/zoo-truths.py), attention as 4·N·C² + 2·N²·C.
  { title: "ConvNeXt-T", file: "convnext_tiny.cnn", name: "convnext_tiny", params: 28_589_128n, macs: 4_455_531_264n, gflops: 4.46 },
  { title: "ShuffleNetV2 x1.0", file: "shufflenet_v2.cnn", name: "shufflenet_v2_x1_0", params: 2_278_604n, macs: 144_907_992n, gflops: 0.14 },
  { title: "ViT-B/16", file: "vit_b_16.cnn", name: "vit_b_16", params: 86_567_656n, macs: 17_563_828_224n, gflops: 17.56 },
];

describe("torchvision num_params and GFLOPS beyond REFERENCE.md", () => {
  for (const row of TABLE) {
    it(`${row.title}: ${row.params} params, ${row.macs} MACs`, () => {
      const m = row.input ? at(row.file, row.name, row.input) : model(row.file, row.name);
      expect(m.totals.params).toBe(row.params);
      expect(m.totals.trainableParams).toBe(row.params);
      expect(m.totals.macs).toBe(row.macs);
      // The exact count rounds to torchvision's published column.
      expect(Math.round(Number(m.totals.macs) / 1e7) / 100).toBe(row.gflops);
    });
  }
});

describe("buffers: batchnorm running mean and variance, 2 per channel, not parameters", () => {
  it("DenseNet-121: every batchnorm's channels, 2·Σ C = 2·(γ+β count)", () => {
    const m = model("densenet121.cnn");
    const bnParams = m.layers.filter((l) => l.kind === "batchnorm").reduce((s, l) => s + l.params, 0n);
    expect(m.totals.nonTrainableParams).toBe(bnParams);
    // Hand count of batchnorm channels: 64 (stem) + dense layers Σ(C_in + 128) + transitions + 1024.
    let c = 64;
    let channels = 64;
    [6, 12, 24, 16].forEach((n, i) => {
      for (let k = 0; k < n; k++, c += 32) channels += c + 128;
      if (i < 3) { channels += c; c /= 2; }
    });
    channels += c;
    expect(bnParams).toBe(BigInt(2 * channels));
  });
});

describe("buffers counted by PyTorch (scripts/zoo-truths.py: running mean and variance)", () => {
  it("ShuffleNetV2 x1.0: 16,180 buffers; the DCGAN generator: 1,920 = 2·(512 + 256 + 128 + 64)", () => {
    expect(model("shufflenet_v2.cnn").totals.nonTrainableParams).toBe(16_180n);
    expect(model("dcgan.cnn").totals.nonTrainableParams).toBe(1_920n);
  });
});

describe("the DCGAN generator (PyTorch's DCGAN tutorial: nz 100, ngf 64, 3 × 64 × 64), by hand", () => {
  const m = model("dcgan.cnn");
  it("3,576,704 params: bias-free 4×4 transposed convs Cin·Cout·16, batchnorm γ and β", () => {
    const weights = 100 * 512 * 16 + 512 * 256 * 16 + 256 * 128 * 16 + 128 * 64 * 16 + 64 * 3 * 16;
    expect(weights).toBe(3_574_784);
    expect(m.totals.params).toBe(BigInt(weights + 2 * (512 + 256 + 128 + 64)));
  });
  it("104,628,224 MACs: each input position of a transposed conv meets Cout·16 weights", () => {
    // Input positions 1, 4·4, 8·8, 16·16, 32·32 with Cin 100, 512, 256, 128, 64.
    const macs = 1 * 100 * 512 * 16 + 16 * 512 * 256 * 16 + 64 * 256 * 128 * 16 + 256 * 128 * 64 * 16 + 1024 * 64 * 3 * 16;
    expect(m.totals.macs).toBe(BigInt(macs));
    expect(macs).toBe(104_628_224);
    expect(layer(m, "up3").outputShape).toEqual([64, 32, 32]);
    expect(m.layers.at(-1)!.outputShape).toEqual([3, 64, 64]);
  });
});

describe("shapes where the rules are easy to get wrong", () => {
  it("SqueezeNet 1.0 at 224: a 7×7/2 conv drops the last row (109, warned) and ceil-mode pools give 54, 27, 13", () => {
    const path = SPECS_DIR + "squeezenet.cnn";
    const c = compile({ file: path, text: readFileSync(path, "utf8") }, { file: path, inputShapes: { image: [3, 224, 224] } });
    const a = analyze(c.graph);
    expect(a.diagnostics.filter((d) => d.code === "CS3009").length).toBe(2);
    const m = a.models.find((x) => x.name === "squeezenet1_0")!;
    expect(layer(m, "conv1").outputShape).toEqual([96, 109, 109]);
    expect(layer(m, "pool1").outputShape).toEqual([96, 54, 54]);
    expect(layer(m, "pool2").outputShape).toEqual([256, 27, 27]);
    expect(layer(m, "pool3").outputShape).toEqual([512, 13, 13]);
  });
  it("MobileNet v3 Large: SE squeeze widths make_divisible(C/4, 8) = 24, 32, 120, 168, 240", () => {
    const m = model("mobilenet_v3_large.cnn");
    // An SE's first conv reads a [C, 1, 1] pooled tensor: its output channels are the squeeze width.
    const squeezes = m.layers.filter((l) => l.kind === "conv2d" && l.inputShapes[0]![1] === 1 && l.outputShape[0]! < l.inputShapes[0]![0]!);
    expect([...new Set(squeezes.map((l) => l.outputShape[0]))]).toEqual([24, 32, 120, 168, 240]);
  });
  it("R3D-18: stride 2 on time too: 16 → 8 → 4 → 2 frames", () => {
    const m = model("r3d_18.cnn");
    expect(layer(m, "layer2").outputShape).toEqual([128, 8, 28, 28]);
    expect(layer(m, "layer4").outputShape).toEqual([512, 2, 7, 7]);
  });
});

describe("Inception v3 (torchvision, 299×299; the auxiliary head as a model of its own)", () => {
  const main = model("inception_v3.cnn", "inception_v3");
  const aux = model("inception_v3.cnn", "inception_v3_aux");
  it("27,161,264 params with the aux head, as torchvision's weights carry it", () => {
    expect(main.totals.params + aux.totals.params).toBe(27_161_264n);
    // conv0 768·128 + BN 2·128; conv1 128·768·25 + BN 2·768; linear 768·1000 + 1000.
    expect(aux.totals.params).toBe(98_304n + 256n + 2_457_600n + 1_536n + 769_000n);
  });
  it("5.71 GFLOPS is the eval-mode network without the aux head: 5,713,216,096 MACs", () => {
    expect(main.totals.macs).toBe(5_713_216_096n);
    expect(Math.round(Number(main.totals.macs) / 1e7) / 100).toBe(5.71);
    // 5·5·128·768 (1×1 conv on 5×5) + 768·128·25 (5×5 conv to 1×1) + 768·1000 (linear).
    expect(aux.totals.macs).toBe(2_457_600n + 2_457_600n + 768_000n);
  });
  it("asymmetric kernels keep the grid: 1×7 with padding [0, 3] and 7×1 with [3, 0] at 17×17", () => {
    const c = main.layers.filter((l) => l.kind === "conv2d" && Array.isArray(main.graph.nodes[l.node]!.args.kernel) && l.inputShapes[0]![1] === 17);
    // 6 per InceptionC (2 in the 7x7 branch, 4 in the double one) × 4, and 2 in InceptionD.
    expect(c.length).toBe(6 * 4 + 2);
    for (const l of c) expect(l.outputShape.slice(1)).toEqual([17, 17]);
  });
});
