/**
 * The API reference in docs/api/ is generated from the shipped declarations (dist/src/index.d.ts,
 * built by `npm test`'s pretest); a change to the public API or its doc comments without
 * `npm run api` leaves it stale and fails here.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/run.js";
import { tempDir } from "../tmp.js";

const committed = join(ROOT, "docs/api");
let fresh = "";

beforeAll(() => {
  fresh = tempDir("convspec-api-ref-");
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/api-docs.mjs"), fresh], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`scripts/api-docs.mjs failed (exit ${r.status}):\n${r.stderr}`);
}, 150_000);

describe("docs/api", () => {
  it("is current: `npm run api` would write exactly these pages", () => {
    const pages = readdirSync(fresh).sort();
    expect(readdirSync(committed).sort(), "run `npm run api`").toEqual(pages);
    const stale = pages.filter((p) => readFileSync(join(fresh, p), "utf8") !== readFileSync(join(committed, p), "utf8"));
    expect(stale, "pages that differ from what `npm run api` writes").toEqual([]);
  });

  it("documents the JSON functions and the results' value fields", () => {
    const home = readFileSync(join(committed, "convspec.md"), "utf8");
    for (const fn of ["toJson", "analysisToJson", "checkToJson", "verifyToJson", "compile", "analyze", "verify"]) expect(home).toContain(`[${fn}(`);
    const assertResult = readFileSync(join(committed, "convspec.assertresult.md"), "utf8");
    expect(assertResult).toContain("actualValue");
    expect(assertResult).toMatch(/counts are exact bigints/);
  });
});
