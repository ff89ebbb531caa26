/**
 * The hostile-input suite (issue 15): each attack that crashed, hung or leaked before is
 * generated (./generate.ts) and run through the installed command as a child process under
 * a memory cap and a time limit (./run.ts). Every case must end with exit 0, 1 or 2, a coded
 * message, bounded stderr, and no file changed except the named output.
 */
import { writeFileSync, readFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../tmp.js";
import {
  bigDiagnostics, escapingImports, fifo, hugeArgumentList, linkFanOut, MODEL, prototypeNames, wideAndDeepImports, wideCollections, write,
} from "./generate.js";
import { expectContained, hostile } from "./run.js";

describe("imports cannot read outside the spec's folder", () => {
  const dir = tempDir("convspec-hostile-imports-");
  escapingImports(dir);

  it("use \"/dev/zero\": CS2045, nothing read", () => {
    expectContained(hostile(["parse", "zero.cnn"], dir), [1], { message: /zero\.cnn:1:1: error CS2045: cannot use "\/dev\/zero": it is outside/ });
  });

  it("use \"/proc/self/environ\": CS2045, and no variable of the environment reaches stderr", () => {
    const r = hostile(["parse", "environ.cnn"], dir, { HOSTILE_SECRET: "hunter2-in-the-environment" });
    expectContained(r, [1], { message: /CS2045/ });
    expect(r.stderr).not.toContain("hunter2");
  });

  it("use \"../../..\" above the folder: CS2045; a link out of it: CS2019, and /etc/passwd is not echoed", () => {
    const up = hostile(["parse", "passwd.cnn"], dir);
    expectContained(up, [1], { message: /CS2045/ });
    const link = hostile(["parse", "link.cnn"], dir);
    expectContained(link, [1], { message: /CS2019: cannot read "etc\/passwd": it leads \(through a link\) to \/etc\/passwd, outside/ });
    expect(up.stderr + link.stderr).not.toMatch(/root:/);
  });

  it("--allow-imports-from DIR lets a spec use a sibling folder, and only that one", () => {
    const d = tempDir("convspec-hostile-allow-");
    write(d, { "shared/blocks.cnn": "block b {\n  input x\n  output x -> relu\n}\n", "net/main.cnn": `use "../shared/blocks.cnn"\nmodel m {\n  input x: [1, 8, 8]\n  output x -> b\n}\n` });
    expectContained(hostile(["parse", "net/main.cnn"], d), [1], { message: /CS2045: cannot use "\.\.\/shared\/blocks\.cnn": it is outside net/ });
    expectContained(hostile(["parse", "--allow-imports-from", "shared", "net/main.cnn"], d), [0]);
    expectContained(hostile(["parse", "--allow-imports-from", "nope", "net/main.cnn"], d), [2], { message: /^convspec: --allow-imports-from nope: no such folder\n$/ });
  });
});

describe("devices, pipes and links are refused without being read", () => {
  it("a FIFO as an import (CS2019) and as the spec (exit 2): no wait for a writer", () => {
    const dir = tempDir("convspec-hostile-fifo-");
    fifo(dir);
    expectContained(hostile(["parse", "uses-pipe.cnn"], dir), [1], { message: /CS2019: cannot read "pipe\.cnn": pipe\.cnn is not a regular file/ });
    expectContained(hostile(["parse", "pipe.cnn"], dir), [2], { message: /^convspec: pipe\.cnn is not a regular file/ });
  });

  it("convspec.json linked to /dev/zero, and check --config /dev/zero: exit 2", () => {
    const dir = tempDir("convspec-hostile-config-");
    write(dir, { "m.cnn": MODEL });
    expectContained(hostile(["check", "--config", "/dev/zero", "m.cnn"], dir), [2], { message: /\/dev\/zero is not a regular file/ });
    symlinkSync("/dev/zero", join(dir, "convspec.json"));
    expectContained(hostile(["check", "m.cnn"], dir), [2], { message: /convspec\.json is not a regular file/ });
  });

  it("two links to . and a file that imports itself through both: a cycle, found at once", () => {
    const dir = tempDir("convspec-hostile-links-");
    linkFanOut(dir);
    expectContained(hostile(["parse", "main.cnn"], dir), [1], { message: /CS2020: circular import: a\.cnn → l1\/a\.cnn/ });
  });

  it("300 imported files pass the budget of 256 (CS6010); a chain 40 deep passes the depth of 32 (CS6006)", () => {
    const dir = tempDir("convspec-hostile-fan-");
    wideAndDeepImports(dir, 300, 40);
    expectContained(hostile(["parse", "wide.cnn"], dir), [1], { message: /CS6010: cannot use "w\/f256\.cnn": the imports would exceed 256 files/ });
    expectContained(hostile(["parse", "deep.cnn"], dir), [1], { message: /CS6006/ });
  });
});

describe("diagnostics stay small", () => {
  const dir = tempDir("convspec-hostile-diags-");
  bigDiagnostics(dir);

  it("40,000 bad tokens on one line: 100 shown, the rest counted, each excerpt a window", () => {
    const r = hostile(["parse", "bad-tokens.cnn"], dir);
    expectContained(r, [1], { message: /and 39,900 more in bad-tokens\.cnn \(39,900 errors\)/ });
    expect(r.stderr.match(/error CS1001/g)).toHaveLength(100);
    expect(Math.max(...r.stderr.split("\n").map((l) => l.length))).toBeLessThanOrEqual(160);
  });

  it("one mistake at the end of a 3 MB line: a window around the caret, not the line", () => {
    const r = hostile(["parse", "huge-line.cnn"], dir);
    expectContained(r, [1], { message: /huge-line\.cnn:3:3000019: error CS1001: unexpected character "@"/ });
    expect(r.stderr.length).toBeLessThan(1000);
    expect(r.stderr).toMatch(/\| …\s+@\n/);
  });

  it("a million newlines, then 5,000 failing asserts: 100 shown, found by a line index", () => {
    const r = hostile(["analyze", "newlines.cnn"], dir);
    expectContained(r, [1], { message: /newlines\.cnn:1000004:3: error CS3013[\s\S]*and 4,900 more in newlines\.cnn/ });
  });

  it("a 3 MB argument list (1 M arguments): refused by the token count before the parser (CS6009)", () => {
    const d = tempDir("convspec-hostile-args-");
    hugeArgumentList(d);
    expectContained(hostile(["parse", "args.cnn"], d), [1], { message: /CS6009: args\.cnn holds more than 100000 tokens/ });
  });
});

describe("names and sizes that broke plain objects and argument spreading", () => {
  it("toString, valueOf, constructor, __proto__ as model, block, parameter, tensor and label names: every command", () => {
    const dir = tempDir("convspec-hostile-proto-");
    prototypeNames(dir);
    for (const args of [["analyze", "--format", "json"], ["check", "--format", "json"]]) {
      expectContained(hostile([...args, "proto.cnn"], dir), [0]);
    }
    expectContained(hostile(["analyze", "--input", "__proto__=3,8,8", "proto.cnn"], dir), [2], { message: /no model declares an input named "__proto__"/ });
    expectContained(hostile(["export", "proto.cnn", "--onnx", "p.onnx"], dir), [0], { output: "p.onnx" });
  });

  it("150,000 layers (parse) and a concat of 30,000 operands (analyze): no stack overflow", () => {
    const dir = tempDir("convspec-hostile-wide-");
    wideCollections(dir);
    expectContained(hostile(["parse", "layers.cnn"], dir), [0]);
    expectContained(hostile(["analyze", "--format", "csv", "merge.cnn"], dir), [0]);
  });
});

describe("writes never destroy", () => {
  const dir = tempDir("convspec-hostile-write-");
  write(dir, { "m.cnn": MODEL, "conv.cnn": "model c {\n  input x: [1, 8, 8]\n  output x -> conv2d(2, 3)\n}\n", "lib/b.cnn": "block b {\n  input x\n  output x -> relu\n}\n", "uses.cnn": `use "lib/b.cnn"\n${MODEL}` });
  mkdirSync(join(dir, "out"));

  it("--onnx naming the spec, an import or any .cnn: refused, nothing written", () => {
    expectContained(hostile(["export", "m.cnn", "--onnx", "m.cnn"], dir), [2], { message: /^convspec: --onnx m\.cnn: refusing to write over a spec \(\.cnn\)/ });
    expectContained(hostile(["export", "m.cnn", "--onnx", "m.cnn", "--force"], dir), [2], { message: /refusing to write over a spec/ });
    symlinkSync("lib/b.cnn", join(dir, "b-link.onnx"));
    expectContained(hostile(["export", "uses.cnn", "--onnx", "b-link.onnx", "--force"], dir), [2], { message: /refusing to write over lib\/b\.cnn, an input of this run/ });
  });

  it("an existing output needs --force; then it is replaced whole", () => {
    expectContained(hostile(["export", "conv.cnn", "--onnx", "out/c.onnx"], dir), [0], { output: "out/c.onnx" });
    const first = readFileSync(join(dir, "out/c.onnx"));
    expectContained(hostile(["export", "conv.cnn", "--onnx", "out/c.onnx", "--seed", "1"], dir), [2], { message: /^convspec: out\/c\.onnx exists; add --force to overwrite it\n$/ });
    expectContained(hostile(["export", "conv.cnn", "--onnx", "out/c.onnx", "--seed", "1", "--force"], dir), [0], { output: "out/c.onnx" });
    expect(readFileSync(join(dir, "out/c.onnx")).equals(first)).toBe(false);
  });

  it("a directory, a missing folder, a device: exit 2 with the reason", () => {
    expectContained(hostile(["export", "m.cnn", "--onnx", "out"], dir), [2], { message: /^convspec: cannot write out: it is a directory/ });
    expectContained(hostile(["export", "m.cnn", "--onnx", "nope/m.onnx"], dir), [2], { message: /^convspec: cannot write nope\/m\.onnx: no such folder\n$/ });
    expectContained(hostile(["export", "m.cnn", "--onnx", "/dev/null", "--force"], dir), [2], { message: /cannot write \/dev\/null: it is not a regular file/ });
  });

  it("weights past --max-memory (and past the 2 GiB an ONNX file holds): CS4903 before any is drawn", () => {
    writeFileSync(join(dir, "big.cnn"), "model big {\n  input x: [100000]\n  output x -> dense(100000)\n}\n");
    expectContained(hostile(["export", "big.cnn", "--onnx", "big.onnx"], dir), [1], { message: /CS4903: model big has 37\.25 GiB of weights, more than the limit of 1\.00 GiB \(--max-memory\)/ });
    expectContained(hostile(["export", "big.cnn", "--onnx", "big.onnx", "--max-memory", "100GiB"], dir), [1], { message: /CS4903: model big has 37\.25 GiB of weights, more than the 2 GiB an ONNX file can hold/ });
  });
});

describe("usage errors exit 2 from the installed (bundled) command", () => {
  const dir = tempDir("convspec-hostile-usage-");
  write(dir, { "m.cnn": MODEL });
  for (const args of [
    ["export", "m.cnn", "--onnx", "x.onnx", "--seed", "abc"],
    ["export", "m.cnn", "--onnx", "x.onnx", "--model", "nope"],
    ["verify", "m.cnn", "--max-memory", "lots"],
  ]) {
    it(args.join(" "), () => {
      const r = hostile(args, dir);
      expectContained(r, [2], { message: /^convspec: \S/ });
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    });
  }
});
