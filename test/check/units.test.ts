/** The pure parts of `convspec check`: number formatting, budget values, convspec.json, globs. */
import { describe, expect, it } from "vitest";
import { BUDGET_KINDS, budgetKind, parseBudgetValue } from "../../src/check/budgets.js";
import { budgetsFor, globMatch, parseConfig } from "../../src/check/config.js";
import { binaryBytes, groupDigits, percent, signed } from "../../src/util/format.js";
import { xmlEscape } from "../../src/check/report.js";

describe("formatting", () => {
  it("groups digits in threes, keeping the sign", () => {
    expect(groupDigits(25_557_032n)).toBe("25,557,032");
    expect(groupDigits(999n)).toBe("999");
    expect(groupDigits(-1_000n)).toBe("-1,000");
    expect(signed(5_309_696n)).toBe("+5,309,696");
    expect(signed(0n)).toBe("0");
  });
  it("percentages to one decimal, rounded half up: 557,032 of 25M is +2.2%", () => {
    expect(percent(557_032n, 25_000_000n)).toBe("+2.2%");
    expect(percent(-50n, 200n)).toBe("-25.0%");
    expect(percent(1n, 3n)).toBe("+33.3%");
    expect(percent(2n, 3n)).toBe("+66.7%");
    expect(percent(0n, 7n)).toBe("0.0%");
  });
  it("binary units: 1 KiB = 1024 B, 98.0 MiB = 102,760,448 B", () => {
    expect(binaryBytes(512n)).toBe("512 B");
    expect(binaryBytes(1024n)).toBe("1.0 KiB");
    expect(binaryBytes(1536n)).toBe("1.5 KiB");
    expect(binaryBytes(98n * 1024n * 1024n)).toBe("98.0 MiB");
    expect(binaryBytes(3n * 1024n ** 3n)).toBe("3.0 GiB");
  });
  it("escapes XML's five special characters and drops control characters", () => {
    expect(xmlEscape(`a<b & "c" 'd'>\u0001`)).toBe("a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  });
});

describe("budget values", () => {
  it("reads suffixes exactly: 25M, 4G, 512MiB, 2.5K", () => {
    expect(parseBudgetValue("25M").value).toBe(25_000_000n);
    expect(parseBudgetValue("4G").value).toBe(4_000_000_000n);
    expect(parseBudgetValue("512MiB").value).toBe(536_870_912n);
    expect(parseBudgetValue("2.5K").value).toBe(2_500n);
    expect(parseBudgetValue(200).value).toBe(200n);
  });
  it("refuses what is not a whole count", () => {
    expect(parseBudgetValue("abc").error).toBeDefined();
    expect(parseBudgetValue("1.5").error).toBeDefined();
    expect(parseBudgetValue(-3).error).toBeDefined();
    expect(parseBudgetValue(1.5).error).toBeDefined();
  });
  it("knows every option the issue names, by dashed or camel-case name", () => {
    expect(BUDGET_KINDS.map((k) => k.option)).toEqual([
      "max-params", "max-macs", "max-flops", "max-memory", "max-peak-memory", "max-training-memory", "min-rf",
    ]);
    expect(budgetKind("maxPeakMemory")?.option).toBe("max-peak-memory");
    expect(budgetKind("--min-rf")?.bound).toBe("min");
    expect(budgetKind("max-weights")).toBeUndefined();
  });
});

describe("convspec.json", () => {
  const text = JSON.stringify({ budgets: { "resnet*": { "max-params": "30M", "max-macs": "5G" }, resnet50: { "max-params": "26M" }, "*": { "min-rf": 100 } } }, null, 2);
  const config = parseConfig("convspec.json", text).value!;

  it("globs match whole names with * and ?", () => {
    expect(globMatch("resnet*", "resnet50")).toBe(true);
    expect(globMatch("resnet?0", "resnet50")).toBe(true);
    expect(globMatch("resnet", "resnet50")).toBe(false);
    expect(globMatch("vgg.16", "vgg016")).toBe(false);
  });
  it("an exact name beats a glob; the command line beats both", () => {
    const fromFile = budgetsFor("resnet50", config, []);
    expect(fromFile.map((b) => `${b.kind.option}=${b.limit}`)).toEqual(["max-params=26000000", "max-macs=5000000000", "min-rf=100"]);
    const cli = [{ kind: budgetKind("max-params")!, limit: 25_000_000n, text: "25M", source: "command line" }];
    const both = budgetsFor("resnet50", config, cli);
    expect(both.find((b) => b.kind.option === "max-params")?.source).toBe("command line");
    expect(budgetsFor("vgg16", config, []).map((b) => b.kind.option)).toEqual(["min-rf"]);
  });
  it("reports mistakes as diagnostics with codes, pointing at the key", () => {
    const bad = parseConfig("c.json", '{ "budgets": { "m": { "max-param": "1M", "max-macs": "lots" } }, "budget": 1 }');
    expect(bad.diagnostics.map((d) => d.code).sort()).toEqual(["CS5002", "CS5003", "CS5004"]);
    const unknown = bad.diagnostics.find((d) => d.code === "CS5003")!;
    expect(unknown.hint).toContain("max-params");
    expect(unknown.span!.start).toBe('{ "budgets": { "m": { '.length);
    expect(parseConfig("c.json", "{ nope").diagnostics[0]!.code).toBe("CS5001");
    expect(parseConfig("c.json", "[]").diagnostics[0]!.code).toBe("CS5002");
  });
});
