/**
 * writeOutput's failures that a test cannot provoke on a real disk (a full disk): the write
 * is made to fail the way the kernel would, and the old file must survive whole, with no
 * temporary file left beside it.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { tempDir } from "../tmp.js";

let failWrites: string | undefined;
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const writeSync = ((...args: Parameters<typeof real.writeSync>) => {
    if (failWrites) throw Object.assign(new Error(`${failWrites}: write failed`), { code: failWrites });
    return (real.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof real.writeSync;
  const mocked = { ...real, writeSync };
  return { ...mocked, default: mocked };
});

const { writeOutput } = await import("../../src/cli/write.js");
const { isUsageError } = await import("../../src/cli/io.js");

describe("writeOutput on a failing disk", () => {
  for (const [code, words] of [["ENOSPC", "no space left on the device"], ["EDQUOT", "the disk quota is used up"], ["EIO", "EIO: write failed"]] as const) {
    it(`${code}: exit-2 error "${words}", the old file intact, no temporary file left`, () => {
      const dir = tempDir("convspec-write-");
      const target = join(dir, "m.onnx");
      writeFileSync(target, "old bytes");
      failWrites = code;
      let thrown: unknown;
      try {
        writeOutput(target, new Uint8Array(1000), { flag: "--onnx", force: true, inputs: [] });
      } catch (e) {
        thrown = e;
      } finally {
        failWrites = undefined;
      }
      expect(isUsageError(thrown)).toBe(true);
      expect((thrown as Error).message).toBe(`cannot write ${target}: ${words}`);
      expect(readFileSync(target, "utf8")).toBe("old bytes");
      expect(readdirSync(dir)).toEqual(["m.onnx"]);
    });
  }

  it("with a working disk the same call replaces the file (so the checks above can fail)", () => {
    const dir = tempDir("convspec-write-");
    const target = join(dir, "m.onnx");
    writeFileSync(target, "old bytes");
    writeOutput(target, new Uint8Array([1, 2, 3]), { flag: "--onnx", force: true, inputs: [] });
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(["m.onnx"]);
  });
});
