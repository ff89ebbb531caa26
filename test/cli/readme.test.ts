/** The README's example outputs are what the commands print today. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runCli, ROOT } from "./run.js";

const readme = readFileSync(`${ROOT}/README.md`, "utf8");

/** The first fenced block after `marker`. */
function blockAfter(marker: string): string {
  const at = readme.indexOf(marker);
  expect(at, marker).toBeGreaterThan(-1);
  const open = readme.indexOf("```\n", at) + 4;
  return readme.slice(open, readme.indexOf("```", open));
}

describe("README examples", () => {
  test("`convspec analyze specs/lenet5.cnn`", () => {
    const r = runCli(["analyze", "specs/lenet5.cnn"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(blockAfter("`convspec analyze specs/lenet5.cnn` prints:"));
  });
  test("`convspec verify specs/lenet5.cnn`", () => {
    const r = runCli(["verify", "specs/lenet5.cnn"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(blockAfter("`convspec verify specs/lenet5.cnn`:"));
  });
});
