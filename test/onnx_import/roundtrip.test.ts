/**
 * Round trip: every model of every spec in specs/ → `exportOnnx` (in memory, shape-only
 * weights) → `importOnnx` → analyze gives the same params, buffers, MACs and output shapes as
 * analyzing the spec itself. The exporter (src/onnx) and the importer share no code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import type { OnnxImportResult } from "../../src/onnx/import/import.js";
import { roundTrip } from "./helpers.js";

const specs = readdirSync("specs").filter((f) => f.endsWith(".cnn")).sort();

/**
 * The ConvSpec 1.1 layer each spec's export must come back as (not only the same totals): the
 * importer maps the exported operators onto the layer the spec wrote.
 */
const LAYERS_BACK: Readonly<Record<string, readonly RegExp[]>> = {
  "convnext_tiny.cnn": [/param \w+: \[c, 1, 1\]/, /layernorm\(eps=1e-6\)/],
  "shufflenet_v2.cnn": [/\w+, \w+ = x -> split\(2\)/, /channel_shuffle\(2\)/],
  "vit_b_16.cnn": [/attention\(12\)/, /-> layer \* 12 ->/, /param class_token: \[768, 1\]/, /param pos_embedding: \[768, 197\]/, /select\(0, axis=1\)/],
  "unet.cnn": [/crop\(4\)/, /crop\(88\)/],
  "tcn.cnn": [/crop\(\[\[0, p\]\]\)/, /select\(783, axis=1\)/],
  "yolov2_voc.cnn": [/pixel_unshuffle\(2\)/],
  "deeplabv3_resnet50.cnn": [/resize\(size=\[513, 513\], mode=bilinear\)/],
};

describe("spec → export → import → analyze", () => {
  it("covers every spec", () => expect(specs.length).toBeGreaterThan(25));
  for (const name of specs) {
    it(name, () => {
      const file = `specs/${name}`;
      const c = compile({ file, text: readFileSync(file, "utf8") }, { file, resolve: (p) => readFileSync(p, "utf8") });
      expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      for (const m of c.graph.models) {
        const { back } = roundTrip(m);
        for (const re of LAYERS_BACK[name] ?? []) expect(back.text, m.name).toMatch(re);
      }
    });
  }
});

/** 1.1 constructs no spec in specs/ has: several named outputs, a split along a spatial axis into sizes, permute, select of a spatial row. */
const INLINE = `
model two_heads {
  input image: [3, 64, 64]
  c3 = image -> conv2d(16, 3, stride=4, padding=1) -> relu
  a, b, c = c3 -> split([4, 8, 4], axis=1)
  m = concat(c, a, b, axis=1) -> permute([0, 2, 1]) -> conv2d(8, 1)
  output p3 = c3 -> conv2d(8, 1)
  output p4 = m -> select(3, axis=2) -> conv1d(4, 3)
  output rows = b
}
`;

/** An inline spec's one model exported and imported back, with the same totals; the import's result. */
function backFrom(text: string): OnnxImportResult {
  const c = compile({ file: "inline.cnn", text });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return roundTrip(c.graph.models[0]!).back;
}

describe("named outputs, split sizes, permute and select come back", () => {
  it("two_heads", () => {
    const r = backFrom(INLINE);
    expect(Object.keys(analyze(r.graph).models[0]!.outputs)).toEqual(["p3", "p4", "rows"]);
    expect(r.text).toMatch(/= \w+ -> split\(\[4, 8, 4\], axis=1\)/);
    expect(r.text).toMatch(/permute\(\[0, 2, 1\]\)/);
    expect(r.text).toMatch(/select\(3, axis=2\)/);
  });
});


/**
 * Extensions beyond 1.1 (docs/LANGUAGE.md) come back as themselves: attention without any
 * bias (nn.MultiheadAttention(bias=False)), before a residual add that must not be read as its
 * bias; a number as an operand of mul and add (ESRGAN's x·0.2 + y), not a param.
 */
const EXTENSIONS = `
model extensions {
  input x: [16, 4, 4]
  a = x -> attention(4, bias=false)
  t = add(x, a)
  u = t -> attention(2, qkv_bias=false)
  s = mul(u, 0.2)
  r = add(s, x)
  v = add(r, -1.5)
  output v -> prelu(16) -> conv2d(8, 1) -> prelu -> mish -> softplus -> swish
}
`;

describe("convspec extensions beyond 1.1 come back", () => {
  it("attention(bias=false) and attention(qkv_bias=false); mul(y, 0.2) and add(y, -1.5); prelu(C) and prelu", () => {
    const r = backFrom(EXTENSIONS);
    // 4·16² = 1,024 (no bias) + 4·16² + 16 = 1,040 (out_proj's bias only).
    // nn.PReLU(16) and nn.PReLU(): 16 + 1; the 1×1 conv 8·16 + 8 = 136.
    expect(analyze(r.graph).models[0]!.totals.params).toBe(1_024n + 1_040n + 17n + 136n);
    expect(r.text).toMatch(/prelu\(16\) -> conv2d\(8, 1\)( as \w+)? -> prelu -> mish -> softplus\s+-> silu/);
    expect(r.text).toMatch(/attention\(4, bias=false\)/);
    expect(r.text).toMatch(/attention\(2, qkv_bias=false\)/);
    // The numbers are operands, not params (the params above are all there is).
    expect(r.text).toMatch(/= mul\(\w+, 0\.2\)/);
    expect(r.text).toMatch(/add\(\w+, -1\.5\)/);
    expect(r.text).not.toMatch(/param /);
  });
});

