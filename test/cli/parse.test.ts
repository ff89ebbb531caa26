import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";
import { tempDir } from "../tmp.js";

describe("convspec parse", () => {
  it("prints vgg16's expanded layers and exits 0", () => {
    const r = runCli(["parse", "specs/vgg16.cnn"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("model vgg16 (specs/vgg16.cnn:7:1): 1 input(s), 40 layer(s), 3 assert(s)");
    expect(r.stdout).toMatch(/conv2d_13\s+conv2d\s+relu_12\s+conv3_13\s+out_channels=512 kernel=3 padding=1/);
    expect(r.stdout).toMatch(/pool5\s+maxpool\s+relu_13\s+kernel=2/);
  });

  it("renders a broken file with file:line:col, the source line and a caret, and exits 1", () => {
    const dir = tempDir("convspec-");
    const file = join(dir, "bad.cnn");
    writeFileSync(file, "model m {\n  input x: [3, 32, 32]\n  output x -> conv2d(16, kernal=3) -> relu\n}\n");
    const r = runCli(["parse", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      [
        `${file}:3:26: error CS2002: conv2d has no argument "kernal"`,
        "  |",
        "3 |   output x -> conv2d(16, kernal=3) -> relu",
        "  |                          ^^^^^^",
        'hint: did you mean "kernel"?',
        "",
      ].join("\n"),
    );
  });

  it("reports every syntax error of a file in one run", () => {
    const r = runCli(["parse", "-"], { input: "model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(4, 3 -> relu(\n  -> dense(10 10)\n}\n" });
    expect(r.code).toBe(1);
    expect(r.stderr.match(/error CS1002/g)?.length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toContain("<stdin>:3:27: error CS1002: expected ')' but found '->'");
  });

  it("--help and --version exit 0; a wrong call exits 2 with one line", () => {
    expect(runCli(["--help"]).code).toBe(0);
    expect(runCli(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const missing = runCli(["parse", "specs/nope.cnn"]);
    expect([missing.code, missing.stderr]).toEqual([2, "convspec: cannot read specs/nope.cnn: no such file\n"]);
    expect(runCli(["parse", "--bogus", "specs/vgg16.cnn"]).code).toBe(2);
  });
});
