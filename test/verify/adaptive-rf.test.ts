/**
 * An adaptive pooling to a size other than 1 widens its windows on a larger input, so its field
 * is never measured on the probe's enlarged input: on the model's own input when it fits,
 * otherwise not at all — never a false ✗. Where its sizes do not divide, after a fractional
 * jump (a transposed conv, an upsample) or making one itself, fields are whole input pixels,
 * the largest over output units (blind tester's B1). PyTorch's adaptive window i of N → O is
 * [floor(i·N/O), ceil((i+1)·N/O)).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import { verify } from "../../src/verify/verify.js";
import { chain } from "../analysis/helpers.js";

function check(text: string) {
  const c = compile({ file: "a.cnn", text });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const m = verify(c.graph).models[0]!;
  const bad = m.layers.flatMap((l) => Object.entries(l.cells).filter(([, v]) => !v.ok).map(([q]) => `${l.name}.${q}`));
  expect(bad).toEqual([]);
  return { m, rf: (name: string) => m.layers.find((l) => l.name === name)!.cells.rf! };
}

describe("adaptive pooling in the receptive-field probe", () => {
  it("after a field wider than the input (as torchvision's AlexNet): the conv on an enlarged input, the pooling not at all", () => {
    // wide: 7×7 with dilation 6 sees 37 > 32 inputs, so the probe input grows to 64. There
    // adaptive_avgpool(4) would pool 16-unit windows instead of 8: a different field.
    const { m, rf } = check(`model m {
  input x: [1, 32, 32]
  output x -> conv2d(2, 7, dilation=6, padding=18) as wide -> adaptive_avgpool(4) as ap
}`);
    expect(m.rfProbeInput![0]).toBeGreaterThan(32);
    expect(rf("wide")).toMatchObject({ predicted: [37, 37], measured: [37, 37], ok: true });
    expect(rf("ap").measured).toBeNull();
  });

  it("a merge that cannot run enlarged: the local path enlarged, the size-dependent one at the model's size", () => {
    // ap: conv 3×3 (32 → 30), adaptive_avgpool(5): windows [6i, 6i + 6), field 3 + 5 = 8. On a
    // 64 input its output stays 5×5 while wide's grows: the add cannot run enlarged. The probe
    // runs only what the probed layers depend on, so wide (37 + 5 = 42 > 32) is measured on the
    // 64 input without the add, and ap and the add on the model's own input.
    const { m, rf } = check(`model m {
  input x: [1, 32, 32]
  a = x -> conv2d(2, 3) -> adaptive_avgpool(5) as ap
  b = x -> conv2d(2, 7, dilation=6, padding=18) -> maxpool(6) as wide
  output add(a, b)
}`);
    expect(m.rfProbeInput).toEqual([64, 64]);
    expect(rf("ap")).toMatchObject({ predicted: [8, 8], measured: [8, 8], ok: true });
    expect(rf("wide")).toMatchObject({ predicted: [42, 42], measured: [42, 42], ok: true });
  });

  it("a field exactly as wide as one axis of a tiny input is still measured on an enlarged input", () => {
    // maxpool(3, stride=2, ceil=true) on 2×3: one output (as PyTorch), field 3×3; along W it
    // happens to span the input (3 wide, centred at 1), which is not a softmax's whole-axis field.
    const { m, rf } = check(`model m {
  input x: [2, 2, 3]
  output x -> maxpool(3, stride=2, ceil=true) as p
}`);
    expect(m.rfProbeInput![0]).toBeGreaterThan(2);
    expect(rf("p")).toMatchObject({ predicted: [3, 3], measured: [3, 3], ok: true });
  });
});

// in=[1,14] deconv1d(k=5, s=3, p=2, output_padding=1, d=2): (14 − 1)·3 − 2·2 + 2·4 + 1 + 1 = 45
// outputs; output o gathers input i where 3i − 2 + 2t = o for a tap t in 0..4 (PyTorch's
// ConvTranspose1d). adaptive_avgpool(7) of 45: window i is [floor(45i/7), ceil(45(i+1)/7)):
//   unit 2: outputs 12..19. o=12: 3i = 14 − 2t ∈ {14,12,10,8,6} → i 4, 2; o=13 → 5, 3; o=14 → 4;
//   o=15 → 5, 3; o=16 → 6, 4; o=17 → 5; o=18 → 6, 4; o=19 → 7, 5. Inputs 2..7: 6 pixels.
//   unit 3 (the centre): outputs 19..25 → inputs 5..9, 5 pixels (what a probe of the centre sees).
//   units 1, 4, 5: outputs 6..12, 25..32, 32..38 → inputs 0..4, 7..11, 9..13: 5 each.
// The largest over units is 6, not (3 − 1) + 8·(1/3) + 1 = 5.33 from the mean jump.
const REPRO = "deconv1d(1, 5, stride=3, padding=2, output_padding=1, dilation=2) as up -> adaptive_avgpool(7) as ap";

describe("adaptive pooling after a fractional jump", () => {
  it("in=[1,14] deconv k=5 s=3 d=2 → adaptive 45→7: the widest unit sees 6 pixels", () => {
    const r = chain([1, 14], REPRO);
    expect(r.layer("ap").rf.size).toEqual([6]);
  });

  it("verify measures 6 on the widest unit and passes", () => {
    const { rf } = check(`model m {\n  input x: [1, 14]\n  output x -> ${REPRO}\n}`);
    expect(rf("ap")).toMatchObject({ predicted: [6], measured: [6], ok: true });
  });

  it("the blind tester's s1d chain (deconv 13 → 42, adaptive 42 → 7): verify passes on the pooling", () => {
    const { rf } = check(`model s1d {
  input x: [4, 101]
  output x
    -> conv1d(8, 5, stride=2, padding=[[3, 0]], dilation=2) -> batchnorm -> relu
    -> maxpool1d(3, stride=2, ceil=true)
    -> conv1d(12, 4, padding=same, groups=4, bias=false)
    -> avgpool(3, stride=2, padding=1, ceil=true, count_pad=false)
    -> deconv1d(6, 5, stride=3, padding=2, output_padding=1, dilation=2)
    -> adaptive_avgpool(7) as ap
}`);
    // The gradient of the widest unit reaches 65 input pixels (it measured 21..85 before the
    // fix, against a prediction of 62.33).
    expect(rf("ap")).toMatchObject({ predicted: [65], measured: [65], ok: true });
  });

  it("in=[16,9,9] 3×3 conv → adaptive [13, 4] → conv [1, 7]: 4×5 then 4×19, whole pixels", () => {
    // H: 9 → 13 windows hold 1 or 2 rows: 3 + 1 = 4. W: 9 → 4 windows [0,3) [2,5) [4,7) [6,9):
    // 3 + 2 = 5. The [1, 7] conv joins 7 consecutive pooled columns, extended past the border
    // by the period (4 units, 9 columns): units 2..8 cover [floor(9·2/4), ceil(9·9/4)) = [4, 21),
    // 17 columns, the most of any 7 (units 0..6 and 1..7 cover 16); 17 + 3 − 1 = 19 (was 18.5).
    const r = chain([16, 9, 9], "conv2d(1, 3, padding=1) -> adaptive_avgpool([13, 4]) as ap -> conv2d(8, [1, 7], padding=[0, 3]) as c");
    expect(r.layer("ap").rf.size).toEqual([4, 5]);
    expect(r.layer("c").rf.size).toEqual([4, 19]);
  });

  it("cases that verified before still do: divisible sizes, upsample first, a plain avgpool", () => {
    // deconv k=4 s=2 p=1 on 16 → 32: output o reads i where 2i − 1 + t = o, two inputs (o = 4u:
    // 2u − 1, 2u; 4u + 1 and 4u + 2: 2u, 2u + 1; 4u + 3: 2u + 1, 2u + 2); adaptive 32 → 8 pools
    // outputs 4u..4u + 3: inputs 2u − 1..2u + 2, 4 pixels.
    expect(check("model m {\n  input x: [1, 16]\n  output x -> deconv1d(1, 4, stride=2, padding=1) -> adaptive_avgpool(8) as ap\n}").rf("ap"))
      .toMatchObject({ predicted: [4], measured: [4], ok: true });
    // conv 3 (pad 1) on 12, nearest upsample ×2 → 24, adaptive 24 → 8 pools outputs 3u..3u+2,
    // sources floor(3u/2)..floor(3u/2 + 1): 2 conv units (3 pixels each, 1 apart) → 4 pixels.
    expect(check("model m {\n  input x: [1, 12]\n  output x -> conv1d(1, 3, padding=1) -> upsample(2) -> adaptive_avgpool(8) as ap\n}").rf("ap"))
      .toMatchObject({ predicted: [4], measured: [4], ok: true });
    // The repro's deconv then avgpool(3, stride 2): outputs 2u..2u+2, e.g. o = 12..14 → inputs
    // 2..5 (o=12: 4, 2; o=13: 5, 3; o=14: 4) = 4 pixels; o = 14..16 → 3..6 = 4; o = 16..18 → 4..6 = 3.
    expect(check("model m {\n  input x: [1, 14]\n  output x -> deconv1d(1, 5, stride=3, padding=2, output_padding=1, dilation=2) -> avgpool(3, stride=2) as ap\n}").rf("ap"))
      .toMatchObject({ predicted: [4], measured: [4], ok: true });
  });
});

describe("local field sizes are whole pixels", () => {
  it("every local field of every spec in specs/ is an integer", () => {
    const dir = new URL("../../specs/", import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".cnn"))) {
      const c = compile({ file: f, text: readFileSync(new URL(f, dir), "utf8") });
      for (const m of analyze(c.graph).models) {
        for (const l of m.layers) if (!l.rf.global && l.rf.notSpatial === undefined) expect(l.rf.size.every(Number.isInteger), `${f} ${l.name} ${l.rf.size}`).toBe(true);
      }
    }
  });

  it("a transposed conv whose phases are too long to map: the estimate is rounded up to whole pixels", () => {
    // Stride 5000 gives 5000 phases (over the 4096 mapped); each output reads at most one input
    // (o = 5000i + t, t < 2) and three consecutive outputs never straddle two inputs: truly 1.
    // The recurrence estimate 1 + 2/5000 is shown as 2, never as 1.0004.
    const r = chain([1, 3], "deconv1d(1, 2, stride=5000) -> conv1d(1, 3) as c");
    expect(r.layer("c").rf.size).toEqual([2]);
  });
});
