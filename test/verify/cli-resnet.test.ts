/** `convspec verify` on ResNet-18 with a reduced input (its own file: it takes ~10 s). */
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

describe("convspec verify resnet18", () => {
  it("resnet18 with --input-scale 0.25 passes; the RF probe uses a larger input", () => {
    const r = runCli(["verify", "specs/resnet18.cnn", "--input-scale", "0.25"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("input image [3, 56, 56]");
    expect(r.stdout).toMatch(/RF probe input (\d+)×\1/);
    expect(r.stdout).toMatch(/total +11,689,512 ✓ +9,600 ✓/);
  });

});
