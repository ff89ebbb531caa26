/** The module encoder: encodings checked byte by byte, and the assembled kernels validate. */
import { describe, expect, test } from "vitest";
import { assemble, Fn, Ty } from "../../src/exec/wasm/encoder.js";
import { DEFAULT_GEMM, kernelModuleBytes } from "../../src/exec/wasm/module.js";
import { convWasm, wasmKernels, wasmSimdSupported } from "../../src/exec/wasm/index.js";

describe("encoder", () => {
  test("i32.const uses signed LEB128: 63, 64, -1, -(2^29)", () => {
    const f = new Fn("f", [], []);
    f.i32(63).i32(64).i32(-1).i32(-(1 << 29));
    expect(f.code).toEqual([0x41, 0x3f, 0x41, 0xc0, 0x00, 0x41, 0x7f, 0x41, 0x80, 0x80, 0x80, 0x80, 0x7e]);
  });

  test("SIMD opcodes carry the 0xFD prefix and an unsigned LEB128 sub-opcode", () => {
    const f = new Fn("f", [["a", Ty.i32]], []);
    f.get("a").v128_load(16).f32x4_mul().f32x4_relaxed_madd();
    expect(f.code).toEqual([0x20, 0x00, 0xfd, 0x00, 0x04, 0x10, 0xfd, 0xe6, 0x01, 0xfd, 0x85, 0x02]);
  });

  test("locals are grouped by type after the parameters", () => {
    const f = new Fn("f", [["p", Ty.i32]], []);
    f.local("a", Ty.i32); f.local("b", Ty.i32); f.local("v", Ty.v128); f.local("a", Ty.i32);
    f.get("v").drop();
    // size, 2 groups: (2 × i32), (1 × v128), local.get 3, drop, end
    expect(f.encode()).toEqual([9, 2, 2, 0x7f, 1, 0x7b, 0x20, 3, 0x1a, 0x0b]);
  });

  test("an unknown local is an encoder error, not a malformed module", () => {
    expect(() => new Fn("f", [], []).get("nope")).toThrow(/unknown local/);
  });

  test.runIf(wasmSimdSupported())("the kernel module validates and a tiny module runs", () => {
    expect(WebAssembly.validate(kernelModuleBytes(DEFAULT_GEMM))).toBe(true);
    expect(WebAssembly.validate(kernelModuleBytes({ ...DEFAULT_GEMM, mr: 3, nr: 12, mc: 129, unroll: 2 }))).toBe(true);
    const f = new Fn("add", [["a", Ty.i32], ["b", Ty.i32]], [Ty.i32]);
    f.get("a").get("b").i32_add();
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(assemble([f], { initialPages: 1, maxPages: 1, shared: true })), { env: { mem } });
    expect((inst.exports.add as (a: number, b: number) => number)(40, 2)).toBe(42);
  });
});

test("wasmKernels offers convWasm exactly where SIMD is supported", () => {
  expect(wasmKernels()?.conv).toBe(wasmSimdSupported() ? convWasm : undefined);
});
