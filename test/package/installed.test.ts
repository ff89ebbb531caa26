/**
 * The package as a user gets it (issue 14): `npm pack`, the tarball installed into a fresh
 * project from the npm cache (offline), then every command from the installed bin with its
 * documented exit code, the README's library example verbatim, a strict type-check against
 * the shipped .d.ts, and a browser bundle that imports no Node built-in and runs.
 * One pack and one install serve every case.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { build } from "rolldown";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/run.js";
import { installOffline, pack, type PackInfo } from "./install.js";

let app = "";
let info: PackInfo;
let installLog = "";
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

// conv2d(8, 3, padding=1) on 3×16×16: 8·3·9 + 8 = 224 params; flatten 8·16·16 = 2,048 → dense(4): 2,048·4 + 4 = 8,196.
const TINY = "model tiny {\n  input x: [3, 16, 16]\n  output x -> conv2d(8, 3, padding=1) -> relu -> flatten -> dense(4)\n  assert params == 8_420\n}\n";
const BAD = "model bad {\n  input x: [3, 16, 16]\n  output x -> conv2d(8, kernal=3)\n}\n";

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), "convspec-installed-"));
  info = pack(app);
  installLog = installOffline(app, info);
  writeFileSync(join(app, "tiny.cnn"), TINY);
  writeFileSync(join(app, "bad.cnn"), BAD);
  copyFileSync(join(app, "node_modules/convspec/specs/lenet5.cnn"), join(app, "lenet.cnn"));
}, 300_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

function convspec(args: readonly string[]) {
  const r = spawnSync(join(app, "node_modules/.bin/convspec"), args, { cwd: app, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the packed tarball", () => {
  it("ships what a user runs, nothing else, under 600 kB, and the README says how big", () => {
    const paths = info.files.map((f) => f.path);
    for (const p of ["bin/convspec.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/bundle/main.js", "specs/lenet5.cnn", "README.md", "CHANGELOG.md", "package.json"]) expect(paths).toContain(p);
    expect(paths.filter((p) => /^(dist\/(bench|scripts|test)|test|bench|src|scripts)\//.test(p) || /\.ts$/.test(p) && !/\.d\.ts$/.test(p))).toEqual([]);
    expect(info.size).toBeLessThan(600_000);
    const stated = /packed tarball is (\d+) kB/.exec(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(stated, "README.md states 'the packed tarball is N kB'").not.toBeNull();
    expect(Math.abs(Number(stated![1]) * 1000 - info.size) / info.size).toBeLessThan(0.1);
  });
  it("installs without a warning (no install scripts, no peer conflicts)", () => {
    expect(installLog).toMatch(/added \d+ packages/);
    expect(installLog).not.toMatch(/npm warn/i);
  });
});

describe("every command from the installed bin exits as documented (never 3)", () => {
  const BAD_AT = /^bad\.cnn:3:25: error CS2002: conv2d has no argument "kernal"$/m;
  const cases: [string[], number, RegExp?, RegExp?][] = [
    [["--version"], 0, new RegExp(`^${pkg.version.replace(/\./g, "\\.")}\\n$`)],
    [["analyze", "lenet.cnn"], 0, /params 61,706 \(trainable 61,706\)/],
    [["analyze", "lenet.cnn", "--format", "json"], 0, /^\{"schemaVersion":1,"models":\[\{"name":"lenet5"/],
    [["analyze", "bad.cnn"], 1, undefined, BAD_AT],
    [["analyze", "missing.cnn"], 2],
    [["analyze", "lenet.cnn", "--batch", "0"], 2],
    [["frobnicate"], 2],
    [["check", "lenet.cnn", "tiny.cnn"], 0, /^4 passed, 0 failed$/m],
    [["check", "lenet.cnn", "--max-params", "50K"], 1, /params 61,706 exceeds budget 50K by 11,706/],
    [["check", "bad.cnn"], 2, /^ERROR bad\.cnn:3:25 CS2002 conv2d has no argument "kernal"$/m, BAD_AT],
    [["check", "lenet.cnn", "--max-params", "lots"], 2],
    [["diff", "node_modules/convspec/specs/vgg16.cnn", "node_modules/convspec/specs/vgg19.cnn"], 0, /vgg16/],
    [["diff", "lenet.cnn"], 2],
    [["verify", "tiny.cnn"], 0, /all predictions agree with the run/],
    [["verify", "tiny.cnn", "--input-scale", "3"], 2],
    [["export", "tiny.cnn", "--onnx", "tiny.onnx"], 0, /wrote tiny\.onnx: model tiny, ONNX opset 17/],
    [["export", "tiny.cnn"], 2],
    [["export", "bad.cnn", "--onnx", "bad.onnx"], 1, undefined, BAD_AT],
    [["parse", "tiny.cnn"], 0, /model tiny .*1 input\(s\), 4 layer\(s\), 1 assert\(s\)/],
    [["parse", "bad.cnn"], 1, undefined, BAD_AT],
  ];
  it.each(cases)("convspec %j → %i", (args, code, out, err) => {
    const r = convspec(args);
    expect(r.stderr).not.toMatch(/internal error|ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code });
    if (out) expect(r.stdout).toMatch(out);
    if (err) expect(r.stderr).toMatch(err);
  });
  it("export wrote an ONNX model (a protobuf whose first field is ir_version)", () => {
    const bytes = readFileSync(join(app, "tiny.onnx"));
    // ModelProto field 1 (ir_version, varint): tag byte (1 << 3) | 0 = 0x08.
    expect(bytes[0]).toBe(0x08);
    expect(bytes.length).toBeGreaterThan(8_420 * 4);
  });
});

describe("the library from the installed package", () => {
  it("runs the README's library example verbatim", () => {
    const readme = readFileSync(join(app, "node_modules/convspec/README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Library"));
    const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    writeFileSync(join(app, "example.mjs"), example!);
    copyFileSync(join(app, "node_modules/convspec/specs/lenet5.cnn"), join(app, "net.cnn"));
    const r = spawnSync(process.execPath, ["example.mjs"], { cwd: app, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // LeNet-5: 61,706 params and 416,520 MACs (conv 117,600 + 240,000, dense 48,000 + 10,080 + 840).
    expect(r.stdout.split("\n")).toEqual(["61706n 416520n", "61,706 true, 416,520 true, [10] true", "true", "0 true", ""]);
  });

  it("type-checks a typed use with strict against the shipped .d.ts, and rejects a wrong one", () => {
    writeFileSync(join(app, "typed.ts"), [
      'import { analyze, compile, toJson, checkToJson, summarize, assertResults, type AnalysisJson, type Diagnostic, type ModelAnalysis, type CheckJson } from "convspec";',
      `const c = compile({ file: "tiny.cnn", text: ${JSON.stringify(TINY)} });`,
      "const diagnostics: readonly Diagnostic[] = c.diagnostics;",
      "const a = analyze(c.graph, { batch: 2, dtype: \"float16\" });",
      "const m: ModelAnalysis | undefined = a.models[0];",
      "const params: bigint | undefined = m?.totals.params;",
      "const doc: AnalysisJson = toJson(a, { sources: c.sources, diagnostics });",
      "const check: CheckJson = checkToJson(summarize(m ? assertResults(m, (f) => c.sources.get(f)) : [], a.diagnostics));",
      "export const out: [bigint | undefined, number, number] = [params, doc.schemaVersion, check.passed];",
    ].join("\n") + "\n");
    writeFileSync(join(app, "wrong.ts"), 'import { analyze, compile } from "convspec";\nexport const n: number = analyze(compile({ file: "a", text: "" }).graph).models[0]!.totals.params;\n');
    // Node's resolution without @types/node, and a bundler's with the DOM's types, as a page's build has.
    const tsconfig = (file: string, bundler = false) => ({
      compilerOptions: {
        strict: true, noEmit: true, skipLibCheck: false, target: "es2022", types: [],
        ...(bundler ? { lib: ["es2022", "dom"], module: "esnext", moduleResolution: "bundler" } : { lib: ["es2022"], module: "nodenext", moduleResolution: "nodenext" }),
      },
      files: [file],
    });
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig("typed.ts")));
    writeFileSync(join(app, "tsconfig.bundler.json"), JSON.stringify(tsconfig("typed.ts", true)));
    writeFileSync(join(app, "tsconfig.wrong.json"), JSON.stringify(tsconfig("wrong.ts")));
    const tsc = (project: string) => spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: app, encoding: "utf8" });
    for (const project of ["tsconfig.json", "tsconfig.bundler.json"]) {
      const ok = tsc(project);
      expect(ok.stdout + ok.stderr, project).toBe("");
      expect(ok.status, project).toBe(0);
    }
    const wrong = tsc("tsconfig.wrong.json");
    expect(wrong.stdout).toMatch(/wrong\.ts\(2,14\): error TS2322: Type 'bigint' is not assignable to type 'number'/);
  });

  it("bundles for the browser with no Node built-in, and the bundle runs without Node's globals", async () => {
    const entry = join(app, "browser.mjs");
    // The whole API (a namespace import keeps every export), as a design tool in a page would load it.
    writeFileSync(entry, [
      'import * as convspec from "convspec";',
      "const { analyze, compile, exportOnnx, seededParams, toJson, verify } = convspec;",
      `const c = compile({ file: "tiny.cnn", text: ${JSON.stringify(TINY)} });`,
      "globalThis.report = JSON.stringify(toJson(analyze(c.graph), { sources: c.sources, diagnostics: c.diagnostics }));",
      "globalThis.verified = verify(c.graph).ok;",
      "const model = c.graph.models[0];",
      "globalThis.onnxBytes = exportOnnx(model, seededParams(model, 0, 1).params, { batch: 1 }).bytes?.length ?? 0;",
      "globalThis.exportCount = Object.keys(convspec).length;",
    ].join("\n") + "\n");
    const logs: string[] = [];
    const out = await build({
      input: entry, platform: "browser", write: false, output: { format: "iife" },
      onLog: (level, log) => void logs.push(`${level} ${log.code ?? ""}: ${log.message}`),
    });
    // An import the page cannot resolve (a dependency missing from the package) would be left as a global.
    expect(logs.filter((l) => /UNRESOLVED_IMPORT|MISSING_GLOBAL_NAME|MISSING_EXPORT/.test(l))).toEqual([]);
    expect(out.output).toHaveLength(1);
    const code = out.output[0]!.type === "chunk" ? out.output[0]!.code : "";
    expect(code.length).toBeGreaterThan(10_000);
    expect(code.match(/["'`]node:[\w/]+["'`]/g) ?? []).toEqual([]);
    // A bare require of a built-in (lodash-es's guarded `freeModule.require("util")` is a property call, never reached in a page).
    expect(code.match(/(?<![.\w$])require\(["'](fs|path|os|url|util|worker_threads|child_process|module|crypto)["']\)/g) ?? []).toEqual([]);
    // A browser's globals, not Node's: no process, require, Buffer or module.
    const page: Record<string, unknown> = { console, TextEncoder, TextDecoder, URL, setTimeout, clearTimeout, queueMicrotask };
    runInNewContext(code, page, { timeout: 60_000 });
    const doc = JSON.parse(String(page.report)) as { schemaVersion: number; models: { totals: { params: number } }[]; diagnostics: unknown[] };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.models[0]!.totals.params).toBe(8_420); // 224 + 8,196, as TINY's own assert says
    expect(doc.diagnostics).toEqual([]);
    expect(page.verified).toBe(true);
    expect(page.onnxBytes).toBeGreaterThan(8_420 * 4); // float32 weights alone are 33,680 bytes
    expect(page.exportCount).toBeGreaterThan(50);
    expect(existsSync(join(app, "node_modules/convspec/dist/src/index.js"))).toBe(true);
  });
});
