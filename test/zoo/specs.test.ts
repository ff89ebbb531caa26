/**
 * Every bundled spec compiles and analyzes without errors and its own asserts hold; the
 * models REFERENCE.md has no row for are checked against arithmetic written out here.
 */
import { describe, expect, it } from "vitest";
import { layer, load, model, specFiles } from "./load.js";

describe("every spec in specs/", () => {
  const files = specFiles();
  it("the zoo is all there", () => {
    for (const f of [
      "zfnet.cnn", "alexnet_tv.cnn", "vgg11.cnn", "vgg13.cnn", "vgg16_bn.cnn", "vgg19.cnn", "vgg_a_lrn.cnn", "vgg_c.cnn",
      "nin.cnn", "googlenet.cnn", "resnet34.cnn", "resnet50.cnn", "mobilenet_v1.cnn", "mobilenet_v2.cnn", "seeds.cnn",
      // The generality audit: other rules (ceil pools, dense concat, groups, SE gates, 3-D, 1-D, transposed convs).
      "squeezenet.cnn", "densenet121.cnn", "resnext50.cnn", "efficientnet_b0.cnn", "mobilenet_v3_large.cnn", "regnet_y_400mf.cnn",
      "inception_v3.cnn", "r3d_18.cnn", "unet_small.cnn", "dilated.cnn", "wavenet.cnn",
      // ConvSpec 1.1 (issue 11): crops, resize(like=), pixel_unshuffle, select, allow.
      "unet.cnn", "deeplabv3_resnet50.cnn", "yolov2_voc.cnn", "tcn.cnn",
      // ConvSpec 1.1: layer norm over channels and params, split and shuffle, attention, transposed convs.
      "convnext_tiny.cnn", "shufflenet_v2.cnn", "vit_b_16.cnn", "dcgan.cnn",
    ]) expect(files).toContain(f);
  });
  for (const f of files) {
    it(`${f}: no errors, every assert holds`, () => {
      const { models, diagnostics } = load(f);
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(models.length).toBeGreaterThan(0);
      for (const m of models) {
        const failed = m.asserts.filter((a) => !a.pass).map((a) => `${m.name}: ${a.message}`);
        expect(failed).toEqual([]);
      }
    });
  }
  it("every zoo model asserts something", () => {
    for (const f of files) for (const m of load(f).models) expect(m.asserts.length, `${f} ${m.name}`).toBeGreaterThan(0);
  });
});

describe("ZFNet (Zeiler & Fergus, 2013, Figure 3)", () => {
  const m = model("zfnet.cnn");
  it("feature maps 110 → 55 → 26 → 13 → 13 → 6 as the figure draws them", () => {
    expect(layer(m, "conv1").outputShape).toEqual([96, 110, 110]);
    expect(layer(m, "pool1").outputShape).toEqual([96, 55, 55]);
    expect(layer(m, "conv2").outputShape).toEqual([256, 26, 26]);
    expect(layer(m, "pool2").outputShape).toEqual([256, 13, 13]);
    expect(layer(m, "conv5").outputShape).toEqual([256, 13, 13]);
    expect(layer(m, "pool5").outputShape).toEqual([256, 6, 6]);
  });
  it("params and MACs by hand", () => {
    // conv: k·k·Cin·Cout + Cout; dense: in·out + out.
    const params = 14_208 /* 7·7·3·96 + 96 */ + 614_656 /* 5·5·96·256 + 256 */ + 885_120 /* 3·3·256·384 + 384 */
      + 1_327_488 /* 3·3·384·384 + 384 */ + 884_992 /* 3·3·384·256 + 256 */ + 37_752_832 /* 9216·4096 + 4096 */
      + 16_781_312 /* 4096·4096 + 4096 */ + 4_097_000; /* 4096·1000 + 1000 */
    expect(m.totals.params).toBe(62_357_608n);
    expect(Number(m.totals.params)).toBe(params);
    // conv MACs: Cout·H·W·k·k·Cin.
    const macs = 170_755_200 /* 96·110·110·147 */ + 415_334_400 /* 256·26·26·2400 */ + 149_520_384 /* 384·13·13·2304 */
      + 224_280_576 /* 384·13·13·3456 */ + 149_520_384 /* 256·13·13·3456 */ + 37_748_736 + 16_777_216 + 4_096_000;
    expect(m.totals.macs).toBe(BigInt(macs));
  });
});

