/**
 * The library as a service uses it: no file-system access without a resolver, a failing resolver
 * becomes a diagnostic, and a deadline or abort signal stops a long expansion cleanly (CS6007).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

// Every fs entry point records its use: a compile without a resolver must record none.
const fsCalls: string[] = [];
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const spied: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(real)) {
    spied[k] = typeof v === "function" ? (...args: unknown[]) => (fsCalls.push(k), (v as (...a: unknown[]) => unknown)(...args)) : v;
  }
  return { ...spied, default: spied };
});

const { compile } = await import("../../src/graph/compile.js");

const model = (body: string) => `model m {\n  input x: [1, 8, 8]\n${body}\n}\n`;
const withUse = 'use "blocks.cnn"\n' + model("  output x -> relu");

beforeEach(() => {
  fsCalls.length = 0;
});

describe("compile without a resolver", () => {
  it("refuses an import with CS2019 and never touches the file system", () => {
    const r = compile(withUse, { file: "main.cnn" });
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([["CS2019", 'cannot read "blocks.cnn": imports need a resolver (none was given)']]);
    expect(fsCalls).toEqual([]);
  });

  it("the spy does see file reads (so the check above can fail)", async () => {
    const fs = await import("node:fs");
    fs.existsSync("/");
    expect(fsCalls).toContain("existsSync");
  });
});

describe("a failing resolver", () => {
  const cases: [string, (p: string) => string | undefined, string][] = [
    ["throws an Error", () => { throw new Error("EACCES: permission denied"); }, "EACCES: permission denied"],
    ["throws a string", () => { throw "offline"; }, "offline"],
    ["throws something unprintable", () => { throw { toString: () => { throw new Error("no"); } }; }, "the resolver failed"],
    ["returns undefined", () => undefined, "no such file"],
    ["returns a non-string", () => 42 as unknown as string, "the resolver returned number, not text"],
  ];
  for (const [what, resolve, reason] of cases) {
    it(`${what}: CS2019 with the reason, at the use line`, () => {
      const r = compile(withUse, { file: "main.cnn", resolve });
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({ code: "CS2019", message: `cannot read "blocks.cnn": ${reason}`, span: { file: "main.cnn", start: 0, end: 16 } });
    });
  }
});

describe("deadline and abort", () => {
  const long = model("  output x -> relu * 300_000");

  it("an aborted signal stops expansion with CS6007 and no graph", () => {
    const r = compile(long, { signal: AbortSignal.abort() });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS6007"]);
    expect(r.diagnostics[0]!.message).toBe("compilation stopped: the caller aborted it");
    expect(r.graph.models).toEqual([]);
  });

  it("a signal aborted while compiling (here, by the resolver) stops it", () => {
    const ctl = new AbortController();
    const r = compile('use "lib.cnn"\n' + long, { resolve: () => (ctl.abort(), "# nothing\n"), signal: ctl.signal });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS6007"]);
  });

  it("a deadline of 0 ms stops a 300,000-layer expansion with CS6007", () => {
    const r = compile(long, { deadlineMs: 0 });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS6007"]);
    expect(r.diagnostics[0]!.message).toMatch(/deadline of 0 ms/);
    expect(r.graph.models).toEqual([]);
  });

  it("a generous deadline and a live signal change nothing", () => {
    const r = compile(model("  output x -> relu * 1000"), { deadlineMs: 600_000, signal: new AbortController().signal });
    expect(r.diagnostics).toEqual([]);
    expect(r.graph.models[0]!.nodes).toHaveLength(1001);
  });

  it("stops once for several models, not once per model", () => {
    const two = long + long.replace("model m", "model n");
    expect(compile(two, { signal: AbortSignal.abort() }).diagnostics.map((d) => d.code)).toEqual(["CS6007"]);
  });
});
