/**
 * Worker threads on the shared memory: with the threshold at zero every call splits, by columns
 * or by rows or by channels, and must give exactly the single-thread result.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { noCounter, type ConvGeometry } from "../../src/exec/kernels/api.js";
import {
  convWasm, gemmWasm, setWasmParallelThreshold, setWasmThreads, stopWasmThreads, wasmSimdSupported,
} from "../../src/exec/wasm/index.js";
import { wasmRuntime } from "../../src/exec/wasm/module.js";
import { CMD, parallel, wasmThreads } from "../../src/exec/wasm/threads.js";
import { maxRelErr, randomTensor, refConv, refGemm, rng } from "./reference.js";

const geo = (groups: number, stride = 1): ConvGeometry => ({ stride: [stride, stride], padBefore: [1, 0], padAfter: [2, 1], dilation: [1, 1], groups });

describe.runIf(wasmSimdSupported())("wasm kernels on 2 and 3 threads", () => {
  let threshold = 0;
  beforeAll(() => { threshold = setWasmParallelThreshold(0); });
  afterAll(async () => {
    setWasmParallelThreshold(threshold);
    setWasmThreads(1);
    await stopWasmThreads();
  });

  const convs: [string, number[], number[], ConvGeometry][] = [
    ["columns: x=[2,6,23,41] w=[10,3,3,3] g=2", [2, 6, 23, 41], [10, 3, 3, 3], geo(2)],
    ["rows: x=[1,5,3,4] w=[61,5,3,3]", [1, 5, 3, 4], [61, 5, 3, 3], geo(1)],
    ["depthwise channels: x=[2,7,19,30] w=[7,1,3,3] g=7 s=2", [2, 7, 19, 30], [7, 1, 3, 3], geo(7, 2)],
  ];
  for (const threads of [2, 3]) {
    test.each(convs)(`${threads} threads, %s`, (_, xs, ws, g) => {
      const r = rng(5);
      const x = randomTensor(xs, r), w = randomTensor(ws, r), b = randomTensor([ws[0]!], r);
      setWasmThreads(1);
      const one = convWasm(x, w, b, g, noCounter);
      setWasmThreads(threads);
      const many = convWasm(x, w, b, g, noCounter);
      expect(many.data).toEqual(one.data);
      const ref = refConv(x, w, b, [...g.stride], [...g.padBefore], [...g.padAfter], [...g.dilation], g.groups);
      expect(maxRelErr(many.data, ref.data)).toBeLessThan(1e-4);
    });
  }

  test("workers see the shared memory after it grows (a larger call after a small one)", () => {
    setWasmThreads(2);
    const r = rng(12);
    for (const size of [6, 150]) {
      const x = randomTensor([1, 3, size, size], r), w = randomTensor([8, 3, 3, 3], r);
      const g = geo(1);
      const y = convWasm(x, w, undefined, g, noCounter);
      const ref = refConv(x, w, undefined, [...g.stride], [...g.padBefore], [...g.padAfter], [...g.dilation], g.groups);
      expect(maxRelErr(y.data, ref.data)).toBeLessThan(1e-4);
    }
  });

  test("gemm split across 2 threads matches the reference", () => {
    setWasmThreads(2);
    const r = rng(11);
    const [m, n, k] = [37, 203, 29];
    const a = Float32Array.from({ length: m * k }, r), b = Float32Array.from({ length: k * n }, r);
    expect(maxRelErr(gemmWasm(a, b, m, n, k), refGemm(a, b, m, n, k))).toBeLessThan(1e-4);
  });

  test("a worker that traps is detected (no hang), threads switch off and the shares rerun here", () => {
    setWasmThreads(2);
    const rt = wasmRuntime();
    let resets = 0;
    // Share 0 is empty (descriptor at the zero words); share 1's descriptor lies past the memory.
    const outside = rt.memory.buffer.byteLength + 4096;
    expect(() => parallel(rt, CMD.run, [[0, 0, 0, 0], [outside, 0, 8, 0]], { reset: () => resets++ })).toThrow();
    expect(resets).toBe(1);
    expect(wasmThreads()).toBe(1);
  });
});
