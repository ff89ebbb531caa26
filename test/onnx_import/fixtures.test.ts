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
    for (const m of ["resnet18", "resnet50", "mobilenet_v2", "googlenet", "shufflenet_v2", "efficientnet_b0", "convnext_tiny", "squeezenet", "reflect_net", "ceil_net", "deconv_net", "dilated_net", "view_net", "vit_net"]) expect(models).toContain(m);
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
