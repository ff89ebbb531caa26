/** `convspec analyze` as a user runs it: formats, options, exit codes, the JSON schema. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, ROOT } from "../cli/run.js";
import { tempDir } from "../tmp.js";

function specFile(text: string): string {
  const file = join(tempDir("convspec-analyze-"), "m.cnn");
  writeFileSync(file, text);
  return file;
}

describe("convspec analyze", () => {
  test("json follows the schema; vgg16's totals are published figures", () => {
    const r = runCli(["analyze", "specs/vgg16.cnn", "--format", "json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.diagnostics).toEqual([]);
    const m = doc.models[0];
    expect(m.name).toBe("vgg16");
    expect(m.inputs).toEqual({ image: [3, 224, 224] });
    expect(m.outputs).toEqual({ output: [1000] });
    expect(Object.keys(m.totals).sort()).toEqual(
      ["activationBytes", "flops", "macs", "nonTrainableParams", "paramBytes", "params", "peakActivationBytes", "trainableParams", "trainingBytes"].sort(),
    );
    expect(m.totals.params).toBe(138_357_544);
    expect(m.totals.macs).toBe(15_470_264_320);
    expect(m.layers).toHaveLength(40);
    const conv = m.layers[0];
    for (const k of ["name", "kind", "block", "outputShape", "params", "trainableParams", "macs", "flops", "activationBytes", "rf"]) expect(conv).toHaveProperty(k);
    expect(conv.block).toBe("conv3_1");
    expect(conv.outputShape).toEqual([64, 224, 224]);
    expect(Object.keys(conv.rf).sort()).toEqual(["global", "jump", "size", "start"]);
    expect(m.layers.find((l: { name: string }) => l.name === "pool5").rf.size).toEqual([212, 212]);
  });
  test("integers beyond 2^53 are decimal strings: [512,4096,4096] 3×3 conv at batch 1000", () => {
    const f = specFile("model big {\n  input x: [512, 4096, 4096]\n  output x -> conv2d(512, 3, padding=1, bias=false)\n}\n");
    const r = runCli(["analyze", f, "--format", "json", "--batch", "1000"]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).models[0];
    // 1000 · 512·4096·4096 outputs · 512·9 = 39,582,418,599,936,000
    expect(m.totals.macs).toBe("39582418599936000");
    expect(m.totals.params).toBe(512 * 512 * 9);
  });
  test("a failing assert exits 1 and names file:line, both values and the gap", () => {
    const f = specFile("model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(4, 3)\n  assert params == 100\n}\n");
    const r = runCli(["analyze", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:4:3: error CS3013: assert params == 100 failed: the left side is 112, the right side 100; off by +12 (+12.0%)`);
  });
  test("bad option values are one line and exit 2", () => {
    for (const [args, msg] of [
      [["--batch", "0"], "convspec: --batch must be a whole number ≥ 1, got \"0\"\n"],
      [["--dtype", "float7"], "convspec: --dtype must be one of float32, float16, bfloat16, int8, got \"float7\"\n"],
      [["--optimizer", "rmsprop"], "convspec: --optimizer must be one of sgd, momentum, adam, got \"rmsprop\"\n"],
      [["--format", "xml"], "convspec: --format must be one of table, json, markdown, csv, got \"xml\"\n"],
      [["--input", "image=3,x"], "convspec: --input takes NAME=C,H,W with 1 to 4 sizes ≥ 1, got \"image=3,x\"\n"],
      [["--input", "img=3,64,64"], "convspec: --input img: no model declares an input named \"img\" (inputs: image)\n"],
    ] as const) {
      const r = runCli(["analyze", "specs/lenet5.cnn", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(msg);
    }
  });
  test("--input on a spec with a compile error: the error alone, exit 1 (not 'no model declares an input', exit 2)", () => {
    const f = specFile("model m {\n  input image: [3, 32, 32]\n  a = image -> relu\n  a = image -> conv2d(8, 1)\n  output a\n}\n");
    const r = runCli(["analyze", f, "--input", "image=3,64,64"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error CS2010");
    expect(r.stderr).not.toContain("no model declares");
  });
  test("--input replaces a declared shape: alexnet on 3×235×235 → conv1 96×57×57", () => {
    const r = runCli(["analyze", "specs/alexnet.cnn", "--input", "image=3,235,235", "--format", "csv"]);
    // (235 − 11)/4 + 1 = 57; the shape assert on conv1 now fails
    expect(r.stdout).toContain("alexnet,conv1,conv2d,,96x57x57,");
    expect(r.code).toBe(1);
  });
  test("--strict turns the dropped-rows warning into an error (exit 1)", () => {
    const f = specFile("model m {\n  input x: [3, 30, 30]\n  output x -> conv2d(8, 3, stride=2)\n}\n");
    expect(runCli(["analyze", f]).code).toBe(0);
    const r = runCli(["analyze", f, "--strict"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error CS3009: conv2d_1: (30 − 3 + 0)/2 + 1 = 14.5 → 14");
  });
  test("colour only when asked: NO_COLOR gives plain text, FORCE_COLOR escapes", () => {
    expect(runCli(["analyze", "specs/lenet5.cnn"]).stdout).not.toContain("\u001b[");
    expect(runCli(["analyze", "specs/lenet5.cnn"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout).toContain("\u001b[");
  });
  test("--help states the counting conventions", () => {
    const r = runCli(["analyze", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("How convspec counts");
    expect(r.stdout).toContain("Cin·∏in·(Cout/groups)·∏K");
    expect(r.stdout).toContain("KiB/MiB/GiB = 1024");
  });
  test("several files: one JSON document with every model", () => {
    const r = runCli(["analyze", "specs/lenet5.cnn", "specs/genre1d.cnn", "--format", "json"]);
    expect(JSON.parse(r.stdout).models.map((m: { name: string }) => m.name)).toEqual(["lenet5", "genre1d"]);
  });
});

describe("a partial analysis", () => {
  test("names the outputs an error kept it from, and says its totals are of the layers analysed", () => {
    // The pool's padding 2 is more than half its window of 2 (CS3015): output b is not reached.
    // Output a alone: conv 8·3·3·3 + 8 = 224 params, then relu; 2 layers.
    const file = specFile("model m {\n  input x: [3, 8, 8]\n  output a = x -> conv2d(8, 3, padding=1) -> relu\n  output b = x -> maxpool(2, padding=2)\n}\n");
    const r = runCli(["analyze", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error CS3015");
    expect(r.stdout).toContain("x 3×8×8 → a 8×8×8, b ?");
    expect(r.stdout).toContain('incomplete: an error stopped the analysis short of output "b"; the totals are of the 2 layers analysed');
    expect(r.stdout).toMatch(/total\s*│\s*2 layers\s*│\s*│\s*224 │/);
    // A whole analysis has no such line.
    expect(runCli(["analyze", "specs/lenet5.cnn"]).stdout).not.toContain("incomplete");
  });
});

describe("startup cost", () => {
  // The families' reference kernels and ONNX emitters are reachable through their records (one
  // home per family) but are pure functions analyze never calls; the execution backend proper,
  // verification and ONNX serialization must stay out.
  test("the analyze command's import graph holds no execution backend, verification or ONNX serialization", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // Type-only imports are erased by the compiler: they load nothing.
      for (const m of text.matchAll(/^\s*(?:import|export)(?!\s+type\s)[^"']*?from\s+["'](\.[^"']+)["']/gm)) {
        visit(new URL(m[1]!.replace(/\.js$/, ".ts"), `file://${file}`).pathname);
      }
    };
    visit(`${ROOT}src/cli/analyze.ts`);
    const backend = /\/verify\/|\/exec\/(runtime|rf|backward|init)\.ts$|\/exec\/(fast|wasm)\/|\/onnx\/(export|proto|builder|weights|shapes)\.ts$/;
    const bad = [...seen].filter((f) => backend.test(f) || /protobufjs|onnxruntime/.test(readFileSync(f, "utf8")));
    expect(seen.size).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });
});
