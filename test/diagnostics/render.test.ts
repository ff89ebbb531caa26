/**
 * The rendered form of a diagnostic: `file:line:col: severity CODE: message`, the source line,
 * a caret under the span, the hint; plain text for pipes and NO_COLOR, colour only on request.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { renderDiagnostic, renderDiagnostics } from "../../src/diagnostics/render.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { tempDir } from "../tmp.js";

const ESC = "\u001b[";
const BAD = "model m {\n  input x: [1, 8, 8]\n  output x -> relux\n}\n";
const EXPECTED = [
  "spec.cnn:3:15: error CS2001: unknown layer or block \"relux\"",
  "  |",
  "3 |   output x -> relux",
  "  |               ^^^^^",
  "hint: did you mean \"relu\"?",
].join("\n");

function renderOf(text: string, file = "spec.cnn", color = false): string {
  const r = compile({ file, text });
  return renderDiagnostics(r.diagnostics, (f) => r.sources.get(f), { color });
}

describe("rendering", () => {
  it("shows location, source line, caret under the span and the hint", () => {
    expect(renderOf(BAD)).toBe(EXPECTED);
  });

  it("puts colour escapes in only when asked", () => {
    expect(renderOf(BAD)).not.toContain(ESC);
    const coloured = renderOf(BAD, "spec.cnn", true);
    expect(coloured).toContain(ESC);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).toBe(EXPECTED);
  });

  it("keeps tabs so the caret lines up, and widens the gutter for long line numbers", () => {
    const text = "\n".repeat(9) + "model m {\n\tinput x: [1, 8, 8]\n\toutput x -> relux\n}\n";
    const lines = renderOf(text).split("\n");
    expect(lines[0]).toBe("spec.cnn:12:14: error CS2001: unknown layer or block \"relux\"");
    expect(lines[2]).toBe("12 | \toutput x -> relux");
    expect(lines[3]).toBe("   | \t            ^^^^^");
  });

  it("anchors an error at end of input after the last token, with one caret", () => {
    const text = "model m {\n  input x: [1, 8, 8]\n  output x -> relu";
    const lines = renderOf(text).split("\n");
    expect(lines[0]).toBe("spec.cnn:3:19: error CS1002: expected '}' but found end of file");
    expect(lines[3]).toBe("  |                   ^");
  });

  it("uses the parser's own messages (the custom error provider is in effect)", () => {
    const first = renderOf("model m {\n  input x: [1, 8, 8]\n  output x -> conv2d(4, 3 -> relu\n}\n").split("\n")[0];
    expect(first).toBe("spec.cnn:3:27: error CS1002: expected ')' but found '->'");
  });

  it("renders related locations as notes, and a diagnostic without a span as one line", () => {
    const text = "model m {\n  input x: [1, 8, 8]\n  output x -> relu as a -> tanh as a\n}\n";
    expect(renderOf(text).split("\n").at(-1)).toBe("note: spec.cnn:3:23: first used here");
    const bare: Diagnostic = { code: "CS6007", severity: "error", message: "compilation stopped: test" };
    expect(renderDiagnostic(bare, () => undefined)).toBe("error CS6007: compilation stopped: test");
  });

  it("strips a CR from a CRLF source line", () => {
    const lines = renderOf(BAD.replace(/\n/g, "\r\n")).split("\n");
    expect(lines[2]).toBe("3 |   output x -> relux");
  });
});

describe("the CLI's rendering", () => {
  const bin = fileURLToPath(new URL("../../bin/convspec.js", import.meta.url));
  const dir = tempDir("convspec-render-");
  const file = join(dir, "spec.cnn");
  writeFileSync(file, BAD);
  const env = (extra: Record<string, string>) => {
    const e: Record<string, string | undefined> = { ...process.env, ...extra };
    if (!("NO_COLOR" in extra)) delete e.NO_COLOR;
    if (!("FORCE_COLOR" in extra)) delete e.FORCE_COLOR;
    return e as NodeJS.ProcessEnv;
  };
  const run = (extra: Record<string, string>) => spawnSync(process.execPath, [bin, "parse", "spec.cnn"], { cwd: dir, env: env(extra), encoding: "utf8" });

  it("is plain on a pipe, exit 1", () => {
    const r = run({});
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${EXPECTED}\n`);
  });

  it("is plain with NO_COLOR even when colour is forced", () => {
    const r = run({ NO_COLOR: "1", FORCE_COLOR: "1" });
    expect(r.stderr).not.toContain(ESC);
    expect(r.stderr).toBe(`${EXPECTED}\n`);
  });

  it("is coloured with FORCE_COLOR", () => {
    expect(run({ FORCE_COLOR: "1" }).stderr).toContain(ESC);
  });

  it("prints no stack and nothing on stdout for a spec error", () => {
    const r = run({});
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
