/** gemmWasm against a float64 triple loop, on shapes at and across every blocking edge. */
import { describe, expect, test } from "vitest";
import { SumCounter } from "../../src/exec/kernels/api.js";
import { DEFAULT_GEMM, gemmWasm, wasmSimdSupported } from "../../src/exec/wasm/index.js";
import { maxRelErr, refGemm, rng } from "./reference.js";

const { mr, nr, kc, mc, nc } = DEFAULT_GEMM;
const shapes: [number, number, number][] = [
  [1, 1, 1], [mr, nr, 1], [mr, nr, 2], [mr - 1, nr + 1, 3], [mr + 1, nr - 1, 17], [1, 37, 5], [23, 1, 9],
  [mc + 3, 45, 11], [7, nc + 5, 13], [6, 40, kc + 1], [2 * mr + 1, 3 * nr + 3, 2 * kc + 7], [mc + 1, nc + 9, kc - 1],
];

describe.runIf(wasmSimdSupported())("gemmWasm", () => {
  test.each(shapes)("m=%i n=%i k=%i", (m, n, k) => {
    const r = rng(m * 1000 + n * 10 + k);
    const a = Float32Array.from({ length: m * k }, r), b = Float32Array.from({ length: k * n }, r);
    const bias = Float32Array.from({ length: m }, r);
    const counter = new SumCounter();
    const c = gemmWasm(a, b, m, n, k, { bias, counter });
    const ref = refGemm(a, b, m, n, k);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ref[i * n + j] += bias[i]!;
    expect(c.length).toBe(m * n);
    expect(maxRelErr(c, ref)).toBeLessThan(1e-4);
    expect(counter.total).toBe(m * n * k);
  });

  test("k=0 gives the bias broadcast along each row", () => {
    const c = gemmWasm([], [], 2, 3, 0, { bias: [1, -2] });
    expect([...c]).toEqual([1, 1, 1, -2, -2, -2]);
  });

  test("results do not depend on what an earlier call left in memory", () => {
    const r = rng(9);
    const a = Float32Array.from({ length: 7 * 5 }, r), b = Float32Array.from({ length: 5 * 11 }, r);
    const first = gemmWasm(a, b, 7, 11, 5);
    gemmWasm(Float32Array.from({ length: 300 * 70 }, r), Float32Array.from({ length: 70 * 90 }, r), 300, 90, 70);
    expect(gemmWasm(a, b, 7, 11, 5)).toEqual(first);
  });
});
