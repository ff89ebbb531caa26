/**
 * The library under hostile input, in process: compileAsync with the same import policy as
 * compile, deadlines and abort signals in parsing, import loading, analyze, verify and export,
 * 140,000 diagnostics without a RangeError, and bounded rendering (a window of the line, a
 * per-file cap, line numbers from an index, checked against counting newlines by hand).
 */
import { describe, expect, it } from "vitest";
import { compile, compileAsync } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { seededParams } from "../../src/onnx/weights.js";
import { lineCol, renderDiagnostics } from "../../src/diagnostics/render.js";
import { parseText } from "../../src/ast/build.js";

const MODEL = "model m {\n  input x: [1, 8, 8]\n  output x -> b\n}\n";
const BLOCK = "block b {\n  input x\n  output x -> relu\n}\n";
const codes = (r: { diagnostics: readonly { code: string }[] }) => r.diagnostics.map((d) => d.code);
const aborted = () => AbortSignal.abort();

describe("compileAsync", () => {
  it("reads imports through a promise-returning resolver, with the same result as compile", async () => {
    const files: Record<string, string> = { "lib/b.cnn": BLOCK };
    const main = { file: "main.cnn", text: `use "lib/b.cnn"\n${MODEL}` };
    const a = await compileAsync(main, { resolve: async (p) => files[p] });
    const s = compile(main, { resolve: (p) => files[p] });
    expect(codes(a)).toEqual([]);
    expect(a.graph).toEqual(s.graph);
    expect([...a.sources.keys()]).toEqual(["main.cnn", "lib/b.cnn"]);
  });

  it("keeps the import policy: ../ and absolute paths are refused before the resolver is asked", async () => {
    const asked: string[] = [];
    const r = await compileAsync({ file: "net/main.cnn", text: `use "../x.cnn"\nuse "/etc/passwd"\n${MODEL}` }, { resolve: async (p) => (asked.push(p), BLOCK) });
    expect(codes(r)).toEqual(["CS2045", "CS2045"]);
    expect(asked).toEqual([]);
  });

  it("reads a file reached by two names once (ids), and finds a cycle through a link", async () => {
    const asked: string[] = [];
    const resolve = async (p: string) => (asked.push(p), { text: BLOCK, id: "real/b.cnn" });
    const r = await compileAsync({ file: "main.cnn", text: `use "l1/b.cnn"\nuse "l2/b.cnn"\n${MODEL}` }, { resolve });
    expect(codes(r)).toEqual([]);
    expect(asked).toEqual(["l1/b.cnn", "l2/b.cnn"]);
    expect([...r.sources.keys()]).toEqual(["main.cnn", "l1/b.cnn"]);
    const self = await compileAsync({ file: "a.cnn", id: "real/a.cnn", text: `use "l/a.cnn"\n${MODEL}` }, { resolve: async () => ({ text: "", id: "real/a.cnn" }) });
    expect(self.diagnostics.map((d) => [d.code, d.message])).toEqual([["CS2020", "circular import: a.cnn → l/a.cnn (a.cnn by another name)"]]);
  });

  it("a resolver that never answers: the deadline ends the wait with CS6007 at the use line", async () => {
    const r = await compileAsync({ file: "main.cnn", text: `use "b.cnn"\n${MODEL}` }, { resolve: () => new Promise<string>(() => {}), deadlineMs: 50 });
    expect(r.diagnostics.map((d) => [d.code, d.span?.start])).toEqual([["CS6007", 0]]);
    expect(r.diagnostics[0]!.message).toBe("compilation stopped: it took longer than its deadline of 50 ms");
    expect(r.graph.models).toEqual([]);
  });

  it("an abort while waiting ends it too; a rejecting resolver is CS2019 with its reason", async () => {
    const ctl = new AbortController();
    const pending = compileAsync({ file: "main.cnn", text: `use "b.cnn"\n${MODEL}` }, { resolve: () => new Promise<string>(() => {}), signal: ctl.signal });
    ctl.abort();
    expect(codes(await pending)).toEqual(["CS6007"]);
    const failing = await compileAsync({ file: "main.cnn", text: `use "b.cnn"\n${MODEL}` }, { resolve: async () => { throw new Error("HTTP 404"); } });
    expect(failing.diagnostics.map((d) => d.message)).toEqual(['cannot read "b.cnn": HTTP 404']);
  });

  it("the import budgets hold for async hosts: 5 files with maxImportFiles 3, 2 KB with maxImportBytes 1000", async () => {
    const text = [0, 1, 2, 3, 4].map((i) => `use "f${i}.cnn"\n`).join("") + "model m {\n  input x: [1, 8, 8]\n  output x -> relu\n}\n";
    const files = await compileAsync({ file: "main.cnn", text }, { resolve: async (p) => `block ${p.slice(0, 2)} {\n  input x\n  output x -> relu\n}\n`, maxImportFiles: 3 });
    expect(files.diagnostics.map((d) => d.message)).toEqual(['cannot use "f3.cnn": the imports would exceed 3 files', 'cannot use "f4.cnn": the imports would exceed 3 files']);
    const bytes = await compileAsync({ file: "main.cnn", text }, { resolve: async (p) => `# ${"x".repeat(400)}\nblock ${p.slice(0, 2)} {\n  input x\n  output x -> relu\n}\n`, maxImportBytes: 1000 });
    // Each file is 441 characters: two fit in 1,000, the third would make 1,323.
    expect(codes(bytes)).toEqual(["CS6010", "CS6010", "CS6010"]);
  });
});

