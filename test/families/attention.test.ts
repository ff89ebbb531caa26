/** attention(heads, qkv_bias): PyTorch's nn.MultiheadAttention on the positions of [C, ...]. */
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { run } from "../../src/exec/runtime.js";
import type { LayerParams, Tensor } from "../../src/exec/tensor.js";
import { model, nodeId } from "../exec/helpers.js";
import { verifyAllCells } from "./helpers.js";

const analyzeText = (text: string) => analyze(compile({ file: "t.cnn", text }).graph);

/** shared/LANGUAGE.md, ConvSpec 1.1 "Normalization and attention", verbatim. */
const ENCODER = `
block encoder(c, heads, mlp) {        # a ViT encoder block on tokens [c, N]
  input x
  a = x -> layernorm(eps=1e-6) -> attention(heads)
  y = add(x, a)
  m = y -> layernorm(eps=1e-6) -> conv1d(mlp, 1) -> gelu -> conv1d(c, 1)
  output add(y, m)
}`;
const VIT_TINY_BLOCK = `${ENCODER}
model vit_tiny_block {
  input tokens: [192, 197]
  output tokens -> encoder(192, 3, 768)
  assert params == 2 * 384 + (4 * 192 * 192 + 4 * 192) + (192 * 768 + 768) + (768 * 192 + 192)
}`;

const f64 = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