describe("NiN (Lin et al., 2013), the Dive into Deep Learning layout for 1000 classes", () => {
  const m = model("nin.cnn");
  it("7,439,608 params, 1,100,397,600 MACs", () => {
    // Per block: first conv k·k·Cin·C + C, then two 1×1 convs of C·C + C.
    const blocks = [34_944 + 2 * 9_312, 614_656 + 2 * 65_792, 885_120 + 2 * 147_840, 3_457_000 + 2 * 1_001_000];
    expect(blocks).toEqual([53_568, 746_240, 1_180_800, 5_459_000]);
    expect(m.totals.params).toBe(7_439_608n);
    // MACs per block: C·H·W·(k·k·Cin + 2C) at 55, 27, 13, 6.
    const macs = 96 * 3025 * 555 + 256 * 729 * 2912 + 384 * 169 * 3072 + 1000 * 36 * 5456;
    expect(macs).toBe(1_100_397_600);
    expect(m.totals.macs).toBe(1_100_397_600n);
    expect(layer(m, "flatten:1").outputShape).toEqual([1000]);
  });
});

describe("MobileNet v1 (Howard et al., 2017, Table 8: 569 M mult-adds, 4.2 M params)", () => {
  const m = model("mobilenet_v1.cnn");
  it("rounds to the paper's figures", () => {
    expect((m.totals.macs + 500_000n) / 1_000_000n).toBe(569n);
    expect((m.totals.params + 50_000n) / 100_000n).toBe(42n);
  });
  it("equals Keras's summary: 4,231,976 trainable, 21,888 non-trainable (batchnorm running statistics)", () => {
    expect(m.totals.params).toBe(4_231_976n);
    expect(m.totals.trainableParams).toBe(4_231_976n);
    expect(m.totals.nonTrainableParams).toBe(21_888n);
  });
  it("ends at 7×7×1024 (Table 1)", () => expect(layer(m, "last").outputShape).toEqual([1024, 7, 7]));
});

describe("the seed lectures' worked examples", () => {
  it("AlexNet conv1: 55×55×96, 34,848 weights + 96 biases; 3×3/2 pooling → 27", () => {
    const m = model("seeds.cnn", "seed_alexnet_conv1");
    expect(layer(m, "conv1").outputShape).toEqual([96, 55, 55]);
    expect(layer(m, "conv1").params).toBe(34_848n + 96n);
    expect(layer(m, "pool1").outputShape).toEqual([96, 27, 27]);
  });
  it("N = 6, K = 3, S = 1 → 4; N = 8 → 6", () => {
    expect(layer(model("seeds.cnn", "seed_n6_k3"), "conv").outputShape).toEqual([1, 4, 4]);
    expect(layer(model("seeds.cnn", "seed_n8_k3"), "conv").outputShape).toEqual([1, 6, 6]);
  });
  it("padding (K − 1)/2 at stride 1 keeps 32×32", () => {
    const m = model("seeds.cnn", "seed_same_padding");
    for (const l of ["k3", "k5", "k7"]) expect(layer(m, l).outputShape).toEqual([8, 32, 32]);
  });
  it("28×28×3, 100 filters of 3×3: 28 per filter, 2,800 in all", () => {
    expect(model("seeds.cnn", "seed_28x28x3").totals.params).toBe(2_800n);
  });
  it("fully connected 640×480 → 100 → 100 → 1, weights only: 30,730,100; at 2048×1536: 314,582,900", () => {
    expect(model("seeds.cnn", "seed_fc_640x480").totals.params).toBe(30_730_100n);
    expect(model("seeds.cnn", "seed_fc_2048x1536").totals.params).toBe(314_582_900n);
  });
  it("5×5×3, padding 1, two 3×3 filters, stride 2 → 3×3×2", () => {
    expect(layer(model("seeds.cnn", "seed_volume"), "conv").outputShape).toEqual([2, 3, 3]);
  });
});