describe("deadlines and abort signals in every stage", () => {
  const big = "model m {\n  input x: [1, 8, 8]\n  output x -> relu * 2000\n}\n";

  it("parsing stops before the lexer runs when the signal has aborted", () => {
    const r = parseText(big, { stop: () => "the caller aborted it" });
    expect(codes(r)).toEqual(["CS6007"]);
    expect(r.value.models).toEqual([]);
  });

  it("analyze: one CS6007 and no partial models", () => {
    const g = compile(big).graph;
    expect(g.models[0]!.nodes).toHaveLength(2001);
    const r = analyze(g, { signal: aborted() });
    expect(codes(r)).toEqual(["CS6007"]);
    expect(r.models).toEqual([]);
    expect(analyze(g, { deadlineMs: 60_000 }).models).toHaveLength(1);
  });

  it("verify passes the stop to analyze and checks it between layers", () => {
    const g = compile(big).graph;
    const r = verify(g, { signal: aborted(), rf: false });
    expect(codes(r)).toContain("CS6007");
    expect(r.ok).toBe(false);
    // Stopped after 300 layers of the forward run: the progress callback is where it looks.
    let seen = 0;
    const ctl = new AbortController();
    const s = verify(compile("model m {\n  input x: [1, 4, 4]\n  output x -> relu * 1000\n}\n").graph, {
      rf: false, signal: ctl.signal, onProgress: (done) => { seen = done; if (done === 300) ctl.abort(); },
    });
    expect(seen).toBe(300);
    expect(s.models[0]!.error).toBe("compilation stopped: the caller aborted it");
  });

  it("exportOnnx stops with CS6007 and no bytes", () => {
    const m = compile(big).graph.models[0]!;
    const w = seededParams(m, 0);
    const r = exportOnnx(m, w.params!, { signal: aborted() });
    expect(codes(r)).toEqual(["CS6007"]);
    expect(r.bytes).toBeUndefined();
  });
});

describe("sizes that overflowed the stack", () => {
  it("140,000 diagnostics from one compile: returned, not a RangeError", () => {
    const text = `model m {\n  input x: [1, 8, 8]\n  output x -> relu ${"@ ".repeat(140_000)}\n}\n`;
    const r = compile(text, { maxTokens: 200_000 });
    expect(r.diagnostics.filter((d) => d.code === "CS1001")).toHaveLength(140_000);
  });
});

describe("rendering is bounded", () => {
  it("lineCol from the index equals counting newlines by hand, at every offset of a mixed text", () => {
    const text = "a\nbc\n\n\r\nlong line here\n😀x\n";
    let line = 1;
    let col = 1;
    for (let at = 0; at <= text.length; at++) {
      expect(lineCol(text, at), `offset ${at}`).toEqual({ line, col });
      if (text[at] === "\n") {
        line++;
        col = 1;
      } else col++;
    }
    expect(lineCol(text, 10_000)).toEqual(lineCol(text, text.length));
  });

  it("a caret 50,000 columns into a line shows 40 columns before it and 60 after, marked with …", () => {
    const text = `${"a".repeat(50_000)}@${"b".repeat(50_000)}\n`;
    const out = renderDiagnostics([{ code: "CS1001", severity: "error", message: "unexpected character", span: { file: "f.cnn", start: 50_000, end: 50_001 } }], () => text);
    expect(out.split("\n")).toEqual([
      "f.cnn:1:50001: error CS1001: unexpected character",
      "  |",
      `1 | …${"a".repeat(40)}@${"b".repeat(59)}…`,
      `  | ${" ".repeat(41)}^`,
    ]);
  });

  it("past 100 diagnostics in a file, one line counts the rest; other files keep their own 100", () => {
    const d = (file: string, i: number) => ({ code: "CS1001", severity: "error" as const, message: "x", span: { file, start: i, end: i + 1 } });
    const many = [...Array.from({ length: 250 }, (_, i) => d("a.cnn", i)), d("b.cnn", 0)];
    const out = renderDiagnostics(many, () => "@".repeat(300));
    expect(out.match(/^a\.cnn:1:\d+: error/gm)).toHaveLength(100);
    expect(out.match(/^b\.cnn:1:1: error/gm)).toHaveLength(1);
    expect(out).toContain("and 150 more in a.cnn (150 errors); fix the first ones, then run again");
  });
});

describe("the JSON report in pieces", () => {
  it("joined, the pieces are the document JSON.stringify writes in one go (every zoo spec, and a model with no layers)", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { analysisToJson, jsonChunks } = await import("../../src/report/json.js");
    const texts = readdirSync("specs").filter((f) => f.endsWith(".cnn")).map((f) => ({ file: f, text: readFileSync(`specs/${f}`, "utf8") }));
    texts.push({ file: "empty.cnn", text: "model a {\n  input x: [1, 4, 4]\n  output x\n}\nmodel b {\n  input y: [2]\n  output y -> relu\n}\n" });
    for (const t of texts) {
      const c = compile(t, { resolve: (p) => readFileSync(`specs/${p}`, "utf8") });
      const a = analyze(c.graph);
      const doc = analysisToJson(a, { diagnostics: c.diagnostics, sources: c.sources });
      const pieces = [...jsonChunks(doc)];
      // One piece per layer at least: no piece holds a whole model.
      expect(pieces.length, t.file).toBeGreaterThan(a.models.reduce((n, m) => n + m.layers.length, 0));
      expect(pieces.join(""), t.file).toBe(JSON.stringify(doc));
      expect(JSON.parse(pieces.join("")).models.map((m: { layers: unknown[] }) => m.layers.length), t.file).toEqual(a.models.map((m) => m.layers.length));
    }
  });
});
