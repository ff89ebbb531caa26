/**
 * Source rules for hostile input, enforced over src/: no spreading of arrays into calls (a
 * user-sized array overflows the stack past ~120k elements: `Math.max(...xs)`, `push(...xs)`),
 * and no plain-object maps keyed by names from a spec (`toString`, `__proto__` and `constructor`
 * are found on Object.prototype). Use loops, Map, or Object.create(null) with Object.hasOwn.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { blank, callSpreads } from "./scan.js";

const ROOT = join(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("source rules against hostile input", () => {
  it("no spread of an array into a call anywhere in src/", () => {
    const found: string[] = [];
    for (const f of sources(join(ROOT, "src"))) {
      const src = readFileSync(f, "utf8");
      const lines = src.split("\n");
      for (const l of callSpreads(src)) found.push(`${relative(ROOT, f)}:${l}: ${lines[l - 1]!.trim().slice(0, 120)}`);
    }
    expect(found).toEqual([]);
  });
});

/** `const x: Record<string, T> = {}` (also `let`, class fields) and `{} as Record<string, T>`. */
const DECLARED_EMPTY = /^\s*(?:(?:export|const|let|var|readonly|private|public|protected|static)\s+)*[\w$]+\s*:\s*(?:Readonly<)?Record<string,[^=]*>\s*=\s*\{\s*\}/;
const CAST_EMPTY = /=\s*\{\s*\}\s*as\s+(?:Readonly<)?Record<string/;

describe("no plain-object maps in src/", () => {
  it("a string-keyed record starts from dict() (no prototype) or is a Map, never from {}", () => {
    const found: string[] = [];
    for (const f of sources(join(ROOT, "src"))) {
      const lines = blank(readFileSync(f, "utf8")).split("\n");
      lines.forEach((l, i) => {
        if (DECLARED_EMPTY.test(l) || CAST_EMPTY.test(l)) found.push(`${relative(ROOT, f)}:${i + 1}: ${l.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it("the rules catch what they are meant to catch", () => {
    // The scanner itself, on the shapes it must flag and the ones it must leave alone.
    expect(callSpreads("Math.max(...xs);\nout.push(a, ...b);\nnew Set(...c);")).toEqual([1, 2, 3]);
    expect(DECLARED_EMPTY.test("  const out: Record<string, number> = {};")).toBe(true);
    expect(DECLARED_EMPTY.test("  private readonly byName: Readonly<Record<string, T>> = {};")).toBe(true);
    expect(CAST_EMPTY.test("const o = {} as Record<string, number>;")).toBe(true);
    expect(DECLARED_EMPTY.test("const out = dict<number>();")).toBe(false);
    expect(callSpreads("const f = (...xs: number[]) => xs;\nfunction g(...ys: string[]) {}\nconst a = [...xs, ...ys];\nconst o = { ...p };\n// f(...xs)\nconst s = \"g(...x)\";")).toEqual([]);
  });
});
