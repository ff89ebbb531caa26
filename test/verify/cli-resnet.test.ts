/** `convspec verify` on ResNet-18 with a reduced input (its own file: it takes ~10 s). */
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

describe("convspec verify resnet18", () => {
  it("--input-scale 0.25 passes every cell; the RF probe uses a larger input and finds 435 after layer4", () => {
    const r = runCli(["verify", "specs/resnet18.cnn", "--input-scale", "0.25", "--format", "json"]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).models[0];
    expect(m.ok).toBe(true);
    expect(m.inputs).toEqual({ image: [3, 56, 56] });
    // The field (435) does not fit a 56×56 input: the probe enlarges it by an integer factor.
    expect(m.rfProbeInput[0]).toBeGreaterThan(435);
    expect(m.rfProbeInput[0] % 56).toBe(0);
    // REFERENCE.md: 11,689,512 params; RF 435 after layer4 (the relu before global pooling).
    expect(m.totals.params.measured).toBe(11_689_512);
    const layers = m.layers as { kind: string; cells: { rf: { measured: unknown } } }[];
    const gap = layers.findIndex((l) => l.kind === "global_avgpool");
    expect(layers[gap - 1]!.cells.rf.measured).toEqual([435, 435]);
  });
});
