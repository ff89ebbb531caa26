import { describe, expect, test } from "vitest";
import { bytes, count, field, shape } from "../../src/report/units.js";
import { exact } from "../../src/report/json.js";
import { reportRows } from "../../src/report/rows.js";
import { run } from "../analysis/helpers.js";

describe("units", () => {
  test("counts with thousands separators", () => {
    expect(count(61_706n)).toBe("61,706");
    expect(count(15_470_264_320n)).toBe("15,470,264,320");
  });
  test("bytes in binary units: 1023 B, 1 KiB = 1024, 1.5 MiB = 1,572,864, 2 GiB", () => {
    expect(bytes(1023n)).toBe("1023 B");
    expect(bytes(1024n)).toBe("1.00 KiB");
    expect(bytes(1_572_864n)).toBe("1.50 MiB");
    expect(bytes(2n * 1024n ** 3n)).toBe("2.00 GiB");
    expect(bytes(1_048_575n)).toBe("1024.00 KiB"); // 1 B short of 1 MiB, rounded to two decimals
  });
  test("shapes and fields", () => {
    expect(shape([96, 55, 55])).toBe("96×55×55");
    expect(field({ size: [195, 195], jump: [32, 32], start: [0, 0], global: false })).toBe("195/32");
    expect(field({ size: [1, 7], jump: [1, 1], start: [0, 0], global: false })).toBe("1×7/1");
    expect(field({ size: [224, 224], jump: [224, 224], start: [0, 0], global: true })).toBe("global");
    expect(field({ size: [3, 3], jump: [0.5, 0.5], start: [0, 0], global: true })).toBe("3/0.5+global");
  });
  test("JSON integers: exact numbers up to 2^53 − 1, strings beyond", () => {
    expect(exact(9_007_199_254_740_991n)).toBe(9_007_199_254_740_991);
    expect(exact(9_007_199_254_740_992n)).toBe("9007199254740992");
  });
});

describe("report rows", () => {
  const r = run(`block inner(c) {
  input x
  output x -> conv2d(c, 1) -> relu
}
block outer(c) {
  input x
  output x -> inner(c) -> inner(c) -> conv2d(c, 3, padding=1)
}
model m {
  input x: [2, 6, 6]
  output x -> outer(4) as o -> flatten -> dense(3)
}`);
  test("all levels open: headers for o and its two inner calls, 6 leaf rows + 2 after", () => {
    const rows = reportRows(r.model);
    expect(rows.map((x) => `${x.indent}:${x.label}`)).toEqual([
      "0:o", "1:inner_1", "2:conv2d_1", "2:relu_1", "1:inner_2", "2:conv2d_2", "2:relu_2", "1:conv2d_3", "0:flatten_1", "0:dense_1",
    ]);
    expect(rows[0]!.params).toBeUndefined();
  });
  test("one level open: the inner calls collapse into rows summing their layers", () => {
    const rows = reportRows(r.model, 1);
    expect(rows.map((x) => `${x.label}:${x.layers}`)).toEqual(["o:0", "inner_1:2", "inner_2:2", "conv2d_3:1", "flatten_1:1", "dense_1:1"]);
    expect(rows[1]!.params).toBe(4n * 2n + 4n); // conv2d(4, 1) on 2 channels
  });
  test("nothing open: o is one row of 5 layers; params of all rows sum to the total", () => {
    const rows = reportRows(r.model, 0);
    expect(rows.map((x) => `${x.label}:${x.layers}`)).toEqual(["o:5", "flatten_1:1", "dense_1:1"]);
    expect(rows.reduce((a, x) => a + (x.params ?? 0n), 0n)).toBe(r.model.totals.params);
  });
});

describe("rows sum to totals at every depth", () => {
  const zoo = ["resnet18", "googlenet_3a", "vgg16", "genre1d"];
  for (const name of zoo) {
    test(`${name}, depths 1 to 3 and all`, async () => {
      const { readFileSync } = await import("node:fs");
      const r = run(readFileSync(new URL(`../../specs/${name}.cnn`, import.meta.url), "utf8"));
      const t = r.model.totals;
      for (const depth of [0, 1, 2, Infinity]) {
        const rows = reportRows(r.model, depth);
        const sum = (pick: (x: (typeof rows)[number]) => bigint | undefined) => rows.reduce((a, x) => a + (pick(x) ?? 0n), 0n);
        expect([sum((x) => x.params), sum((x) => x.nonTrainableParams), sum((x) => x.macs), sum((x) => x.flops), sum((x) => x.activationBytes)])
          .toEqual([t.params, t.nonTrainableParams, t.macs, t.flops, t.activationBytes]);
        expect(rows.reduce((a, x) => a + x.layers, 0)).toBe(r.model.layers.length);
      }
    });
  }
});
