/**
 * The CLI on bad input, run as a user would (`node bin/convspec.js parse ...`, built by npm
 * test's pretest): each mistake in the call is one clear line on stderr and exit code 2; an
 * empty spec is a warning, not an error.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";
import { tempDir } from "../tmp.js";

const dir = tempDir("convspec-bad-input-");
const OK = "model m {\n  input x: [1, 8, 8]\n  output x -> relu\n}\n";
writeFileSync(join(dir, "ok.cnn"), OK);
writeFileSync(join(dir, "empty.cnn"), "");
writeFileSync(join(dir, "binary.cnn"), Buffer.from([0x6d, 0x6f, 0x00, 0x01, 0xff]));
writeFileSync(join(dir, "latin1.cnn"), Buffer.from("model caf\xe9 {}\n", "latin1"));
writeFileSync(join(dir, "bom.cnn"), "\ufeff" + OK);
writeFileSync(join(dir, "unreadable.cnn"), OK);
chmodSync(join(dir, "unreadable.cnn"), 0o000);
mkdirSync(join(dir, "folder"));
writeFileSync(join(dir, "huge.cnn"), `# ${"x".repeat(5 * 1024 * 1024)}\n`);

const parse = (...args: string[]) => runCli(["parse", ...args], { cwd: dir });

/** One line on stderr, starting `convspec: `, nothing on stdout, exit code 2. */
function expectUsageError(r: ReturnType<typeof runCli>, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^convspec: /);
  expect(lines[0]).toMatch(pattern);
}

describe("convspec parse on bad input", () => {
  it("a missing file", () => expectUsageError(parse("nope.cnn"), /cannot read nope\.cnn: no such file/));

  it("a path through a missing folder", () => expectUsageError(parse("nope/x.cnn"), /cannot read nope\/x\.cnn: no such file/));

  it("a directory", () => expectUsageError(parse("folder"), /folder is a directory/));

  it("a binary file", () => expectUsageError(parse("binary.cnn"), /binary\.cnn is not a text file \(it holds a NUL byte at offset 2\)/));

  it("a file that is not UTF-8", () => expectUsageError(parse("latin1.cnn"), /latin1\.cnn is not UTF-8 text/));

  it("a device is refused without being read (/dev/zero never ends)", () => expectUsageError(parse("/dev/zero"), /\/dev\/zero is not a regular file \(it is a device, pipe or socket\)/));

  it("a file over 4 MiB is refused by its size, before it is read", () => expectUsageError(parse("huge.cnn"), /^convspec: huge\.cnn is 5242883 bytes, more than the limit of 4194304; split it into files joined with use$/));

  it("an unreadable file (as root it stays readable, and parses)", () => {
    const r = parse("unreadable.cnn");
    if (process.getuid?.() === 0) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("model m");
    } else expectUsageError(r, /cannot read unreadable\.cnn: permission denied/);
  });

  it("an empty file: the CS2039 warning, exit 0; an error with --strict", () => {
    const r = parse("empty.cnn");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^empty\.cnn:1:1: warning CS2039: empty\.cnn defines no model$/m);
    expect(parse("--strict", "empty.cnn").code).toBe(1);
  });

  it("- reads standard input", () => {
    const r = runCli(["parse", "-"], { cwd: dir, input: OK });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model m \(<stdin>:1:1\)/);
  });

  it("- with empty standard input is an empty spec", () => {
    const r = runCli(["parse", "-"], { cwd: dir, input: "" });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning CS2039: <stdin> defines no model");
  });

  it("- with binary standard input", () => {
    expectUsageError(runCli(["parse", "-"], { cwd: dir, input: "model\u0000" }), /standard input is not a text file/);
  });

  it("a byte-order mark is dropped, not reported", () => {
    const r = parse("bom.cnn");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("an unknown flag", () => expectUsageError(parse("--bogus", "ok.cnn"), /unknown option '--bogus'.*convspec --help/));

  it("a bad option value", () => expectUsageError(parse("--format", "xml", "ok.cnn"), /'xml' is invalid\. Allowed choices are text, json/));

  it("an option without its value", () => expectUsageError(parse("ok.cnn", "--format"), /argument missing/));

  it("bad analysis option values: --batch 0, --dtype float7", () => {
    expectUsageError(runCli(["check", "--batch", "0", "ok.cnn"], { cwd: dir }), /--batch must be a whole number ≥ 1, got "0"/);
    expectUsageError(runCli(["check", "--dtype", "float7", "ok.cnn"], { cwd: dir }), /'float7' is invalid/);
  });

  it("no file at all", () => expectUsageError(parse(), /missing required argument 'files'/));

  it("an unknown command", () => expectUsageError(runCli(["frobnicate"], { cwd: dir }), /unknown command 'frobnicate'/));

  it("a good file next to a missing one still exits 2", () => {
    const r = parse("ok.cnn", "nope.cnn");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("convspec: cannot read nope.cnn: no such file\n");
  });
});
