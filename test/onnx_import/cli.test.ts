/**
 * The CLI around the importer (built dist/): `import` and its refusals, and .onnx paths read by
 * analyze, check, diff and verify.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

const fx = "test/fixtures/onnx/";
const truths = JSON.parse(readFileSync(`${fx}truths.json`, "utf8")) as Record<string, { stored_params: number; macs: number; folded_convs: number }>;

describe("convspec import", () => {
  it("writes the spec with -o, notes the folded batchnorms, and refuses to overwrite", () => {
    const dir = mkdtempSync(join(tmpdir(), "convspec-import-"));
    const out = join(dir, "r18.cnn");
    const r = runCli(["import", `${fx}resnet18_op17.onnx`, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`info CS4804: ${truths["resnet18_op17.onnx"]!.folded_convs} convolution(s) carry a bias the exporter folded from batchnorm`);
    expect(r.stderr).toMatch(/wrote .*r18\.cnn: model resnet18_op17/);
    const a = runCli(["analyze", out, "--format", "json"]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).models[0].totals.params).toBe(truths["resnet18_op17.onnx"]!.stored_params);
    const again = runCli(["import", `${fx}resnet18_op17.onnx`, "-o", out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("exists; add --force to replace it");
    expect(runCli(["import", `${fx}resnet18_op17.onnx`, "-o", out, "--force"]).code).toBe(0);
  });

  it("never writes over its input", () => {
    const dir = mkdtempSync(join(tmpdir(), "convspec-import-"));
    const model = join(dir, "m.cnn");
    copyFileSync(`${fx}dilated_net_op17.onnx`, model);
    const r = runCli(["import", model, "-o", model, "--force"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is the input file");
  });

  it("prints to standard output without -o; a broken file is CS4801, exit 1", () => {
    expect(runCli(["import", `${fx}dilated_net_op11.onnx`]).stdout).toMatch(/^model dilated_net_op11 \{/m);
    const dir = mkdtempSync(join(tmpdir(), "convspec-import-"));
    const bad = join(dir, "bad.onnx");
    writeFileSync(bad, readFileSync(`${fx}resnet18_op11.onnx`).subarray(0, 999));
    const r = runCli(["import", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error CS4801: .*bad\.onnx is not a readable ONNX model/);
    expect(existsSync(join(dir, "bad.cnn"))).toBe(false);
  });
});

describe(".onnx paths in the other commands", () => {
  it("analyze reads the model in memory", () => {
    const r = runCli(["analyze", `${fx}resnet50_op11.onnx`, "--format", "json"]);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout).models[0].totals;
    expect(t.params).toBe(truths["resnet50_op11.onnx"]!.stored_params);
    expect(t.macs).toBe(truths["resnet50_op11.onnx"]!.macs);
  });

  it("check applies budgets; diff compares an export with its import", () => {
    const over = runCli(["check", `${fx}resnet18_op11.onnx`, "--max-params", "11M", "--no-config"]);
    expect(over.code).toBe(1);
    expect(over.stdout).toMatch(/exceeds budget/);
    const d = runCli(["diff", `${fx}resnet18_op11.onnx`, `${fx}resnet18_op17.onnx`]);
    expect(d.code).toBe(0);
  });

  it("verify runs the imported model and agrees with the analysis", () => {
    const r = runCli(["verify", `${fx}dilated_net_op17.onnx`, "--no-rf"]);
    expect(r.stderr + r.stdout).not.toContain("internal error");
    expect(r.code).toBe(0);
  });

  it("a bad .onnx is a one-line refusal, not a stack", () => {
    const r = runCli(["analyze", "package.json.onnx"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^convspec: cannot read package\.json\.onnx: no such file\n$/);
  });
});
