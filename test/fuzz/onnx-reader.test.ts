/**
 * The ONNX reader against hostile bytes (property tests, fixed seed): truncated and corrupted
 * real exports, and hand-made fields whose lengths or dims claim more than the file holds.
 * Every case returns data — a coded diagnostic when it cannot import — and never throws.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/onnx/import/import.js";
import { readModel } from "../../src/onnx/import/model.js";
import { WireError } from "../../src/onnx/import/wire.js";

const SEED = 20261203;
const files = ["resnet18_op11.onnx", "dilated_net_op17.onnx", "pattern_net_op11.onnx"].map((f) => new Uint8Array(readFileSync(`test/fixtures/onnx/${f}`)));

/** Imports; returns what went wrong as a string (never throws out of the property). */
function problem(bytes: Uint8Array): string | undefined {
  let r;
  try {
    r = importOnnx(bytes, { file: "fuzz.onnx" });
  } catch (e) {
    return `threw ${(e as Error).stack}`;
  }
  if (r.diagnostics.some((d) => !/^CS\d{4}$/.test(d.code) || d.message === "")) return "a diagnostic without code or message";
  if (r.text === "" && !r.diagnostics.some((d) => d.severity === "error")) return "no text and no error";
  return undefined;
}

describe("ONNX reader fuzz", () => {
  it("truncated files end in CS4801 or import what they hold", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (f, at) => {
        const bytes = files[f]!;
        const cut = bytes.subarray(0, Math.floor(at * bytes.length));
        expect(problem(cut)).toBeUndefined();
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("corrupted bytes give coded diagnostics, never a crash", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        (f, edits) => {
          const bytes = Uint8Array.from(files[f]!);
          for (const [at, b] of edits) bytes[Math.floor(at * (bytes.length - 1))] = b;
          expect(problem(bytes)).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("random bytes are refused with CS4801", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const r = importOnnx(bytes);
        expect(r.text === "" ? r.diagnostics.map((d) => d.code).some((c) => c === "CS4801" || c === "CS4803") : true).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("lengths and dims that claim more than the file holds", () => {
  // Field 7 (graph), wire type 2, then a length varint.
  it("a length past the end is a WireError at its offset, not a read out of range", () => {
    const claim = Uint8Array.from([0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a]);
    expect(() => readModel(claim)).toThrow(WireError);
    const r = importOnnx(claim);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS4801"]);
    expect(r.diagnostics[0]!.message).toMatch(/claims 4294967295 bytes but 1 remain/);
  });

  it("a varint longer than 10 bytes is refused", () => {
    const r = importOnnx(Uint8Array.from([0x08, ...new Array<number>(11).fill(0xff)]));
    expect(r.diagnostics[0]!.message).toMatch(/longer than 10 bytes/);
  });

  it("an initializer claiming 2^80 elements is read by its dims alone (no allocation follows a claim)", () => {
    // TensorProto: dims 2^40, 2^40 (field 1 varints), data_type 1, name "w"; no data.
    const varint = (n: bigint) => {
      const out: number[] = [];
      do {
        let b = Number(n & 0x7fn);
        n >>= 7n;
        if (n > 0n) b |= 0x80;
        out.push(b);
      } while (n > 0n);
      return out;
    };
    const tensor = [0x08, ...varint(1n << 40n), 0x08, ...varint(1n << 40n), 0x10, 0x01, 0x42, 0x01, 0x77];
    const graph = [0x2a, tensor.length, ...tensor];
    const model = Uint8Array.from([0x08, 0x08, 0x3a, graph.length, ...graph]);
    const before = process.memoryUsage().heapUsed;
    const m = readModel(model);
    expect(m.initializers.get("w")!.dims).toEqual([1n << 40n, 1n << 40n]);
    expect(m.initializers.get("w")!.values).toBeUndefined();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
    // No input, so nothing to analyze: a coded error, not a crash.
    expect(importOnnx(model).diagnostics.map((d) => d.code)).toContain("CS4803");
  });

  it("raw_data whose length disagrees with the dims is refused", () => {
    const tensor = [0x08, 0x03, 0x10, 0x01, 0x42, 0x01, 0x77, 0x4a, 0x04, 0, 0, 0, 0]; // dims [3], 4 bytes
    const graph = [0x2a, tensor.length, ...tensor];
    const r = importOnnx(Uint8Array.from([0x08, 0x08, 0x3a, graph.length, ...graph]));
    expect(r.diagnostics[0]!.message).toMatch(/4 bytes of data for dims \[3\]/);
  });
});
