/**
 * ConvSpec 1.1 `allow CSxxxx` in a model or block, `--allow` on the command line and `"allow"`
 * in convspec.json: the warning is silenced there; errors cannot be allowed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { parseConfig } from "../../src/check/config.js";
import { runCli } from "../cli/run.js";

// A causal residual: the conv pads 2 on the left only, so its field [t−2, t] is centred at t−1
// while the skip's is centred at t (CS3012: the merged fields are not aligned).
const causal = (allowInBlock: string, allowInModel: string) => `block causal(c) {
${allowInBlock}  input x
  y = x -> conv1d(c, 3, padding=[[2, 0]])
  output add(x, y)
}
model tcn {
${allowInModel}  input x: [4, 32]
  a = x -> causal(4) -> causal(4)
  b = x -> conv1d(4, 3, padding=[[2, 0]])
  output add(a, b)
}
`;

function codes(text: string, allow?: string[]): string[] {
  const c = compile({ file: "t.cnn", text }, allow ? { allow } : {});
  const a = analyze(c.graph);
  return [...c.diagnostics, ...a.diagnostics].map((d) => d.code);
}

describe("allow in a model or block", () => {
  test("without allow: each misaligned residual warns CS3012 (two in the block, deduplicated to one place, and the model's)", () => {
    expect(codes(causal("", ""))).toEqual(["CS3012", "CS3012", "CS3012"]);
  });
  test("allow CS3012 in the block silences the block's merges only", () => {
    const c = compile({ file: "t.cnn", text: causal("  allow CS3012\n", "") });
    const a = analyze(c.graph);
    expect(a.diagnostics.map((d) => [d.code, d.message.split(":")[0]])).toEqual([["CS3012", "add_3"]]);
  });
  test("allow CS3012 in the model reaches the blocks it calls", () => {
    expect(codes(causal("", "  allow CS3012\n"))).toEqual([]);
  });
  test("allow CS2023 silences an unused binding; CS2042 (then naming the left-out layers) is its own code", () => {
    const text = `model m {\n  allow CS2023, CS2042\n  input x: [3, 8, 8]\n  side = x -> relu\n  output x -> tanh\n}\n`;
    expect(codes(text)).toEqual([]);
    expect(codes(text.replace("CS2023, CS2042", "CS2023"))).toEqual(["CS2042"]);
  });
  test("an error code, or a code no diagnostic has, is refused with CS2044", () => {
    const c = compile({ file: "t.cnn", text: `model m {\n  allow CS3006, CS3O12\n  input x: [3, 8, 8]\n  output x -> relu\n}\n` });
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "CS2044 allow CS3006: CS3006 is an error, and errors cannot be allowed (only warnings and notes)",
      "CS2044 allow CS3O12: no diagnostic has this code",
    ]);
    expect(c.diagnostics[1]!.hint).toBe('did you mean "CS3012"?');
  });
  test("a run-wide allow (the compile option --allow and convspec.json use) silences everywhere", () => {
    expect(codes(causal("", ""), ["CS3012"])).toEqual([]);
  });
});

describe("--allow and convspec.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "convspec-allow-"));
  writeFileSync(join(dir, "tcn.cnn"), causal("", ""));
  test("analyze --strict fails on the warnings; with --allow CS3012 it passes", () => {
    expect(runCli(["analyze", "--strict", "tcn.cnn"], { cwd: dir }).code).toBe(1);
    const r = runCli(["analyze", "--strict", "--allow", "CS3012", "tcn.cnn"], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });
  test("verify --allow CS3012: the analyzer's warnings in verify's own run are silenced too (the command is loaded outside the bundle)", () => {
    expect(runCli(["verify", "--no-rf", "tcn.cnn"], { cwd: dir }).stderr).toContain("CS3012");
    const r = runCli(["verify", "--no-rf", "--allow", "CS3012", "tcn.cnn"], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const j = runCli(["verify", "--no-rf", "--allow", "CS3012", "--format", "json", "tcn.cnn"], { cwd: dir });
    expect(j.stdout).not.toContain("CS3012");
  });
  test("--allow of an error code is a usage error (exit 2)", () => {
    const r = runCli(["analyze", "--allow", "CS3006", "tcn.cnn"], { cwd: dir });
    expect([r.code, r.stderr.trim()]).toEqual([2, "convspec: --allow CS3006: CS3006 is an error, and errors cannot be allowed (only warnings and notes)"]);
  });
  test("check --strict reads \"allow\" from convspec.json", () => {
    expect(runCli(["check", "--strict", "tcn.cnn"], { cwd: dir }).code).toBe(1);
    writeFileSync(join(dir, "convspec.json"), JSON.stringify({ allow: ["CS3012"] }));
    expect(runCli(["check", "--strict", "tcn.cnn"], { cwd: dir }).code).toBe(0);
  });
  test("check: an unknown label in one assert leaves the others checked; the spec is still invalid (exit 2)", () => {
    // conv 3→4, 3×3: 3·4·9 + 4 = 112 params
    writeFileSync(join(dir, "bad.cnn"), `model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(4, 3, padding=1) as c1 -> relu\n  assert shape(c9) == [4, 8, 8]\n  assert params == 100\n  assert shape(c1) == [4, 8, 8]\n}\n`);
    const r = runCli(["check", "--no-config", "bad.cnn"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout.split("\n").filter((l) => l !== "")).toEqual([
      'ERROR bad.cnn:4:16 CS2032 no layer, block call or tensor named "c9" in model m',
      "FAIL bad.cnn:5:3 m: assert params == 100 failed: the left side is 112, the right side 100; off by +12 (+12.0%)",
      "ok   m: shape(c1) == [4, 8, 8]",
      "1 passed, 1 failed, 1 error in specs",
    ]);
  });
  test("convspec.json: \"allow\" must list warning codes", () => {
    const r = parseConfig("convspec.json", JSON.stringify({ allow: ["CS3012", "CS3006"] }));
    expect(r.value?.allow).toEqual(["CS3012"]);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['convspec.json: "allow": CS3006: CS3006 is an error, and errors cannot be allowed (only warnings and notes)']);
    expect(parseConfig("convspec.json", JSON.stringify({ allow: "CS3012" })).diagnostics.map((d) => d.code)).toEqual(["CS5002"]);
  });
});