describe("attention(heads, qkv_bias=true)", () => {
  it("LANGUAGE.md's vit_tiny_block analyzes with its assert holding; per-layer numbers by hand", () => {
    const r = analyzeText(VIT_TINY_BLOCK);
    expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const m = r.models[0]!;
    expect(m.asserts.map((a) => [a.pass, a.actual])).toEqual([[true, "444,864"]]);
    // 2·384 (two layer norms over 192 channels) + 4·192² + 4·192 = 147,456 + 768 = 148,224
    // + 192·768 + 768 = 148,224 + 768·192 + 192 = 147,648: 768 + 148,224 + 148,224 + 147,648.
    expect(m.totals.params).toBe(444_864n);
    const byKind = (k: string) => m.layers.filter((l) => l.kind === k);
    expect(byKind("layernorm").map((l) => l.params)).toEqual([384n, 384n]);
    const att = byKind("attention")[0]!;
    expect(att.outputShape).toEqual([192, 197]);
    expect(att.params).toBe(148_224n);
    // N = 197, C = 192: 4·N·C² = 4·197·36,864 = 29,048,832; 2·N²·C = 2·38,809·192 = 14,902,656.
    expect(att.macs).toBe(29_048_832n + 14_902_656n);
    // FLOPs: 2·43,951,488 = 87,902,976; bias adds 3·197·192 = 113,472 (q, k, v) + 197·192 = 37,824
    // (out_proj); per score (3 heads · 197² = 116,427) one 1/√64 scaling + softmax's 5 = 698,562.
    expect(att.flops).toBe(87_902_976n + 113_472n + 37_824n + 698_562n);
    expect(att.rf.global).toBe(true);
  });

  it("ViT-B/16's 12 encoder blocks plus what 1.0 cannot write give torchvision's 86,567,656 params and 17.56 GFLOPS", () => {
    const m = analyzeText(`${ENCODER}
      model vit_b16_encoder {
        input tokens: [768, 197]
        output tokens -> encoder(768, 12, 3072) * 12
      }`).models[0]!;
    // One block: 2·(2·768) = 3,072 (two layer norms) + 4·768² + 4·768 = 2,362,368 (attention)
    // + 768·3072 + 3072 = 2,362,368 + 3072·768 + 768 = 2,360,064 (MLP) = 7,087,872; ×12.
    expect(m.totals.params).toBe(12n * 7_087_872n);
    // Outside the blocks (torchvision's VisionTransformer): conv_proj 768·3·16·16 + 768 = 590,592,
    // class token 768, position embedding 197·768 = 151,296, final LayerNorm 1,536, head
    // 768·1000 + 1000 = 769,000: ViT_B_16_Weights.IMAGENET1K_V1 num_params = 86,567,656.
    expect(m.totals.params + 590_592n + 768n + 151_296n + 1_536n + 769_000n).toBe(86_567_656n);
    // One block's MACs: attention 4·197·768² + 2·197²·768 = 464,781,312 + 59,610,624, MLP
    // 2·197·768·3072 = 929,562,624: 1,453,954,560; ×12 = 17,447,454,720. Plus conv_proj
    // 196 patches · 768 · 768 = 115,605,504 and the head 768·1000: 17,563,828,224, torchvision's
    // "GFLOPS 17.56" (its column counts MACs, docs/counting.md).
    expect(m.totals.macs).toBe(12n * 1_453_954_560n);
    expect(Number(m.totals.macs + 115_605_504n + 768_000n) / 1e9).toBeCloseTo(17.56, 2);
  });

  it("qkv_bias=false drops in_proj's 3C bias and keeps out_proj's: 4·C² + C", () => {
    const m = analyzeText(`model m {
      input x: [64, 7, 7]
      output x -> attention(8, qkv_bias=false)
    }`).models[0]!;
    // 4·64² = 16,384 + 64 = 16,448; N = 49: 4·49·4,096 = 802,816 + 2·2,401·64 = 307,328.
    expect(m.layers[0]!.params).toBe(16_448n);
    expect(m.layers[0]!.macs).toBe(802_816n + 307_328n);
  });

  it("bias=false is nn.MultiheadAttention(64, 4, bias=False): 4·64² = 16,384 params (torch numel)", () => {
    const m = analyzeText(`model m {
      input x: [64, 7, 7]
      a = x -> attention(4, bias=false) as none
      b = x -> attention(4, qkv_bias=false, bias=false) as both_off
      output add(a, b)
    }`).models[0]!;
    // torch: sum(p.numel() for p in nn.MultiheadAttention(64, 4, bias=False).parameters())
    // = in_proj_weight 192·64 = 12,288 + out_proj.weight 64·64 = 4,096 = 16,384 (no biases).
    const none = m.layers.find((l) => l.name === "none")!;
    expect(none.params).toBe(12_288n + 4_096n);
    expect(m.layers.find((l) => l.name === "both_off")!.params).toBe(16_384n);
    // MACs as with biases (N = 49): 802,816 + 307,328 = 1,110,144; FLOPs 2·MACs = 2,220,288 and
    // no bias adds, plus per score (4 heads · 49² = 9,604) the scaling and softmax's 5: 57,624.
    expect(none.macs).toBe(1_110_144n);
    expect(none.flops).toBe(2_220_288n + 57_624n);
  });

  it("heads not dividing C is a coded error with the numbers and a hint", () => {
    const d = analyzeText(`model m {
      input tokens: [192, 197]
      output tokens -> attention(5)
    }`).diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([["CS3015", "attention_1: 192 channels (input [192, 197]) do not split into 5 heads"]]);
    expect(d[0]!.hint).toBe("heads must divide 192 (each head takes C/heads channels)");
  });

  it("computes softmax(q·kᵀ/√d)·v per head, as nn.MultiheadAttention (hand-computed, identity projections)", () => {
    // Tokens x_0 = (1, 0), x_1 = (0, 2) as [C = 2, N = 2]; W_in = [I; I; I], W_out = I, biases 0,
    // so q = k = v = x_t.
    const m = model(`model m {
      input x: [2, 2]
      a = x -> attention(2) as two
      b = x -> attention(1) as one
      output concat(a, b)
    }`);
    const eye = (n: number) => Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    const p: LayerParams = {
      in_proj_weight: f64([6, 2], [...eye(2), ...eye(2), ...eye(2)]), in_proj_bias: f64([6], [0, 0, 0, 0, 0, 0]),
      out_proj_weight: f64([2, 2], eye(2)), out_proj_bias: f64([2], [0, 0]),
    };
    const params = new Map([[nodeId(m, "two"), p], [nodeId(m, "one"), p]]);
    const y = Array.from(run(m, { precision: "f64", params, inputs: { x: f64([1, 2, 2], [1, 0, 0, 2]) } }).outputs.output!.data);
    const e = Math.E, s2 = Math.SQRT2;
    // Two heads, d = 1 (scale 1). Head 0 sees channel 0, values (1, 0): token 0 scores (1, 0) →
    // weights (e, 1)/(e + 1) → e/(e + 1); token 1 scores (0, 0) → 1/2. Head 1 sees channel 1,
    // values (0, 2): token 0 scores (0, 0) → 1; token 1 scores (0, 4) → 2e⁴/(1 + e⁴).
    const two = [e / (e + 1), 0.5, 1, (2 * e ** 4) / (1 + e ** 4)];
    // One head, d = 2 (scale 1/√2): token 0 scores (1/√2, 0) → a = e^(1/√2)/(e^(1/√2) + 1) on x_0,
    // 1 − a on x_1, o_0 = (a, 2(1 − a)); token 1 scores (0, 4/√2) → b = 1/(1 + e^(2√2)) on x_0,
    // o_1 = (b, 2(1 − b)). Laid out [C, N]: channel 0 = (a, b), channel 1 = (2(1 − a), 2(1 − b)).
    const a = e ** (1 / s2) / (e ** (1 / s2) + 1), b = 1 / (1 + e ** (2 * s2));
    const one = [a, b, 2 * (1 - a), 2 * (1 - b)];
    [...two, ...one].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it("the runtime counts the MACs the analyzer predicts (verify: every cell ✓, the field global)", () => {
    const v = verifyAllCells(`${ENCODER}
      model small_block {
        input tokens: [16, 9]
        output tokens -> conv1d(16, 3, padding=1) -> encoder(16, 4, 32)
      }
      model on_a_map {
        input x: [4, 6, 5]
        output x -> conv2d(8, 3) -> attention(2, qkv_bias=false) -> conv2d(4, 3)
      }
      model without_bias {
        input x: [8, 3, 4]
        a = x -> attention(2, bias=false)
        output add(x, a)
      }`);
    expect(v.models[2]!.layers.map((l) => [l.kind, l.cells.params.measured, l.cells.rf.measured])).toEqual([
      // 4·8² = 256 params, no bias.
      ["attention", 256, "global"], ["add", 0, "global"],
    ]);
    const fields = (i: number) => v.models[i]!.layers.map((l) => [l.kind, l.cells.rf.measured]);
    // The conv before attention sees 3 tokens, so does the layer norm over channels; from the
    // attention on, every unit sees all 9 (the MLP's 1-wide convs keep that).
    expect(fields(0)).toEqual([
      ["conv1d", [3]], ["layernorm", [3]], ["attention", "global"], ["add", "global"],
      ["layernorm", "global"], ["conv1d", "global"], ["gelu", "global"], ["conv1d", "global"], ["add", "global"],
    ]);
    expect(fields(1)).toEqual([["conv2d", [3, 3]], ["attention", "global"], ["conv2d", "global"]]);
    expect(v.models[1]!.layers.find((l) => l.kind === "attention")!.cells.macs.measured).toBe(
      // N = 4·3 = 12, C = 8: 4·12·64 = 3,072 + 2·144·8 = 2,304.
      3_072 + 2_304,
    );
  });
});
