/**
 * Architectures beyond REFERENCE.md against torchvision's documented figures: "num_params"
 * from each weights entry's meta (sum(p.numel()), buffers excluded), and MACs whose rounding
 * is torchvision's "GFLOPS" column (GMACs), written out exactly from a hand count of conv and
 * linear layers. The numbers below are transcribed, not computed by convspec.
 */
import { describe, expect, it } from "vitest";
import { layer, model } from "./load.js";

interface Row {
  readonly title: string;
  readonly file: string;
  readonly name: string;
  readonly params: bigint;
  readonly macs: bigint;
  /** torchvision's GFLOPS column, to two decimals. */
  readonly gflops: number;
}

const TABLE: readonly Row[] = [
  { title: "SqueezeNet 1.0", file: "squeezenet.cnn", name: "squeezenet1_0", params: 1_248_424n, macs: 818_924_576n, gflops: 0.82 },
  { title: "SqueezeNet 1.1", file: "squeezenet.cnn", name: "squeezenet1_1", params: 1_235_496n, macs: 349_151_936n, gflops: 0.35 },
  { title: "DenseNet-121", file: "densenet121.cnn", name: "densenet121", params: 7_978_856n, macs: 2_834_161_664n, gflops: 2.83 },
  { title: "ResNeXt-50 32x4d", file: "resnext50.cnn", name: "resnext50_32x4d", params: 25_028_904n, macs: 4_230_479_872n, gflops: 4.23 },
  { title: "Wide ResNet-50-2", file: "resnext50.cnn", name: "wide_resnet50_2", params: 68_883_240n, macs: 11_398_021_120n, gflops: 11.4 },
  { title: "EfficientNet-B0", file: "efficientnet_b0.cnn", name: "efficientnet_b0", params: 5_288_548n, macs: 385_814_752n, gflops: 0.39 },
  { title: "MobileNet v3 Large", file: "mobilenet_v3_large.cnn", name: "mobilenet_v3_large", params: 5_483_032n, macs: 216_589_760n, gflops: 0.22 },
  { title: "RegNetY-400MF", file: "regnet_y_400mf.cnn", name: "regnet_y_400mf", params: 4_344_144n, macs: 401_842_848n, gflops: 0.4 },
  { title: "R3D-18 (video, 16×112×112)", file: "r3d_18.cnn", name: "r3d_18", params: 33_371_472n, macs: 40_696_553_472n, gflops: 40.7 },
];

describe("torchvision num_params and GFLOPS beyond REFERENCE.md", () => {
  for (const row of TABLE) {
    it(`${row.title}: ${row.params} params, ${row.macs} MACs`, () => {
      const m = model(row.file, row.name);
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

describe("shapes where the rules are easy to get wrong", () => {
  it("SqueezeNet 1.0: a 7×7/2 conv drops the last row of 224 (109) and ceil-mode pools give 54, 27, 13", () => {
    const m = model("squeezenet.cnn", "squeezenet1_0");
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

describe("Inception v3 (torchvision, 299×299, auxiliary head included)", () => {
  const m = model("inception_v3.cnn");
  it("27,161,264 params, aux head included as torchvision's weights carry it", () => {
    expect(m.totals.params).toBe(27_161_264n);
  });
  it("5.71 GFLOPS is the eval-mode network: 5,713,216,096 MACs without the aux head's 5,683,200", () => {
    const aux = m.layers.filter((l) => l.block.startsWith("aux_conv") || l.name === "aux_fc");
    const auxMacs = aux.reduce((s, l) => s + l.macs, 0n);
    // 5·5·128·768 (1×1 conv on 5×5) + 768·128·25 (5×5 conv to 1×1) + 768·1000 (linear).
    expect(auxMacs).toBe(2_457_600n + 2_457_600n + 768_000n);
    expect(m.totals.macs - auxMacs).toBe(5_713_216_096n);
    expect(Math.round(Number(m.totals.macs - auxMacs) / 1e7) / 100).toBe(5.71);
  });
  it("asymmetric kernels keep the grid: 1×7 with padding [0, 3] and 7×1 with [3, 0] at 17×17", () => {
    const c = m.layers.filter((l) => l.kind === "conv2d" && l.outputShape[1] === 17 && l.inputShapes[0]![1] === 17);
    expect(c.length).toBeGreaterThan(0);
    for (const l of c) expect(l.outputShape.slice(1)).toEqual([17, 17]);
  });
});
