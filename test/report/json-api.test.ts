/**
 * The library's JSON functions against the CLI's `--format json`: the same bytes, so a host
 * never re-creates a report by hand (issue 14). Values carried beside display strings.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { analyze, checkToJson, compile, summarize, assertResults, budgetResults, parseBudgetValue, budgetKind, toJson, verify, type Budget } from "../../src/index.js";
import { runCli, ROOT } from "../cli/run.js";
import { tempDir } from "../tmp.js";

/** Every .cnn under specs/, as the CLI names them (relative to the repository). */
function specFiles(dir = "specs"): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? specFiles(`${dir}/${e.name}`) : e.name.endsWith(".cnn") ? [`${dir}/${e.name}`] : []));
}

/** What `convspec analyze FILE` does, through the public API, from the repository root. */
function compileAt(file: string) {
  const text = readFileSync(join(ROOT, file), "utf8");
  return compile({ file, text }, { file, resolve: (p) => readFileSync(join(ROOT, p), "utf8") });
}

describe("toJson equals --format json byte for byte", () => {
  test.each(specFiles())("analyze %s", (file) => {
    const c = compileAt(file);
    const a = analyze(c.graph, { sources: (f) => c.sources.get(f) });
    const cli = runCli(["analyze", file, "--format", "json"]);
    expect(cli.code).toBe([...c.diagnostics, ...a.diagnostics].some((d) => d.severity === "error") ? 1 : 0);
    expect(JSON.stringify(toJson(a, { sources: c.sources, diagnostics: c.diagnostics })) + "\n").toBe(cli.stdout);
  });

  test("several files in one document, with options", () => {
    const files = ["specs/lenet5.cnn", "specs/genre1d.cnn"];
    const results = files.map((file) => {
      const c = compileAt(file);
      return { c, a: analyze(c.graph, { batch: 8, dtype: "float16", optimizer: "adam", sources: (f) => c.sources.get(f) }) };
    });
    const cli = runCli(["analyze", ...files, "--format", "json", "--batch", "8", "--dtype", "float16", "--optimizer", "adam"]);
    const doc = toJson(results.map((r) => r.a), { sources: (f) => results.find((r) => r.c.sources.has(f))?.c.sources.get(f) });
    expect(JSON.stringify(doc) + "\n").toBe(cli.stdout);
    expect(doc.models.map((m) => [m.name, m.batch, m.dtype])).toEqual([["lenet5", 8, "float16"], ["genre1d", 8, "float16"]]);
  });

  test("check: a failing assert and a budget, diagnostics with line and column", () => {
    const dir = tempDir("convspec-json-");
    const text = "model tiny {\n  input x: [3, 32, 32]\n  output x -> conv2d(16, 3, stride=2) -> relu\n  assert params == 1_000\n}\n";
    writeFileSync(join(dir, "tiny.cnn"), text);
    const cli = runCli(["check", "tiny.cnn", "--format", "json", "--max-params", "1K", "--no-config"], { cwd: dir });
    expect(cli.code).toBe(1);
    const c = compile({ file: "tiny.cnn", text }, { file: "tiny.cnn" });
    const lookup = (f: string) => c.sources.get(f);
    const a = analyze(c.graph, { sources: lookup });
    const m = a.models[0]!;
    const budget: Budget = { kind: budgetKind("max-params")!, limit: parseBudgetValue("1K").value!, text: "1K", source: "command line" };
    const report = summarize([...assertResults(m, lookup), ...budgetResults(m, [budget], lookup)], [...c.diagnostics, ...a.diagnostics.filter((d) => d.code !== "CS3013")]);
    const doc = checkToJson(report, { sources: lookup });
    expect(JSON.stringify(doc) + "\n").toBe(cli.stdout);
    // conv2d(16, 3) on 3 channels: 16·3·9 = 432 weights + 16 biases = 448 params.
    expect(doc.results.map((r) => [r.kind, r.pass, r.actual, r.actualValue, r.expectedValue])).toEqual([
      ["assert", false, "448", 448, 1000],
      ["budget", true, "448", 448, 1000],
    ]);
    // stride 2 over 32 rows with a 3-wide window: (32 − 3)/2 + 1 = 15.5 → 15, the last row unread.
    expect(doc.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([["CS3009", 3, 15]]);
  });

  test("verify: the CLI's document for lenet5", () => {
    const file = "specs/lenet5.cnn";
    const c = compileAt(file);
    const cli = runCli(["verify", file, "--format", "json", "--reference"]);
    expect(cli.code).toBe(0);
    const r = verify(c.graph, { batch: 1, seed: 0, rf: true, maxMemoryBytes: 4 * 2 ** 30 });
    expect(JSON.stringify(toJson(r, { file, batch: 1, inputScale: 1, sources: c.sources, diagnostics: c.diagnostics })) + "\n").toBe(cli.stdout);
  });
});

describe("results carry values beside their display strings", () => {
  test("vgg16's asserts: bigints for counts, numbers for a field, text for reports", () => {
    const c = compileAt("specs/vgg16.cnn");
    const [params, macs, rf] = analyze(c.graph).models[0]!.asserts;
    // The published figures (Simonyan & Zisserman 2014; torchvision): 138,357,544 params, 15.47 GMACs.
    expect([params!.actualValue, params!.expectedValue, params!.actual]).toEqual([138_357_544n, 138_357_544n, "138,357,544"]);
    expect([macs!.actualValue, macs!.actual]).toEqual([15_470_264_320n, "15,470,264,320"]);
    expect([rf!.actualValue, rf!.actual]).toEqual([[212, 212], "[212, 212]"]);
  });

  test("a count past 2^53 is a bigint in the result and a decimal string in JSON", () => {
    // 1000 · (512·4096·4096 outputs) · (512·9 taps) = 39,582,418,599,936,000 MACs.
    const text = "model big {\n  input x: [512, 4096, 4096]\n  output x -> conv2d(512, 3, padding=1, bias=false)\n  assert macs == 39_582_418_599_936_000\n}\n";
    const c = compile({ file: "big.cnn", text });
    const a = analyze(c.graph, { batch: 1000 });
    const m = a.models[0]!;
    expect(m.asserts[0]!.pass).toBe(true);
    expect(m.asserts[0]!.actualValue).toBe(39_582_418_599_936_000n);
    const doc = toJson(a);
    expect(doc.models[0]!.totals.macs).toBe("39582418599936000");
    expect(doc.models[0]!.asserts[0]).toMatchObject({ actual: "39,582,418,599,936,000", actualValue: "39582418599936000", expectedValue: "39582418599936000" });
    expect(doc.models[0]!.totals.params).toBe(512 * 512 * 9);
    expect(() => JSON.stringify(doc)).not.toThrow();
  });
});
