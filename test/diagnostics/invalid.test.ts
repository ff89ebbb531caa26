/**
 * The invalid-spec baselines: every test/invalid/*.cnn compiles to exactly the `line:col code`
 * lines of its .expected file. UPDATE_BASELINES=1 rewrites the .expected files instead.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { messages } from "../../src/diagnostics/messages.js";
import { INVALID_DIR, baselineLines, compileCase, invalidCases } from "./baseline.js";

const UPDATE = process.env.UPDATE_BASELINES === "1";
const cases = invalidCases();
const seenCodes = new Set<string>();

/** Codes no spec in test/invalid/ can produce, each with the reason and where it is tested. */
const UNREACHABLE_FROM_A_SPEC: Record<string, string> = {};

describe("test/invalid baselines", () => {
  it("holds at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const name of cases) {
    it(name, () => {
      const { result } = compileCase(name);
      const lines = baselineLines(name, result);
      for (const d of result.diagnostics) seenCodes.add(d.code);
      const file = join(INVALID_DIR, name.replace(/\.cnn$/, ".expected"));
      if (UPDATE) writeFileSync(file, lines.join("\n") + "\n");
      expect(existsSync(file), `${file} is missing; run with UPDATE_BASELINES=1`).toBe(true);
      const expected = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
      expect(lines).toEqual(expected);
      // Every case is invalid: it reports at least one diagnostic.
      expect(lines.length).toBeGreaterThan(0);
      for (const d of result.diagnostics) {
        expect(d.message, `${d.code}: unfilled hole in "${d.message}"`).not.toMatch(/\{\w+\}/);
        expect(d.span, `${d.code} has no span`).toBeDefined();
        const text = result.sources.get(d.span!.file);
        expect(text, `${d.code} points into an unknown file ${d.span!.file}`).toBeDefined();
        expect(d.span!.start).toBeGreaterThanOrEqual(0);
        expect(d.span!.end).toBeGreaterThanOrEqual(d.span!.start);
        expect(d.span!.end).toBeLessThanOrEqual(text!.length);
      }
    });
  }

  it("exercises every CS1, CS2 and CS6 code of the message table", () => {
    const wanted = Object.values(messages)
      .map((m) => m.code)
      .filter((c) => /^CS[126]/.test(c));
    const missing = wanted.filter((c) => !seenCodes.has(c) && !(c in UNREACHABLE_FROM_A_SPEC));
    expect(missing, "codes without an invalid spec").toEqual([]);
  });
});