/**
 * Instance and group normalisation (what no spec in specs/ has), 1-, 2- and 3-D, with and
 * without affine: γ, β come back as weights only where the spec has them.
 */
const NORMS = `
model norms {
  input x: [8, 10, 12]
  a = x -> instancenorm -> conv2d(8, 3, padding=1) -> instancenorm(affine=true, eps=1e-3)
  b = a -> groupnorm(4) -> relu -> groupnorm(2, eps=1e-6, affine=false) -> groupnorm(8)
  c = b -> reshape([8, 120]) -> instancenorm(affine=true) -> groupnorm(2)
  output c -> reshape([8, 2, 6, 10]) -> instancenorm -> groupnorm(4, affine=false)
}
`;

describe("instancenorm and groupnorm come back", () => {
  it("norms", () => {
    const r = backFrom(NORMS);
    // conv 8·8·9 + 8 = 584; γ and β (2·8) of instancenorm(affine=true) ×2, groupnorm(4), groupnorm(8), groupnorm(2), as PyTorch's 2·C.
    expect(analyze(r.graph).models[0]!.totals.params).toBe(584n + 16n * 5n);
    const text = r.text.replace(/\s+/g, " ");
    expect(text).toMatch(/x -> instancenorm -> conv2d\(8, 3, padding=1\)( as \w+)? -> instancenorm\(eps=1e-3, affine=true\) -> groupnorm\(4\) -> relu/);
    // groupnorm(8) of 8 channels exports as InstanceNormalization: instancenorm(affine=true), the same function and params.
    expect(text).toMatch(/-> groupnorm\(2, eps=1e-6, affine=false\) -> instancenorm\(affine=true\) -> reshape\(\[8, 120\]\) -> instancenorm\(affine=true\) -> groupnorm\(2\)/);
    expect(text).toMatch(/reshape\(\[8, 2, 6, 10\]\) -> instancenorm -> groupnorm\(4, affine=false\)/);
  });
});

/**
 * Adaptive pooling to sizes that do not divide the input (exported as a Slice and a Reduce per
 * output cell along each axis, and a Concat), 1-, 2- and 3-D, and channel_maxpool (Reshape +
 * ReduceMax): each comes back as the one layer.
 */
const POOLS = `
model pools {
  input x: [8, 14, 14]
  a = x -> adaptive_avgpool([5, 3]) -> conv2d(8, 1) -> adaptive_maxpool([1, 2])
  b = x -> adaptive_maxpool([14, 4]) -> channel_maxpool(2) -> adaptive_avgpool([3, 1])
  c = x -> reshape([8, 196]) -> adaptive_avgpool(9) -> channel_maxpool(4)
  d = x -> reshape([8, 2, 7, 14]) -> adaptive_maxpool([2, 3, 5]) -> conv3d(4, 1)
  output e = a
  output f = b
  output g = c
  output h = d
}
`;

describe("adaptive pooling and channel_maxpool come back", () => {
  it("pools", () => {
    const r = backFrom(POOLS);
    const m = analyze(r.graph).models[0]!;
    // One layer per written layer: the FLOPs (not in the totals compared) are the spec's too.
    expect(m.totals.flops).toBe(analyze(compile({ file: "pools.cnn", text: POOLS }).graph).models[0]!.totals.flops);
    // PyTorch: AdaptiveAvgPool2d((5, 3)) of 14 × 14 → 5 × 3; (1, 2) of that → 1 × 2; channel max of 8 by 2 → 4 channels.
    expect(m.outputs).toEqual({ e: [8, 1, 2], f: [4, 3, 1], g: [2, 9], h: [4, 2, 3, 5] });
    const text = r.text.replace(/\s+/g, " ").replace(/ as \w+/g, "");
    expect(text).toMatch(/adaptive_avgpool\(\[5, 3\]\) -> conv2d\(8, 1\) -> adaptive_maxpool\(\[1, 2\]\)/);
    expect(text).toMatch(/adaptive_maxpool\(\[14, 4\]\) -> channel_maxpool\(2\) -> adaptive_avgpool\(\[3, 1\]\)/);
    expect(text).toMatch(/reshape\(\[8, 196\]\) -> adaptive_avgpool\(9\) -> channel_maxpool\(4\)/);
    expect(text).toMatch(/adaptive_maxpool\(\[2, 3, 5\]\) -> conv3d\(4, 1\)/);
  });
});
