/**
 * readSpec's refusals that a test cannot provoke through the real file system when it runs as
 * root (a file root cannot read): the fs calls are made to fail the way the kernel would.
 */
import { describe, expect, it, vi } from "vitest";

const failures = new Map<string, NodeJS.ErrnoException>();
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const failing = <F extends (...a: never[]) => unknown>(name: string, f: F) =>
    ((...args: Parameters<F>) => {
      const e = failures.get(`${name}:${String(args[0])}`);
      if (e) throw e;
      return f(...args);
    }) as unknown as F;
  const mocked = { ...real, statSync: failing("statSync", real.statSync), openSync: failing("openSync", real.openSync) };
  return { ...mocked, default: mocked };
});

const { readSpec, UsageError } = await import("../../src/cli/io.js");

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

describe("readSpec", () => {
  it("a file it may not open: permission denied, as a UsageError", () => {
    failures.set("openSync:package.json", errno("EACCES", "permission denied, open 'package.json'"));
    expect(() => readSpec("package.json")).toThrow(UsageError);
    expect(() => readSpec("package.json")).toThrow("cannot read package.json: permission denied");
  });

  it("a folder it may not search: permission denied", () => {
    failures.set("statSync:locked/x.cnn", errno("EACCES", "permission denied, stat 'locked/x.cnn'"));
    expect(() => readSpec("locked/x.cnn")).toThrow("cannot read locked/x.cnn: permission denied");
  });

  it("any other failure keeps the system's words", () => {
    failures.set("openSync:README.md", errno("EIO", "i/o error, open 'README.md'"));
    expect(() => readSpec("README.md")).toThrow("cannot read README.md: EIO: i/o error, open 'README.md'");
  });
});
