/**
 * No follow-on errors: a name whose statement failed (a label, a binding, a block call) is
 * known to have failed, so an assert on it or a later use of it adds nothing to the error
 * already reported (blind trial findings 2 and 4).
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";

/** Every diagnostic of a compile as `code message`. */
function diagnostics(text: string): string[] {
  return compile({ file: "t.cnn", text }).diagnostics.map((d) => `${d.code} ${d.message}`);
}

const STACK = "block b(c, n) {\n  input x\n  output x -> conv2d(c, 3, padding=1) * n\n}\n";

describe("cascades after a failed statement", () => {
  test("an assert on the label of a failed block call: the call's error alone, no CS2032", () => {
    expect(diagnostics(`${STACK}model m {\n  input x: [3, 16, 16]\n  output x -> b(8, -1) as features -> relu\n  assert shape(features) == [8, 16, 16]\n}\n`))
      .toEqual(["CS2016 a repeat count must be an integer ≥ 0, got -1"]);
  });

  test("an assert on a failed call's own name (b_1), a failed binding, a label after the failed step: silent", () => {
    const text = `${STACK}model m {
  input x: [3, 16, 16]
  y = x -> conv2x(8)
  z = x -> b(8, -1) -> relu as after
  output concat(y, z)
  assert shape(y) == [8, 14, 14]
  assert params(b_1) == 0
  assert shape(after) == [8, 16, 16]
}
`;
    expect(diagnostics(text)).toEqual([
      'CS2001 unknown layer or block "conv2x"',
      "CS2016 a repeat count must be an integer ≥ 0, got -1",
    ]);
  });

  test("a label that no statement gives is still CS2032 in a model with errors", () => {
    expect(diagnostics(`${STACK}model m {\n  input x: [3, 16, 16]\n  output x -> b(8, -1) as features\n  assert shape(featurez) == [8, 16, 16]\n}\n`)).toEqual([
      "CS2016 a repeat count must be an integer ≥ 0, got -1",
      'CS2032 no layer, block call or tensor named "featurez" in model m',
    ]);
  });

  test("a labelled call of a block with several results that fails: no CS2032 for its label", () => {
    const down = "block down(c) {\n  input x\n  output skip = x -> conv2d(c / 3, 3, padding=1)\n  output down = skip -> maxpool(2)\n}\n";
    expect(diagnostics(`${down}model m {\n  input x: [3, 16, 16]\n  s, d = x -> down(8) as enc\n  output concat(d, d)\n  assert params(enc) == 0\n}\n`))
      .toEqual(["CS2006 conv2d: out_channels must be an integer ≥ 1, got the number 2.6666666666666665"]);
  });

  test("like=u after a failed chain source, u bound on the line above: the source's CS2009 alone (no 'unknown name u')", () => {
    const text = `block up(c, skip) {
  input x
  u = x -> deconv2d(c, 2, stride=2)
  s = skip -> center_crop(like=u)
  output concat(u, s)
}
model m {
  input x: [3, 16, 16]
  output x -> up(8, 3)
}
`;
    expect(diagnostics(text)).toEqual(['CS2009 unknown tensor "skip"']);
  });

  test("like= a tensor never bound, after a failed step, is still CS2009; a bound one read only there is not 'never used'", () => {
    const text = "model m {\n  input x: [3, 16, 16]\n  u = x -> relu\n  v = x -> conv2x(8) -> center_crop(like=u) -> center_crop(like=w)\n  output v\n}\n";
    expect(diagnostics(text)).toEqual(['CS2001 unknown layer or block "conv2x"', 'CS2009 unknown tensor "w"']);
  });
});
