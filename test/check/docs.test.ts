/** docs/ci.md's convspec.json example is valid and holds for the bundled zoo. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/check/config.js";
import { ROOT, runCli } from "../cli/run.js";

const doc = readFileSync(join(ROOT, "docs/ci.md"), "utf8");
const example = /```json\n([\s\S]*?)```/.exec(doc)![1]!;

describe("docs/ci.md", () => {
  it("its convspec.json parses without a diagnostic", () => {
    const r = parseConfig("convspec.json", example);
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.entries.map((e) => e.pattern)).toEqual(["vgg*", "resnet*", "resnet50", "mobilenet_v2"]);
  });

  it("its budgets hold for specs/, and one tightened on the command line fails", () => {
    const file = join(mkdtempSync(join(tmpdir(), "convspec-doc-")), "convspec.json");
    writeFileSync(file, example);
    const ok = runCli(["check", "specs", "--config", file]);
    expect(ok.code).toBe(0);
    // REFERENCE.md: ResNet-50 has 25,557,032 parameters, 57,032 over 25.5M (0.2%).
    expect(ok.stdout).toContain("ok   resnet50: params 25,557,032 ≤ 26M");
    const tight = runCli(["check", "specs/resnet50.cnn", "--config", file, "--max-params", "25.5M"]);
    expect(tight.code).toBe(1);
    expect(tight.stdout).toContain("FAIL specs/resnet50.cnn:5:1 resnet50: params 25,557,032 exceeds budget 25.5M by 57,032 (+0.2%)");
  });

  it("the workflow runs the formats the text promises", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(yaml).toContain("convspec check specs/ --format github");
    expect(yaml).toContain("--format junit");
    expect(yaml).toContain("--format markdown");
  });
});
