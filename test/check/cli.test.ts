/**
 * `convspec check` as a subprocess: exit codes, text lines, JUnit XML, GitHub workflow
 * commands and JSON, on small specs whose numbers are worked out by hand below.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

// conv 3→8, 3×3 pad 1 on 32×32: 3·3·3·8 + 8 = 224 params, 8·32·32·27 = 221,184 MACs.
// maxpool 2 → 16×16. conv 8→16, 3×3 pad 1: 3·3·8·16 + 16 = 1,168 params, 16·16·16·72 = 294,912 MACs.
// Totals: 1,392 params, 516,096 MACs. Receptive field: 3, then 4 (jump 2), then 4 + 2·2 = 8.
// Activations (float32): 8·32·32·4 = 32,768 for the conv and again for the relu, 8·16·16·4 =
// 8,192 for the pool, 16·16·16·4 = 16,384 for the last conv: 90,112 bytes.
const TINY = `model tiny {
  input x: [3, 32, 32]
  output x -> conv2d(8, 3, padding=1) as c1 -> relu -> maxpool(2) as p1 -> conv2d(16, 3, padding=1) as c2
  assert params == 1_392
  assert macs == 516_096
  assert rf(c2) == 8
}
`;

/** A fresh folder holding the given files; returns its path. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "convspec-check-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("convspec check: asserts", () => {
  it("passes: one short line per assert, the summary, exit 0", () => {
    const dir = workspace({ "tiny.cnn": TINY });
    const r = runCli(["check", "tiny.cnn"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(["ok   tiny: params == 1_392", "ok   tiny: macs == 516_096", "ok   tiny: rf(c2) == 8", "3 passed, 0 failed", ""].join("\n"));
  });

  it("a failing assert names its file:line:col, both values and the gap, and exits 1", () => {
    const dir = workspace({ "tiny.cnn": TINY.replace("params == 1_392", "params == 1_000") });
    const r = runCli(["check", "tiny.cnn"], { cwd: dir });
    expect(r.code).toBe(1);
    const fail = r.stdout.split("\n").find((l) => l.startsWith("FAIL"));
    // Line 4, column 3 is where `assert params == 1_000` starts.
    expect(fail).toMatch(/^FAIL tiny\.cnn:4:3 tiny: assert params == 1_000 failed/);
    // Both values, and the gap: 1,392 − 1,000 = 392.
    expect(fail).toMatch(/1,392.*1,000.*392/);
    expect(r.stdout).toContain("2 passed, 1 failed");
  });

  it("the whole zoo in specs/ (a folder: specs/lib's block files are skipped) holds", () => {
    const r = runCli(["check", "specs"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.stdout).toContain("ok   resnet50: params == 25_557_032");
  });

  it("globs pick files: specs/vgg1?.cnn is vgg11, vgg13, vgg16, vgg19", () => {
    const r = runCli(["check", "specs/vgg1?.cnn"]);
    expect(r.code).toBe(0);
    const models = new Set(r.stdout.split("\n").filter((l) => l.startsWith("ok")).map((l) => l.split(/\s+/)[1]));
    expect([...models]).toEqual(["vgg11:", "vgg13:", "vgg16:", "vgg19:"]);
  });
});

describe("convspec check: budgets", () => {
  it("command-line budgets: params, memory and receptive field, with the gap and its share", () => {
    const dir = workspace({ "tiny.cnn": TINY });
    const r = runCli(["check", "tiny.cnn", "--max-params", "1K", "--max-memory", "64KiB", "--min-rf", "10", "--max-macs", "1M"], { cwd: dir });
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    // 1,392 − 1,000 = 392, 39.2% of 1,000; the model is declared at line 1, column 1.
    expect(lines).toContain("FAIL tiny.cnn:1:1 tiny: params 1,392 exceeds budget 1K by 392 (+39.2%)");
    // 90,112 − 65,536 = 24,576 bytes = 24.0 KiB, 37.5% of 64 KiB.
    expect(lines).toContain("FAIL tiny.cnn:1:1 tiny: memory 90,112 bytes (88.0 KiB) exceeds budget 64KiB by 24,576 bytes (24.0 KiB) (+37.5%)");
    // 8 is 2 short of 10: -20.0%.
    expect(lines).toContain("FAIL tiny.cnn:1:1 tiny: rf 8 is below the minimum 10 by 2 (-20.0%)");
    expect(lines).toContain("ok   tiny: macs 516,096 ≤ 1M");
    expect(lines).toContain("4 passed, 3 failed");
  });

  it("--batch and --dtype apply as in analyze: batch 2 doubles MACs, float16 halves bytes", () => {
    const dir = workspace({ "tiny.cnn": TINY.replace("  assert macs == 516_096\n", "") });
    const r = runCli(["check", "tiny.cnn", "--batch", "2", "--dtype", "float16", "--max-macs", "1M", "--max-memory", "100K"], { cwd: dir });
    expect(r.code).toBe(1);
    // 2 · 516,096 = 1,032,192 MACs, 32,192 over 1M (3.2%); 2 · 90,112 / 2 = 90,112 bytes ≤ 100,000.
    expect(r.stdout).toContain("FAIL tiny.cnn:1:1 tiny: macs 1,032,192 exceeds budget 1M by 32,192 (+3.2%)");
    expect(r.stdout).toContain("ok   tiny: memory 90,112 bytes (88.0 KiB) ≤ 100K");
  });

  it("convspec.json is found walking up; an exact name beats a glob; the command line beats the file", () => {
    const config = { budgets: { "t*": { "max-macs": "500K", "max-params": "2K" }, tiny: { "max-params": "1K" } } };
    const dir = workspace({ "models/net/tiny.cnn": TINY, "convspec.json": JSON.stringify(config, null, 2) });
    const fromFile = runCli(["check", "models/net/tiny.cnn"], { cwd: dir });
    expect(fromFile.code).toBe(1);
    // 516,096 − 500,000 = 16,096: 3.2% of 500K.
    expect(fromFile.stdout).toContain("tiny: macs 516,096 exceeds budget 500K by 16,096 (+3.2%) (budget from convspec.json (t*))");
    expect(fromFile.stdout).toContain("tiny: params 1,392 exceeds budget 1K by 392 (+39.2%) (budget from convspec.json (tiny))");
    const overridden = runCli(["check", "models/net/tiny.cnn", "--max-params", "5K", "--max-macs", "600K"], { cwd: dir });
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toContain("ok   tiny: params 1,392 ≤ 5K");
    expect(overridden.stdout).toContain("ok   tiny: macs 516,096 ≤ 600K");
    expect(runCli(["check", "models/net/tiny.cnn", "--no-config"], { cwd: dir }).code).toBe(0);
  });
});

describe("convspec check: exit codes for warnings, invalid specs and wrong calls", () => {
  // (32 − 3)/2 + 1 = 15.5 → 15: the last row and column are never read (a warning).
  const DROPS = "model drops {\n  input x: [1, 32, 32]\n  output x -> conv2d(4, 3, stride=2) as c\n  assert shape(c) == [4, 15, 15]\n}\n";

  it("warnings fail only with --strict", () => {
    const dir = workspace({ "drops.cnn": DROPS });
    const lax = runCli(["check", "drops.cnn"], { cwd: dir });
    expect(lax.code).toBe(0);
    expect(lax.stderr).toContain("warning CS3009");
    const strict = runCli(["check", "drops.cnn", "--strict"], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^FAIL drops\.cnn:3:15 warning treated as a failure \(--strict\): c: \(32 − 3 \+ 0\)\/2 \+ 1 = 15\.5 → 15/m);
    // One failure per warning the analyzer reports (it may name the row and column together).
    const warnings = strict.stdout.split("\n").filter((l) => l.startsWith("FAIL")).length;
    expect(warnings).toBeGreaterThan(0);
    expect(strict.stdout).toContain(`1 passed, ${warnings} failed`);
    const gh = runCli(["check", "drops.cnn", "--format", "github"], { cwd: dir });
    expect(gh.code).toBe(0);
    expect(gh.stdout).toMatch(/^::warning file=drops\.cnn,line=3,col=15,title=convspec CS3009::c: /m);
  });

  it("an invalid spec exits 2 and says where", () => {
    const dir = workspace({ "bad.cnn": "model bad {\n  input x: [3, 8, 8]\n  output x -> conv2d(4, 11)\n}\n", "tiny.cnn": TINY });
    const r = runCli(["check", "bad.cnn", "tiny.cnn"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ERROR bad\.cnn:3:15 CS3003 /m);
    expect(r.stdout).toContain("3 passed, 0 failed, ");
  });

  it("wrong calls exit 2 with one line on stderr", () => {
    const dir = workspace({ "tiny.cnn": TINY, "broken.json": "{ nope" });
    for (const args of [["--max-params", "lots"], ["--batch", "0"], ["--format", "xml"], ["--config", "missing.json"]]) {
      const r = runCli(["check", "tiny.cnn", ...args], { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
    }
    expect(runCli(["check", "nothing-here.cnn"], { cwd: dir }).stderr).toBe("convspec: cannot read nothing-here.cnn: no such file\n");
    const badConfig = runCli(["check", "tiny.cnn", "--config", "broken.json"], { cwd: dir });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain("CS5001");
  });
});

describe("convspec check: formats for CI", () => {
  const dir = workspace({ "tiny.cnn": TINY.replace("macs == 516_096", "macs == 516_000") });

  it("JUnit XML: a testsuite per model, a testcase per assertion and budget, failures with their line", () => {
    const r = runCli(["check", "tiny.cnn", "--format", "junit", "--max-params", "2K"], { cwd: dir });
    expect(r.code).toBe(1);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(r.stdout);
    expect(xml.testsuites).toMatchObject({ tests: "4", failures: "1", errors: "0" });
    const suite = xml.testsuites.testsuite;
    expect(suite).toMatchObject({ name: "tiny", tests: "4", failures: "1" });
    const cases = suite.testcase as { name: string; line: string; failure?: { message: string } }[];
    expect(cases.map((c) => c.name)).toEqual(["params == 1_392", "macs == 516_000", "rf(c2) == 8", "max-params 2K"]);
    const failed = cases.filter((c) => c.failure);
    expect(failed.map((c) => [c.name, c.line])).toEqual([["macs == 516_000", "5"]]);
    expect(failed[0]!.failure!.message).toMatch(/^assert macs == 516_000 failed.*516,096.*516,000/);
  });

  it("GitHub: ::error workflow commands on the failing line", () => {
    const r = runCli(["check", "tiny.cnn", "--format", "github", "--max-params", "1K"], { cwd: dir });
    expect(r.code).toBe(1);
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("::error "));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^::error file=tiny\.cnn,line=5,col=3,title=convspec check%3A tiny::assert macs == 516_000 failed.*516,096.*516,000/);
    // `%` is escaped as %25 in a workflow command's message.
    expect(errors[1]).toBe("::error file=tiny.cnn,line=1,col=1,title=convspec check%3A tiny::params 1,392 exceeds budget 1K by 392 (+39.2%25)");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("2 passed, 2 failed");
  });

  it("JSON carries every result and the counts", () => {
    const r = runCli(["check", "tiny.cnn", "--format", "json", "--max-flops", "10G"], { cwd: dir });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ schemaVersion: 1, passed: 3, failed: 1, invalid: 0, exitCode: 1 });
    expect(j.results.map((x: { kind: string; pass: boolean }) => `${x.kind}:${x.pass}`)).toEqual(["assert:true", "assert:false", "assert:true", "budget:true"]);
    expect(j.results[1]).toMatchObject({ model: "tiny", file: "tiny.cnn", line: 5, col: 3, actual: "516,096", expected: "516,000" });
  });
});
