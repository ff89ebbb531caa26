/**
 * Receptive fields by hand with Araujo et al.'s recurrences: r' = r + (Keff − 1)·j, j' = j·S,
 * start' = start + ((Keff − 1)/2 − Pb)·j; and published figures (../shared/REFERENCE.md).
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { chain, codes, run } from "./helpers.js";

const spec = (name: string) => run(readFileSync(new URL(`../../specs/${name}.cnn`, import.meta.url), "utf8"));

describe("receptive field: chains", () => {
  test("in=[1,32,32] two 3×3 convs: 1 + 2 + 2 = 5, jump 1", () => {
    const l = chain([1, 32, 32], "conv2d(1, 3) -> conv2d(1, 3)").layer("conv2d_2");
    expect(l.rf.size).toEqual([5, 5]);
    expect(l.rf.jump).toEqual([1, 1]);
  });
  test("dilated: k=3 d=2 then k=3 d=4 → 1 + 4 + 8 = 13", () => {
    const r = chain([1, 64, 64], "conv2d(1, 3, dilation=2) -> conv2d(1, 3, dilation=4)");
    expect(r.layer("conv2d_1").rf.size).toEqual([5, 5]);
    expect(r.layer("conv2d_2").rf.size).toEqual([13, 13]);
  });
  test("LeNet-5: 5 → pool 6 (j 2) → 6 + 4·2 = 14 → pool 14 + 1·2 = 16, jump 4", () => {
    const r = spec("lenet5");
    const pool2 = r.layer("avgpool_2");
    expect(pool2.rf.size).toEqual([16, 16]);
    expect(pool2.rf.jump).toEqual([4, 4]);
  });
  test("start: k=3 p=1 keeps the centre at 0; k=3 p=0 moves it to 1; k=2 s=2 to 0.5", () => {
    expect(chain([1, 8, 8], "conv2d(1, 3, padding=1)").layer("conv2d_1").rf.start).toEqual([0, 0]);
    expect(chain([1, 8, 8], "conv2d(1, 3)").layer("conv2d_1").rf.start).toEqual([1, 1]);
    expect(chain([1, 8, 8], "maxpool(2)").layer("maxpool_1").rf.start).toEqual([0.5, 0.5]);
  });
  test("per axis: k=[1,7] → [1, 7]", () => {
    expect(chain([1, 9, 9], "conv2d(1, [1, 7])").layer("conv2d_1").rf.size).toEqual([1, 7]);
  });
  test("transposed conv k=3 s=2: outputs read up to 2 inputs → size 2, jump 1/2; a 3×3 conv after it: 2 + 2·½ = 3", () => {
    const r = chain([1, 8, 8], "deconv2d(1, 3, stride=2) -> conv2d(1, 3)");
    const d = r.layer("deconv2d_1");
    expect(d.rf.size).toEqual([2, 2]);
    expect(d.rf.jump).toEqual([0.5, 0.5]);
    expect(r.layer("conv2d_1").rf.size).toEqual([3, 3]);
  });
  test("upsample(2): nearest reads 1 input (size 1, jump ½), bilinear 2", () => {
    expect(chain([1, 4, 4], "upsample(2)").layer("upsample_1").rf).toMatchObject({ size: [1, 1], jump: [0.5, 0.5] });
    expect(chain([1, 4, 4], "upsample(2, mode=bilinear)").layer("upsample_1").rf.size).toEqual([2, 2]);
  });
  test("global pooling and dense see the whole input (the 32×32 image), marked global", () => {
    const r = chain([1, 32, 32], "conv2d(2, 3) -> global_avgpool -> flatten -> dense(4)");
    expect(r.layer("global_avgpool_1").rf).toMatchObject({ size: [32, 32], global: true });
    expect(r.layer("dense_1").rf.global).toBe(true);
  });
  test("1-D: conv1d k=80 s=4 then maxpool(4): 80 + 3·4 = 92, jump 16", () => {
    expect(chain([1, 16000], "conv1d(2, 80, stride=4, padding=38) -> maxpool(4)").layer("maxpool_1").rf).toMatchObject({ size: [92], jump: [16] });
  });
});

describe("receptive field: branches and merges", () => {
  test("concat of a 1×1 path and two 3×3 convs takes the largest: 5", () => {
    const r = run("model t {\n  input x: [4, 8, 8]\n  a = x -> conv2d(2, 1)\n  b = x -> conv2d(2, 3, padding=1) -> conv2d(2, 3, padding=1)\n  output concat(a, b)\n}");
    expect(r.layer("concat_1").rf.size).toEqual([5, 5]);
    expect(codes(r)).toEqual([]);
  });
  test("paths whose centres differ (0 vs 0.5) warn", () => {
    const r = run("model t {\n  input x: [4, 8, 8]\n  a = x -> conv2d(4, 3, padding=1)\n  b = x -> conv2d(4, 2, padding=[[0, 1], [0, 1]])\n  output add(a, b)\n}");
    expect(codes(r)).toEqual(["CS3012"]);
    expect(r.diagnostics[0]!.message).toContain("centres 0 vs 0.5");
    // Spatial axes by name, as CS3009 does: "axis 0" would be the channels in the language.
    expect(r.diagnostics[0]!.message).toContain("(H: centres 0 vs 0.5; W: centres 0 vs 0.5)");
  });
  test("a squeeze-and-excitation gate: mul keeps the local field (3) and marks it global", () => {
    const r = run("model t {\n  input x: [4, 8, 8]\n  y = x -> conv2d(4, 3, padding=1)\n  g = y -> global_avgpool -> conv2d(4, 1) -> sigmoid\n  output mul(y, g)\n}");
    expect(r.layer("mul_1").rf).toMatchObject({ size: [3, 3], global: true });
    expect(codes(r)).toEqual([]);
  });
});

describe("receptive field: published figures", () => {
  test("AlexNet rf(pool5) = 195, jump 32", () => {
    expect(spec("alexnet").layer("pool5").rf).toMatchObject({ size: [195, 195], jump: [32, 32] });
  });
  test("VGG-16 rf(pool5) = 212, jump 32", () => {
    expect(spec("vgg16").layer("pool5").rf).toMatchObject({ size: [212, 212], jump: [32, 32] });
  });
  test("ResNet-18 after layer4 (the input of global_avgpool) = 435, jump 32", () => {
    const r = spec("resnet18");
    const i = r.model.layers.findIndex((l) => l.kind === "global_avgpool");
    expect(r.model.layers[i - 1]!.rf).toMatchObject({ size: [435, 435], jump: [32, 32] });
  });
});

describe("receptive field: squeeze-and-excitation inside a residual block", () => {
  // y: two 3×3 convs (1 + 2 + 2 = 5); the gate sees the whole 16×16 input; mul(y, g) keeps 5,
  // marked global; the shortcut x is the input itself (1). The add must report 5, not 1.
  const se = (merge: string) => run(`model t {
  input x: [4, 16, 16]
  y = x -> conv2d(4, 3, padding=1) -> conv2d(4, 3, padding=1)
  g = y -> global_avgpool -> conv2d(4, 1) -> sigmoid
  z = mul(y, g) as gated
  output ${merge} as res
}`);
  test("add(gated, x): the gated path's 5 wins over the shortcut's 1, still marked global", () => {
    const r = se("add(z, x)");
    expect(r.layer("gated").rf).toMatchObject({ size: [5, 5], global: true });
    expect(r.layer("res").rf).toMatchObject({ size: [5, 5], jump: [1, 1], start: [0, 0], global: true });
    expect(codes(r)).toEqual([]);
  });
  test("add(x, gated): operand order does not matter", () => {
    expect(se("add(x, z)").layer("res").rf).toMatchObject({ size: [5, 5], global: true });
  });
  test("two gated operands: the wider local part (5 vs 3) wins whichever comes first", () => {
    const r = run(`model t {
  input x: [4, 16, 16]
  a = x -> conv2d(4, 3, padding=1)
  ga = a -> global_avgpool -> conv2d(4, 1) -> sigmoid
  b = a -> conv2d(4, 3, padding=1)
  gb = b -> global_avgpool -> conv2d(4, 1) -> sigmoid
  sa = mul(a, ga)
  sb = mul(b, gb)
  output add(sa, sb) as res
}`);
    expect(r.layer("res").rf).toMatchObject({ size: [5, 5], global: true });
  });
});

describe("receptive field: a whole-input path stays the whole input", () => {
  // On an 8×8 input, global pooling sees 8. A 3×3 conv (padding 1) on the pooled [4, 1, 1] map
  // and a bilinear upsample back to 8×8 (DeepLabv3's image-pooling branch) still see 8, not
  // 8 + 2·8 = 24 and 24 + 8 = 32.
  const r = run(`model t {
  input x: [4, 8, 8]
  a = x -> conv2d(4, 3, padding=1) -> conv2d(4, 3, padding=1)
  p = x -> global_avgpool -> conv2d(4, 3, padding=1) as pc -> upsample(8, mode=bilinear) as up
  output concat(a, p) as cat
}`);
  test("conv after global pooling: 8, global", () => {
    expect(r.layer("pc").rf).toMatchObject({ size: [8, 8], global: true });
  });
  test("bilinear upsample of it: 8, global", () => {
    expect(r.layer("up").outputShape).toEqual([4, 8, 8]);
    expect(r.layer("up").rf).toMatchObject({ size: [8, 8], global: true });
  });
  test("concat with the local path (5) reports 5, marked global, with no alignment warning", () => {
    expect(r.layer("cat").rf).toMatchObject({ size: [5, 5], jump: [1, 1], global: true });
    expect(codes(r)).toEqual([]);
  });
  test("adaptive pooling to 2×2 after a dense-style whole path keeps the extent", () => {
    const q = chain([2, 8, 8], "global_avgpool -> upsample(4) -> adaptive_avgpool(2) as ad");
    expect(q.layer("ad").rf).toMatchObject({ size: [8, 8], global: true });
  });
});

describe("receptive field: merges of shifted fields on one grid", () => {
  // A causal 3-tap conv (padding [2, 0]) reads x[t−2..t]; an anti-causal one (padding [0, 2])
  // reads x[t..t+2]. Their sum at t depends on x[t−2..t+2]: 5, centred on t, not the widest 3.
  const r = run(`model t {
  input x: [1, 16]
  a = x -> conv1d(1, 3, padding=[[2, 0]]) as causal
  b = x -> conv1d(1, 3, padding=[[0, 2]]) as anti
  output add(a, b) as both
}`);
  test("the union of [−2, 0] and [0, 2] is 5 wide, centre 0, and the centres still warn", () => {
    expect(r.layer("causal").rf).toMatchObject({ size: [3], start: [-1] });
    expect(r.layer("anti").rf).toMatchObject({ size: [3], start: [1] });
    expect(r.layer("both").rf).toMatchObject({ size: [5], jump: [1], start: [0] });
    expect(codes(r)).toEqual(["CS3012"]);
  });
  test("a field inside another (causal residual: [t−2, t] and [t, t]) stays the wider one, 3", () => {
    const q = run(`model t {
  input x: [1, 16]
  a = x -> conv1d(1, 3, padding=[[2, 0]])
  output add(a, x) as res
}`);
    expect(q.layer("res").rf).toMatchObject({ size: [3], start: [-1] });
  });
});

describe("receptive field: exact per-position fields after transposed convs", () => {
  // Two 2×2 max pools: unit m sees [4m, 4m+3]. A 2×2/2 transposed conv gives units 2m and
  // 2m+1 the same field as m. A 3-tap conv (padding 1) reads three of those: two values of m,
  // [4m, 4m+7] = 8. A second 2×2/2 transposed conv and 3-tap conv: unit x reads v in
  // {⌊(x−1)/2⌋, ⌊(x+1)/2⌋}; for even v the two v's cover three m's (12), for odd v two (8).
  // The fractional-jump recurrence would say 8 + 2·1 = 10 for every unit; the widest is 12.
  const r = chain([1, 32], "maxpool(2) -> maxpool(2) as p -> deconv1d(1, 2, stride=2) as u1 -> conv1d(1, 3, padding=1) as c1 -> deconv1d(1, 2, stride=2) as u2 -> conv1d(1, 3, padding=1) as c2");
  test("4 → 4 → 8 → 8 → 12", () => {
    expect(r.layer("p").rf.size).toEqual([4]);
    expect(r.layer("u1").rf).toMatchObject({ size: [4], jump: [2] });
    expect(r.layer("c1").rf.size).toEqual([8]);
    expect(r.layer("u2").rf).toMatchObject({ size: [8], jump: [1] });
    expect(r.layer("c2").rf.size).toEqual([12]);
  });
  test("the pattern repeats every 4 units of c2: x = 0, 1, 2, 3 read v = (−1, 0), (0, 1), (0, 1), (1, 2): 8, 12, 12, 8", () => {
    const ph = r.layer("c2").rf.phases![0]!;
    expect(ph.period).toBe(4);
    expect(ph.lo.map((lo, i) => ph.hi[i]! - lo + 1)).toEqual([8, 12, 12, 8]);
  });
  test("a merge with a regular path is exact too: concat with the input-level 3-tap conv keeps 12", () => {
    const q = run(`model t {
  input x: [1, 32]
  a = x -> conv1d(1, 3, padding=1)
  b = x -> maxpool(2) -> maxpool(2) -> deconv1d(1, 2, stride=2) -> conv1d(1, 3, padding=1) -> deconv1d(1, 2, stride=2) -> conv1d(1, 3, padding=1)
  output concat(a, b) as cat
}`);
    expect(q.layer("cat").rf.size).toEqual([12]);
  });
});

describe("receptive field: concat along a spatial axis", () => {
  // Along W each output position comes from one operand: the causal [t−2, t] or the
  // anti-causal [t, t+2] field, 3 wide either way; along channels a position holds both: 5.
  const r = run(`model t {
  input x: [1, 4, 16]
  a = x -> conv2d(1, [1, 3], padding=[[0, 0], [2, 0]])
  b = x -> conv2d(1, [1, 3], padding=[[0, 0], [0, 2]])
  output w = concat(a, b, axis=2) as along_w
  output concat(a, b) as along_c
}`);
  test("axis=2: the widest operand field, 3; channels: the union, 5", () => {
    expect(r.layer("along_w").outputShape).toEqual([1, 4, 32]);
    expect(r.layer("along_w").rf.size).toEqual([1, 3]);
    expect(r.layer("along_c").rf.size).toEqual([1, 5]);
  });
});
