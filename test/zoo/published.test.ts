/**
 * The zoo against published figures: REFERENCE.md's table (torchvision's parameter counts,
 * MACs and receptive fields), the VGG paper's Table 2, torchvision's ResNet-50 stage shapes
 * and the GoogLeNet paper's Table 1. The numbers below are transcribed, not computed.
 */
import { describe, expect, it } from "vitest";
import { layer, model } from "./load.js";

interface Row {
  readonly title: string;
  readonly file: string;
  readonly params: bigint;
  readonly macs: bigint;
  /** Where REFERENCE.md measures the field, its size, and the jump where it gives one. */
  readonly rf: { readonly at: string; readonly size: number; readonly jump?: number };
}

// REFERENCE.md, "Published figures to test against".
const TABLE: readonly Row[] = [
  { title: "LeNet-5", file: "lenet5.cnn", params: 61_706n, macs: 416_520n, rf: { at: "avgpool:2", size: 16, jump: 4 } },
  { title: "AlexNet, one tower", file: "alexnet.cnn", params: 62_378_344n, macs: 1_135_256_096n, rf: { at: "pool5", size: 195, jump: 32 } },
  { title: "AlexNet (torchvision)", file: "alexnet_tv.cnn", params: 61_100_840n, macs: 714_188_480n, rf: { at: "maxpool:3", size: 195 } },
  { title: "VGG-11", file: "vgg11.cnn", params: 132_863_336n, macs: 7_609_090_048n, rf: { at: "pool5", size: 150 } },
  { title: "VGG-13", file: "vgg13.cnn", params: 133_047_848n, macs: 11_308_466_176n, rf: { at: "pool5", size: 156 } },
  { title: "VGG-16", file: "vgg16.cnn", params: 138_357_544n, macs: 15_470_264_320n, rf: { at: "pool5", size: 212, jump: 32 } },
  { title: "VGG-16 with batchnorm", file: "vgg16_bn.cnn", params: 138_365_992n, macs: 15_470_264_320n, rf: { at: "pool5", size: 212 } },
  { title: "VGG-19", file: "vgg19.cnn", params: 143_667_240n, macs: 19_632_062_464n, rf: { at: "pool5", size: 268 } },
  { title: "ResNet-18", file: "resnet18.cnn", params: 11_689_512n, macs: 1_814_073_344n, rf: { at: "before:global_avgpool", size: 435, jump: 32 } },
  { title: "ResNet-34", file: "resnet34.cnn", params: 21_797_672n, macs: 3_663_761_408n, rf: { at: "layer4", size: 899 } },
  { title: "ResNet-50", file: "resnet50.cnn", params: 25_557_032n, macs: 4_089_184_256n, rf: { at: "layer4", size: 427 } },
  { title: "GoogLeNet (torchvision)", file: "googlenet.cnn", params: 6_624_904n, macs: 1_498_376_192n, rf: { at: "inception5b", size: 379 } },
  { title: "MobileNet v2", file: "mobilenet_v2.cnn", params: 3_504_872n, macs: 300_774_272n, rf: { at: "last_conv", size: 491 } },
];

describe("REFERENCE.md: params, MACs and receptive field per model", () => {
  for (const row of TABLE) {
    it(`${row.title} (${row.file}): ${row.params} params, ${row.macs} MACs, rf ${row.rf.size} at ${row.rf.at}`, () => {
      const m = model(row.file);
      expect(m.totals.params).toBe(row.params);
      // torchvision counts no buffers as parameters: every parameter here is trainable.
      expect(m.totals.trainableParams).toBe(row.params);
      expect(m.totals.macs).toBe(row.macs);
      const l = layer(m, row.rf.at);
      expect(l.rf.size).toEqual([row.rf.size, row.rf.size]);
      if (row.rf.jump !== undefined) expect(l.rf.jump).toEqual([row.rf.jump, row.rf.jump]);
    });
  }
});

describe("VGG paper, Table 2: parameters in millions for A, A-LRN, B, C, D, E", () => {
  const paper: readonly [string, number][] = [
    ["vgg11.cnn", 133], ["vgg_a_lrn.cnn", 133], ["vgg13.cnn", 133], ["vgg_c.cnn", 134], ["vgg16.cnn", 138], ["vgg19.cnn", 144],
  ];
  for (const [file, millions] of paper) {
    it(`${file}: ${millions} M`, () => {
      const p = model(file).totals.params;
      // Round to the nearest million in exact arithmetic.
      expect((p + 500_000n) / 1_000_000n).toBe(BigInt(millions));
    });
  }
  it("A-LRN has A's parameters (LRN has none) and one more layer", () => {
    const a = model("vgg11.cnn");
    const lrn = model("vgg_a_lrn.cnn");
    expect(lrn.totals.params).toBe(a.totals.params);
    expect(lrn.layers.length).toBe(a.layers.length + 1);
  });
});

/** `112x112x64` as the papers write it (H×W×C) → `[64, 112, 112]`. */
function chw(hwc: string): number[] {
  const d = hwc.split("x").map(Number);
  return d.length === 1 ? d : [d[2]!, d[0]!, d[1]!];
}

describe("ResNet-50 stage shapes, as torchvision's resnet50 prints them", () => {
  const stages: readonly [string, string][] = [
    ["conv1", "112x112x64"], ["maxpool", "56x56x64"], ["layer1", "56x56x256"], ["layer2", "28x28x512"],
    ["layer3", "14x14x1024"], ["layer4", "7x7x2048"], ["avgpool", "1x1x2048"], ["fc", "1000"],
  ];
  const m = model("resnet50.cnn");
  for (const [name, shape] of stages) {
    it(`${name}: ${shape}`, () => expect(layer(m, name).outputShape).toEqual(chw(shape)));
  }
});

describe("GoogLeNet output sizes per stage (Szegedy et al., 2015, Table 1)", () => {
  const stages: readonly [string, string][] = [
    ["conv1", "112x112x64"], ["maxpool1", "56x56x64"], ["conv3", "56x56x192"], ["maxpool2", "28x28x192"],
    ["inception3a", "28x28x256"], ["inception3b", "28x28x480"], ["maxpool3", "14x14x480"],
    ["inception4a", "14x14x512"], ["inception4b", "14x14x512"], ["inception4c", "14x14x512"],
    ["inception4d", "14x14x528"], ["inception4e", "14x14x832"], ["maxpool4", "7x7x832"],
    ["inception5a", "7x7x832"], ["inception5b", "7x7x1024"], ["avgpool", "1x1x1024"], ["fc", "1000"],
  ];
  const m = model("googlenet.cnn");
  for (const [name, shape] of stages) {
    it(`${name}: ${shape}`, () => expect(layer(m, name).outputShape).toEqual(chw(shape)));
  }
});
