/**
 * Golden outputs of `convspec analyze` (test/golden/analyze/; UPDATE_GOLDEN=1 rewrites them),
 * and the invariant torchinfo checks on every golden: each numeric column sums to its totals row.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runCli, ROOT } from "../cli/run.js";

const CASES: readonly { name: string; args: string[] }[] = [
  { name: "lenet5.table.txt", args: ["specs/lenet5.cnn"] },
  { name: "resnet18.depth1.table.txt", args: ["specs/resnet18.cnn", "--depth", "1"] },
  { name: "googlenet_3a.table.txt", args: ["specs/googlenet_3a.cnn"] },
  { name: "genre1d.batch8.fp16.table.txt", args: ["specs/genre1d.cnn", "--batch", "8", "--dtype", "float16", "--optimizer", "adam"] },
  { name: "alexnet.md", args: ["specs/alexnet.cnn", "--format", "markdown"] },
  { name: "vgg16.csv", args: ["specs/vgg16.cnn", "--format", "csv"] },
  { name: "resnet18.depth1.csv", args: ["specs/resnet18.cnn", "--format", "csv", "--depth", "1"] },
  { name: "c3d_small.csv", args: ["specs/c3d_small.cnn", "--format", "csv"] },
];

const outputs = new Map<string, string>();
function output(c: (typeof CASES)[number]): string {
  if (!outputs.has(c.name)) {
    const r = runCli(["analyze", ...c.args]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    outputs.set(c.name, r.stdout);
  }
  return outputs.get(c.name)!;
}

const num = (s: string) => BigInt(s.replace(/,/g, "").trim() || "0");

describe("golden analyze outputs", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const path = `${ROOT}test/golden/analyze/${c.name}`;
      const out = output(c);
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) writeFileSync(path, out);
      expect(out).toBe(readFileSync(path, "utf8"));
    });
  }
});

describe("columns sum to the totals row", () => {
  for (const c of CASES.filter((x) => x.name.endsWith(".table.txt"))) {
    test(`${c.name}: params and MACs`, () => {
      const lines = output(c).split("\n").filter((l) => l.startsWith("│"));
      const cells = lines.map((l) => l.split("│").slice(1, -1));
      const total = cells.find((r) => r[0]!.trim() === "total")!;
      const rows = cells.slice(1, cells.indexOf(total));
      for (const col of [3, 4]) {
        expect(rows.reduce((a, r) => a + num(r[col]!), 0n)).toBe(num(total[col]!));
      }
    });
  }
  for (const c of CASES.filter((x) => x.name.endsWith(".csv"))) {
    test(`${c.name}: params, buffers, MACs, FLOPs, activation bytes`, () => {
      const rows = output(c).trim().split("\n").slice(1).map((l) => l.split(","));
      const total = rows.find((r) => r[1] === "total")!;
      const body = rows.filter((r) => r !== total);
      for (const col of [5, 6, 7, 8, 9]) {
        expect(body.reduce((a, r) => a + num(r[col]!), 0n)).toBe(num(total[col]!));
      }
    });
  }
  test("the markdown totals row matches the sum of its params column", () => {
    const lines = output(CASES.find((c) => c.name === "alexnet.md")!).split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| layer") && !l.startsWith("| ---"));
    const cells = lines.map((l) => l.split(" | ").map((x) => x.replace(/[|*]/g, "").trim()));
    const total = cells.find((r) => r[0] === "total")!;
    expect(cells.filter((r) => r !== total).reduce((a, r) => a + num(r[3]!), 0n)).toBe(num(total[3]!));
  });
});
