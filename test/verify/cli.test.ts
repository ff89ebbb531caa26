/** `convspec verify` as a user runs it (needs `npx tsc -p tsconfig.json` first). */
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

describe("convspec verify", () => {
  it("lenet5: a ✓ per cell, no ✗, exit 0", () => {
    const r = runCli(["verify", "specs/lenet5.cnn"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conv2d_1 +conv2d +\[1, 6, 28, 28\] ✓ +156 ✓ +0 ✓ +117,600 ✓ +18,816 B ✓ +5 ✓/);
    expect(r.stdout).toMatch(/total +61,706 ✓ +0 ✓ +416,520 ✓/);
    expect(r.stdout).not.toContain("✗");
    expect(r.stdout).toContain("all predictions agree with the run");
  });

  it("--format json carries predicted and measured per cell", () => {
    const r = runCli(["verify", "specs/genre1d.cnn", "--format", "json", "--batch", "2"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(true);
    const conv = j.models[0].layers[0];
    // conv1d(32, kernel=80, stride=4, padding=38) on 16000: (16000 + 76 − 80)/4 + 1 = 4000 outputs,
    // each 80 MACs per channel, 32 channels, batch 2.
    expect(conv.cells.shape.measured).toEqual([2, 32, 4000]);
    expect(conv.cells.macs).toEqual({ predicted: 2 * 32 * 4000 * 80, measured: 2 * 32 * 4000 * 80, ok: true });
  });

  it("refuses a run over --max-memory with a clear message (exit 2)", () => {
    const r = runCli(["verify", "specs/lenet5.cnn", "--max-memory", "100KiB"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CS4006");
    expect(r.stderr).toMatch(/the forward run needs about 656\.85 KiB at batch 1, more than the limit of 100\.00 KiB/);
    expect(r.stdout).toContain("not verified");
  });

  it("rejects a bad option value (exit 2)", () => {
    expect(runCli(["verify", "specs/lenet5.cnn", "--input-scale", "3"]).code).toBe(2);
    expect(runCli(["verify", "specs/lenet5.cnn", "--batch", "0"]).code).toBe(2);
    expect(runCli(["verify", "specs/lenet5.cnn", "--max-memory", "lots"]).code).toBe(2);
  });

  it("no progress bar when stderr is not a terminal", () => {
    const r = runCli(["verify", "specs/googlenet_3a.cnn"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("reads standard input, also with --input-scale (compiled twice, read once)", () => {
    const text = "model m {\n input x: [1, 16, 16]\n output x -> conv2d(2, 3, padding=1) -> maxpool(2)\n}\n";
    const r = runCli(["verify", "-", "--input-scale", "0.5", "--format", "json"], { input: text });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.models[0].inputs).toEqual({ x: [1, 8, 8] });
    // conv2d(2, 3, padding=1) on 8×8: 2·8·8 outputs × 9 taps = 1,152 MACs.
    expect(j.models[0].layers[0].cells.macs.measured).toBe(1152);
  });

  it("a spec with errors exits 2 with its diagnostics", () => {
    const r = runCli(["verify", "-"], { input: "model m {\n input x: [1, 8, 8]\n output x -> conv2d(2, kernel=9)\n}\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CS\d{4}/);
  });
});
