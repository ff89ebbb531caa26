/**
 * Property tests of the front end under hostile input (a small seeded sample; bench/fuzz.ts runs
 * the long version): mutated zoo specs and random token streams never make parse, compile or
 * analyze throw, and every diagnostic span lies inside its file's text.
 */
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMutations, checkCase, fuzzCorpus, mutatedSpecArb, tokenize, tokenStreamArb, NASTY_NUMBERS } from "../../bench/fuzz-cases.js";

const corpus = fuzzCorpus(fileURLToPath(new URL("../../specs/", import.meta.url)));
const resolve = (p: string) => corpus.get(p);
const names = [...corpus.keys()];
const SEED = 20261122;

function expectClean(name: string, text: string): void {
  const r = checkCase(name, text, resolve);
  expect(r.problems, `${name}: ${JSON.stringify(text.slice(0, 200))}`).toEqual([]);
}

describe("front end under hostile input", () => {
  it("starts from a corpus that compiles cleanly", () => {
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const n of names) expectClean(n, corpus.get(n)!);
  });

  it("tokenize round-trips every spec (so mutations only change what they say)", () => {
    for (const n of names) expect(tokenize(corpus.get(n)!).join("")).toBe(corpus.get(n));
  });

  it("survives mutated zoo specs (delete, duplicate, swap, numbers, long names, nesting, unicode, truncation)", () => {
    fc.assert(
      fc.property(mutatedSpecArb(names), ({ name, mutations }) => {
        const text = applyMutations(corpus.get(name)!, mutations);
        const r = checkCase(name, text, resolve);
        if (r.problems.length > 0) throw new Error(`${r.problems.join("; ")}\n--- text ---\n${text.slice(0, 400)}`);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it("survives random token streams", () => {
    fc.assert(
      fc.property(tokenStreamArb, (text) => {
        const r = checkCase("stream.cnn", text, resolve);
        if (r.problems.length > 0) throw new Error(`${r.problems.join("; ")}\n--- text ---\n${text}`);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it("survives truncation at every offset of three specs", () => {
    for (const n of ["lenet5.cnn", "googlenet_3a.cnn", "resnet18.cnn"]) {
      const text = corpus.get(n)!;
      for (let i = 0; i <= text.length; i++) expectClean(n, text.slice(0, i));
    }
  });

  it("survives every nasty number in every numeric position of lenet5", () => {
    const tokens = tokenize(corpus.get("lenet5.cnn")!);
    const numeric = tokens.flatMap((t, i) => (/^\d/.test(t) ? [i] : []));
    expect(numeric.length).toBeGreaterThan(5);
    for (const i of numeric) {
      for (const v of NASTY_NUMBERS) expectClean("lenet5.cnn", tokens.map((t, j) => (j === i ? v : t)).join(""));
    }
  });

  it("reports (does not crash on) the hostile inputs it is meant to refuse", () => {
    const deep = "model m {\n  input x: [1, 8, 8]\n  output x -> conv2d(" + "(".repeat(5000) + "1" + ")".repeat(5000) + ", 3)\n}\n";
    const unary = "model m {\n  input x: [1, 8, 8]\n  output x -> conv2d(" + "-".repeat(50_000) + "1, 3)\n}\n";
    const sum = "model m {\n  input x: [1, 8, 8]\n  output x -> conv2d(" + "1+".repeat(50_000) + "1, 3)\n}\n";
    const mixed = "model m {\n  input x: [1, 8, 8]\n  assert params == " + "1+output+".repeat(20_000) + "1\n  output x -> relu\n}\n";
    for (const text of [deep, unary, sum, mixed, "\u0000".repeat(1000), "😀".repeat(1000), "\ud800model"]) expectClean("hostile.cnn", text);
  });
});
