/**
 * The message table: codes unique, well formed, and each in the band its section announces
 * (CS1 syntax, CS2 semantics, CS3 shapes, CS4 verification, CS5 checks, CS6 limits).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { messages } from "../../src/diagnostics/messages.js";

const tableSource = readFileSync(new URL("../../src/diagnostics/messages.ts", import.meta.url), "utf8");

/** Every `name: m("CSnnnn", ...)` entry with the prefix of the `// ── CSnxxx` section above it. */
function entriesWithSections(): { code: string; section: string | undefined }[] {
  const out: { code: string; section: string | undefined }[] = [];
  let section: string | undefined;
  for (const line of tableSource.split("\n")) {
    const head = /\/\/\s*──\s*CS(\d+)x+\b/.exec(line);
    if (head) section = head[1];
    for (const m of line.matchAll(/\bm\("(CS\d+)"/g)) out.push({ code: m[1]!, section });
  }
  return out;
}

describe("message table", () => {
  const codes = Object.values(messages).map((m) => m.code);

  it("has unique codes", () => {
    const dupes = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(dupes).toEqual([]);
  });

  it("spells every code CS and four digits, bands 1 to 6", () => {
    expect(codes.filter((c) => !/^CS[1-6]\d{3}$/.test(c))).toEqual([]);
  });

  it("keeps every code in the band of its section", () => {
    const entries = entriesWithSections();
    // The scan sees exactly the table's entries, so a code outside any section cannot hide.
    expect(entries.map((e) => e.code).sort()).toEqual([...codes].sort());
    // A section `CS49xx` holds codes that start CS49; `CS3xxx` codes that start CS3.
    const misplaced = entries.filter((e) => e.section === undefined || !e.code.startsWith(`CS${e.section}`));
    expect(misplaced).toEqual([]);
  });

  it("gives every entry a severity and a template whose holes are named", () => {
    for (const m of Object.values(messages)) {
      expect(["error", "warning", "info"]).toContain(m.severity);
      expect(m.template.length).toBeGreaterThan(0);
      expect(m.template.replace(/\{\w+\}/g, "")).not.toMatch(/[{}]/);
    }
  });
});
