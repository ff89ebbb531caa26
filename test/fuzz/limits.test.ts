/**
 * Resource limits at their defaults: each is a diagnostic with its code, refused before the work
 * it guards is done. "Before it is built" is observed through the abort signal, which expansion
 * polls once per 256 layers it builds: a refusal up front leaves the poll count at most one above
 * the three polls of parsing (before lexing, after lexing, after parsing).
 */
import { describe, expect, it } from "vitest";
import { compile, type CompileOptions } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";

/** Polls of the signal while the one file is parsed. */
const PARSE_POLLS = 3;

const model = (body: string) => `model m {\n  input x: [1, 8, 8]\n${body}\n}\n`;

/** An AbortSignal stand-in that counts how often expansion asks whether to stop. */
function pollCounter(): { signal: AbortSignal; polls: () => number } {
  let n = 0;
  const signal = { get aborted() { n++; return false; } } as unknown as AbortSignal;
  return { signal, polls: () => n };
}

function codes(text: string, options: CompileOptions = {}): string[] {
  return compile(text, options).diagnostics.map((d) => d.code);
}

describe("layer limit (default 1,000,000)", () => {
  it("refuses a flat repeat past the limit without building it", () => {
    const p = pollCounter();
    const r = compile(model("  output x -> relu * 1_000_001"), { signal: p.signal });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS6001"]);
    expect(r.diagnostics[0]!.message).toContain("1000000");
    expect(p.polls()).toBeLessThanOrEqual(PARSE_POLLS + 1);
    expect(r.graph.models).toEqual([]);
  });

  it("refuses * 1000 nested inside * 1000 inside * 1000 before it is built", () => {
    const text = [
      "block k() {\n  input x\n  output x -> relu * 1000\n}",
      "block kk() {\n  input x\n  output x -> k * 1000\n}",
      model("  output x -> kk * 1000"),
    ].join("\n");
    const p = pollCounter();
    expect(codes(text, { signal: p.signal })).toEqual(["CS6001"]);
    expect(p.polls()).toBeLessThanOrEqual(PARSE_POLLS + 1);
  });

  it("refuses blocks that double each other 30 levels deep (2^30 layers) before they are built", () => {
    let text = "block b0() {\n  input x\n  output x -> relu\n}\n";
    for (let i = 1; i <= 30; i++) text += `block b${i}() {\n  input x\n  output x -> b${i - 1} -> b${i - 1}\n}\n`;
    const p = pollCounter();
    const r = compile(text + model("  output x -> b30"), { signal: p.signal });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS6001"]);
    expect(p.polls()).toBeLessThanOrEqual(PARSE_POLLS + 1);
  });

  it("builds right up to a lowered limit and refuses one more", () => {
    expect(codes(model("  output x -> relu * 9"), { maxLayers: 10 })).toEqual([]);
    expect(codes(model("  output x -> relu * 10"), { maxLayers: 10 })).toEqual(["CS6001"]);
  });
});

