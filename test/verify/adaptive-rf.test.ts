/**
 * An adaptive pooling to a size other than 1 widens its windows on a larger input, so its field
 * is never measured on the probe's enlarged input: on the model's own input when it fits,
 * otherwise not at all — never a false ✗.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { verify } from "../../src/verify/verify.js";

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
