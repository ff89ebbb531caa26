/**
 * Real PyTorch exports (scripts/onnx-fixtures.py; torchvision models with weight data
 * stripped, small nets with data) imported and analyzed, against what PyTorch itself said
 * about each model when the fixture was made (truths.json: sum(p.numel()), buffers, MACs by
 * forward hooks, output shape) — never against convspec's own formulas.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { importOnnx } from "../../src/onnx/import/import.js";
import { totalsOf } from "./helpers.js";

const dir = "test/fixtures/onnx/";

interface Truth {
  readonly stored_params: number;
  readonly torch_params: number;
  readonly buffers: number;
  readonly torch_buffers: number;
  readonly folded_convs: number;
  readonly macs: number;
  /** One output's shape, or each output's in order (a model with several). */
  readonly output_shape: number[] | number[][];
}

const truths = JSON.parse(readFileSync(`${dir}truths.json`, "utf8")) as Record<string, Truth>;

function load(file: string) {
  return importOnnx(new Uint8Array(readFileSync(dir + file)), { file });
}

describe("PyTorch exports import with PyTorch's counts", () => {
  it("has the fixtures the issue names", () => {
    const models = new Set(Object.keys(truths).map((f) => f.replace(/_op\d+.*$/, "")));
    for (const m of ["resnet18", "resnet50", "mobilenet_v2", "googlenet", "shufflenet_v2", "efficientnet_b0", "convnext_tiny", "squeezenet", "reflect_net", "ceil_net", "deconv_net", "dilated_net", "view_net", "vit_net", "cyclegan_net", "norm_net"]) expect(models).toContain(m);
    expect(Object.keys(truths).some((f) => f.includes("_train"))).toBe(true);
  });

  for (const [file, t] of Object.entries(truths)) {
    it(file, () => {
      const r = load(file);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      // Every operator maps: ConvNeXt's layer scale and channels-last LayerNorm, ShuffleNet's split and shuffle too.
      expect(r.diagnostics.filter((d) => d.code === "CS4802")).toEqual([]);
      const a = analyze(r.graph);
      expect(a.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const m = a.models[0]!;
      // Eval exports store folded batchnorm (stored_params, no buffers); training exports keep it.
      expect(m.totals.params).toBe(BigInt(t.stored_params));
      expect(m.totals.nonTrainableParams).toBe(BigInt(t.buffers));
      expect(m.totals.macs).toBe(BigInt(t.macs));
      expect(Array.isArray(t.output_shape[0]) ? Object.values(m.outputs) : m.outputs.output).toEqual(t.output_shape);
      const note = r.diagnostics.find((d) => d.code === "CS4804");
      if (t.folded_convs > 0) expect(note?.message).toMatch(new RegExp(`^${t.folded_convs} convolution`));
      else expect(note).toBeUndefined();
      // The text alone (what `import -o` writes) compiles to the same totals.
      const again = compile({ file: "again.cnn", text: r.text });
      expect(totalsOf(analyze(again.graph))).toEqual(totalsOf(a));
    });
  }

  it("training-mode exports keep batchnorm: sum(p.numel()) and the running statistics", () => {
    for (const [file, t] of Object.entries(truths).filter(([f]) => f.includes("_train"))) {
      const m = analyze(load(file).graph).models[0]!;
      expect(m.totals.params).toBe(BigInt(t.torch_params));
      expect(m.totals.nonTrainableParams).toBe(BigInt(t.torch_buffers));
    }
  });
});

describe("imported torchvision models read like the specs in specs/", () => {
  it("ConvNeXt-T: one block with its layer scale as a param, layernorm over channels", () => {
    for (const file of ["convnext_tiny_op11.onnx", "convnext_tiny_op17.onnx"]) {
      const text = load(file).text;
      expect(text.match(/^block /gm)).toHaveLength(2);
      expect(text).toMatch(/param layer_scale: \[c, 1, 1\]/);
      expect(text).toMatch(/\(384\) \* 9 as features_5\b/);
    }
  });
  it("ShuffleNetV2: the channel split is a split, the shuffle channel_shuffle(2)", () => {
    for (const file of ["shufflenet_v2_op11.onnx", "shufflenet_v2_op17.onnx"]) {
      const text = load(file).text;
      expect(text).toMatch(/\w+, \w+ = x -> split\(2\)/);
      expect(text).toMatch(/concat\(\w+, \w+\) -> channel_shuffle\(2\)/);
      expect(text).toMatch(/\(116\) \* 7 as stage3\b/);
    }
  });
  it("torchvision's ViT: nn.MultiheadAttention is attention(heads), class token and position embedding params", () => {
    for (const file of ["vit_net_op11.onnx", "vit_net_op17.onnx"]) {
      const text = load(file).text;
      expect(text).toMatch(/layernorm\(eps=1e-6\) -> attention\(2\)/);
      expect(text).toMatch(/-> layer \* 2 ->/); // the encoder layer: attention residual, then MLP residual
      expect(text).toMatch(/param class_token: \[16, 1\]/);
      expect(text).toMatch(/param pos_embedding: \[16, 5\]/);
      expect(text).toMatch(/select\(0, axis=1\)/);
    }
  });
});

/**
 * Instance and group normalisation as PyTorch 1.13 exports them (scripts/onnx-fixtures.py). The
 * numbers are PyTorch's, printed by the script (sum(p.numel()), MACs by forward hooks) and
 * worked out again by hand below.
 */
describe("instance and group norm read back from PyTorch", () => {
  for (const file of ["cyclegan_net_op11.onnx", "cyclegan_net_op17.onnx"]) {
    it(`${file}: a CycleGAN ResNet generator (reflect pads, InstanceNorm2d without affine, ConvTranspose2d)`, () => {
      const r = load(file);
      expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
      const m = analyze(r.graph).models[0]!;
      // PyTorch: 50,947 params, 5,947,392 MACs. By hand (ngf 8, 32 × 32): convs 3→8 7×7 1,184,
      // 8→16 1,168, 16→32 4,640, four 32→32 3×3 in the blocks 9,248 each, deconvs 32→16 4,624 and
      // 16→8 1,160, 8→3 7×7 1,179; the instance norms none (affine=False, PyTorch's default).
      expect(m.totals.params).toBe(1_184n + 1_168n + 4_640n + 4n * 9_248n + 4_624n + 1_160n + 1_179n);
      expect(m.totals.params).toBe(50_947n);
      // MACs: the 7×7 convs 8·32²·3·49 and 3·32²·8·49, each 1,204,224; the strided convs and the
      // deconvs (on input positions) 294,912 each; the block convs 32·8²·32·9 = 589,824 each.
      expect(m.totals.macs).toBe(2n * 1_204_224n + 4n * 294_912n + 4n * 589_824n);
      expect(m.totals.macs).toBe(5_947_392n);
      expect(m.outputs.output).toEqual([3, 32, 32]);
      const text = r.text.replace(/\s+/g, " ");
      expect(text.match(/instancenorm/g)).toHaveLength(5 + 2); // 5 in the trunk, 2 in the shared block
      expect(text).toMatch(/pad\(1, mode=reflect\) -> conv2d\(32, 3\) -> instancenorm -> relu/);
      expect(text).toMatch(/deconv2d\(16, 3, stride=2, padding=1, output_padding=1\)( as \w+)? -> instancenorm -> relu/);
      expect(text).toMatch(/residual \* 2/);
    });
  }
  for (const file of ["norm_net_op11.onnx", "norm_net_op17.onnx"]) {
    it(`${file}: InstanceNorm1d/2d/3d and GroupNorm, affine or not; adaptive pools that divide`, () => {
      const r = load(file);
      expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
      const m = analyze(r.graph).models[0]!;
      // PyTorch: 553 params, 24,656 MACs. By hand: conv 8·4·9 + 8 = 296, conv1d 8·8 + 8 = 72,
      // conv3d 4·8 + 4 = 36, linear 16·5 + 5 = 85; γ, β (2·8) of InstanceNorm2d(affine=True),
      // GroupNorm(4, 8), InstanceNorm1d(affine=True), GroupNorm(8, 8); none for GroupNorm(affine=False)
      // and InstanceNorm3d. The γ of 1 and β of 0 PyTorch stores once and shares through Identity
      // nodes still count once per layer, as parameters() counts them.
      expect(m.totals.params).toBe(296n + 72n + 36n + 85n + 4n * 16n);
      expect(m.totals.params).toBe(553n);
      // MACs: 8·8²·4·9 + 8·64·8 + 4·64·8 + 16·5 (norms and pools none).
      expect(m.totals.macs).toBe(18_432n + 4_096n + 2_048n + 80n);
      expect(m.totals.macs).toBe(24_656n);
      const text = r.text.replace(/\s+/g, " ").replace(/ as \w+/g, "");
      expect(text).toMatch(/conv2d\(8, 3, padding=1\) -> instancenorm\(affine=true\) -> groupnorm\(4\) -> relu -> groupnorm\(2, eps=1e-3, affine=false\)/);
      expect(text).toMatch(/instancenorm\(eps=1e-3, affine=true\) -> conv1d\(8, 1\)/);
      // GroupNorm(8, 8) is exported through the Reshapes too: groupnorm(8), not instancenorm.
      expect(text).toMatch(/reshape\(\[8, 4, 4, 4\]\) -> instancenorm -> groupnorm\(8\) -> conv3d\(4, 1\)/);
      // AdaptiveAvgPool2d((4, 2)) of 8 × 8 and AdaptiveMaxPool2d(2) of 4 × 2: PyTorch writes plain pools.
      expect(text).toMatch(/avgpool\(\[2, 4\]\) -> maxpool\(\[2, 1\]\) -> flatten -> dense\(5\)/);
    });
  }
});

describe("the imported ResNet-50 reads like specs/resnet50.cnn", () => {
  for (const file of ["resnet50_op11.onnx", "resnet50_op17.onnx"]) {
    it(file, () => {
      const text = load(file).text;
      expect(text.split("\n").length).toBeLessThan(80);
      // Two blocks (the projecting and the identity bottleneck), runs of the identity one.
      expect(text.match(/^block /gm)).toHaveLength(2);
      expect(text).toMatch(/\(64\) \* 2 as layer1\b/);
      expect(text).toMatch(/\(256\) \* 5 as layer3\b/);
      expect(text).toMatch(/c \* 4/);
      expect(text).toMatch(/as conv1\b/);
      expect(text).toMatch(/as fc\b/);
    });
  }
});