describe("other limits at their defaults", () => {
  it("block recursion, direct and mutual, is CS2015", () => {
    const direct = "block a() {\n  input x\n  output x -> a\n}\n" + model("  output x -> a");
    const mutual = "block a() {\n  input x\n  output x -> b\n}\nblock b() {\n  input x\n  output x -> a\n}\n" + model("  output x -> a");
    expect(codes(direct)).toEqual(["CS2015"]);
    expect(codes(mutual)).toEqual(["CS2015"]);
  });

  it("import cycles are CS2020, a file importing itself included", () => {
    const files: Record<string, string> = { "a.cnn": 'use "b.cnn"\n', "b.cnn": 'use "a.cnn"\n', "self.cnn": 'use "self.cnn"\n' };
    const resolve = (p: string) => files[p];
    expect(codes('use "a.cnn"\n' + model("  output x -> relu"), { file: "main.cnn", resolve })).toEqual(["CS2020"]);
    expect(codes('use "self.cnn"\n' + model("  output x -> relu"), { file: "main.cnn", resolve })).toEqual(["CS2020"]);
  });

  it("block nesting deeper than 64 is CS6002", () => {
    let text = "";
    for (let i = 0; i < 70; i++) text += `block d${i}() {\n  input x\n  output x -> d${i + 1}\n}\n`;
    text += "block d70() {\n  input x\n  output x -> relu\n}\n";
    expect(codes(text + model("  output x -> d0"))).toEqual(["CS6002"]);
    // 60 deep is fine.
    expect(codes(text.replace("output x -> d60", "output x -> relu") + model("  output x -> d0"))).toEqual([]);
  });

  it("bracket nesting deeper than 64 is CS6004; 64 is fine", () => {
    const nest = (k: number) => model(`  output x -> conv2d(${"(".repeat(k)}4${")".repeat(k)}, 3)`);
    expect(codes(nest(62))).toEqual([]); // with conv2d( and model { that is 64 deep
    expect(codes(nest(63))).toEqual(["CS6004"]);
  });

  it("more than 256 chained operators is CS6008, however they are split by brackets", () => {
    expect(codes(model(`  output x -> conv2d(${"1 + ".repeat(200)}1, 3)`))).toEqual([]);
    expect(codes(model(`  output x -> conv2d(${"1 + ".repeat(300)}1, 3)`))).toEqual(["CS6008"]);
    expect(codes(model(`  output x -> conv2d(${"-".repeat(300)}1, 3)`))).toEqual(["CS6008"]);
    expect(codes(model(`  output x -> conv2d(${"1 + (1 + ".repeat(60)}1${")".repeat(60)}, 3)`))).toEqual([]);
    expect(codes(model(`  output x -> conv2d(${"1+1+1+(".repeat(60)}1${")".repeat(60)}, 3)`))).toEqual([]);
    expect(codes(model(`  output x -> conv2d(${"1+1+1+1+1+(".repeat(60)}1${")".repeat(60)}, 3)`))).toEqual(["CS6008"]);
  });

  it("a file over 4 MiB is CS6003, refused before it is read further", () => {
    const big = model("  output x -> relu") + "#".repeat(4 * 1024 * 1024);
    const r = compile(big);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS6003"]);
  });

  it("imports nested deeper than 32 are CS6006", () => {
    const resolve = (p: string) => {
      const n = Number(/^f(\d+)\.cnn$/.exec(p)?.[1]);
      return Number.isFinite(n) ? `use "f${n + 1}.cnn"\n` : undefined;
    };
    expect(codes('use "f0.cnn"\n' + model("  output x -> relu"), { file: "main.cnn", resolve })).toEqual(["CS6006"]);
  });

  it("integers beyond 2^53 are CS6005 wherever they appear; 2^53 - 1 is exact and accepted", () => {
    expect(codes(model("  output x -> flatten -> dense(9_007_199_254_740_991)"))).toEqual([]);
    expect(codes(model("  output x -> flatten -> dense(9_007_199_254_740_993)"))).toEqual(["CS6005"]);
    expect(codes(model("  output x -> flatten -> dense(1e30)"))).toEqual(["CS6005"]);
    expect(codes("model m {\n  input x: [1, 9007199254740993, 8]\n  output x -> relu\n}\n")).toEqual(["CS6005"]);
    expect(codes(model("  output x -> flatten -> dense(1e39 * 1e39)"))).toEqual(["CS6005"]);
  });

  it("tensors whose element count overflows: counts stay exact bigints, a flat size past 2^53 is CS3014", () => {
    const huge = "model m {\n  input x: [4_000_000_000, 4_000_000_000, 4_000_000_000]\n  output x -> conv2d(4_000_000_000, 1) -> flatten -> dense(3)\n}\n";
    const c = compile(huge);
    expect(c.diagnostics).toEqual([]);
    const a = analyze(c.graph);
    expect(a.diagnostics.map((d) => d.code)).toEqual(["CS3014"]);
    const conv = a.models[0]!.layers.find((l) => l.kind === "conv2d")!;
    // Nothing rounds: 4 bytes times the exact element count.
    expect(conv.activationBytes).toBe(4n * 4_000_000_000n ** 3n);
    expect(conv.macs).toBe(4_000_000_000n ** 4n); // C_out · H · W · C_in · 1 · 1
  });
});
