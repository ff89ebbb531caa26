import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastConv } from "../../src/exec/fast/conv.js";
import { setFastThreads, stopFastWorkers, workerUnitsLastCall } from "../../src/exec/fast/pool.js";
import { SumCounter, type ConvGeometry } from "../../src/exec/kernels/api.js";
import { convForward } from "../../src/families/conv/kernel.js";
import type { Tensor } from "../../src/exec/tensor.js";
import { rng, randomTensor } from "../onnx/ort.js";

/** A plain convolution written from the definition: every output, every tap, zero outside. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor | undefined, p: ConvGeometry): { y: Tensor; macs: number } {
  const [N, C, ...S] = x.shape as number[];
  const [M, Cg, ...K] = w.shape as number[];
  const r = S.length;
  const O = S.map((n, i) => Math.floor((n + p.padBefore[i]! + p.padAfter[i]! - p.dilation[i]! * (K[i]! - 1) - 1) / p.stride[i]!) + 1);
  const Mg = M! / p.groups;
  const prod = (a: number[]) => a.reduce((s, v) => s * v, 1);
  const y = new Float64Array(N! * M! * prod(O));
  let macs = 0;
  const idx = (dims: number[], i: number) => { const out: number[] = []; for (let d = dims.length - 1; d >= 0; d--) { out.unshift(i % dims[d]!); i = Math.floor(i / dims[d]!); } return out; };
  for (let n = 0; n < N!; n++) for (let m = 0; m < M!; m++) for (let o = 0; o < prod(O); o++) {
    const oc = idx(O, o);
    let s = b ? b.data[m]! : 0;
    const g = Math.floor(m / Mg);
    for (let c = 0; c < Cg!; c++) for (let t = 0; t < prod(K); t++) {
      const kc = idx(K, t);
      const pos = oc.map((v, i) => v * p.stride[i]! - p.padBefore[i]! + kc[i]! * p.dilation[i]!);
      macs++;
      if (pos.some((v, i) => v < 0 || v >= S[i]!)) continue;
      let xi = n * C! + g * Cg! + c;
      for (let i = 0; i < r; i++) xi = xi * S[i]! + pos[i]!;
      s += x.data[xi]! * w.data[((m * Cg!) + c) * prod(K) + t]!;
    }
    y[(n * M! + m) * prod(O) + o] = s;
  }
  return { y: { shape: [N!, M!, ...O], data: y }, macs };
}

/** Runs the fast conv on 2 threads until the worker has taken part (it starts asynchronously). */
function withWorker(run: () => Tensor): Tensor {
  setFastThreads(2);
  for (let i = 0; i < 50; i++) {
    const y = run();
    if (workerUnitsLastCall() > 0) return y;
  }
  throw new Error("the worker thread never took a work unit");
}

function close(a: Tensor, b: Tensor): void {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const e = Math.abs(a.data[i]! - b.data[i]!) / Math.max(1, Math.abs(b.data[i]!));
    worst = Math.max(worst, e);
  }
  expect(worst).toBeLessThan(1e-4);
}

const caseArb = fc.record({
  rank: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 2 }), g: fc.integer({ min: 1, max: 3 }),
  cg: fc.integer({ min: 1, max: 5 }), mg: fc.integer({ min: 1, max: 9 }), seed: fc.integer(),
  dims: fc.array(fc.record({ s: fc.integer({ min: 1, max: 11 }), k: fc.integer({ min: 1, max: 4 }), st: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 2 }), pb: fc.integer({ min: 0, max: 3 }), pa: fc.integer({ min: 0, max: 3 }) }), { minLength: 3, maxLength: 3 }),
  bias: fc.boolean(),
});

describe("fast conv against a plain convolution", () => {
  afterAll(async () => { setFastThreads(2); await stopFastWorkers(); });

  it("random shapes: odd sizes, groups, dilation, stride, per-side padding, 1-D to 3-D", () => {
    fc.assert(fc.property(caseArb, (c) => {
      const dims = c.dims.slice(0, c.rank).map((d) => ({ ...d, s: Math.max(d.s, d.d * (d.k - 1) + 1 - d.pb - d.pa) }));
      const r = rng(c.seed);
      const x = randomTensor([c.n, c.g * c.cg, ...dims.map((d) => d.s)], r);
      const w = randomTensor([c.g * c.mg, c.cg, ...dims.map((d) => d.k)], r);
      const b = c.bias ? randomTensor([c.g * c.mg], r) : undefined;
      const p: ConvGeometry = { stride: dims.map((d) => d.st), padBefore: dims.map((d) => d.pb), padAfter: dims.map((d) => d.pa), dilation: dims.map((d) => d.d), groups: c.g };
      const ref = naiveConv(x, w, b, p);
      const counter = new SumCounter();
      const y = fastConv(x, w, b, p, counter);
      close(y, ref.y);
      expect(counter.total).toBe(ref.macs);
      // And against the runtime's reference kernel, counts included.
      const refCounter = new SumCounter();
      close(y, convForward(x, w, b, p, refCounter));
      expect(counter.total).toBe(refCounter.total);
    }), { numRuns: 150 });
  });

  it("depthwise 3×3 (the fused nine-tap path): random sizes, strides, dilations, per-side padding", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.integer(),
      fc.array(fc.record({ s: fc.integer({ min: 3, max: 14 }), st: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }),
        pb: fc.integer({ min: 0, max: 2 }), pa: fc.integer({ min: 0, max: 2 }) }), { minLength: 2, maxLength: 2 }),
      (ch, mult, seed, dims) => {
        const ds = dims.map((d) => ({ ...d, s: Math.max(d.s, 2 * d.d + 1) }));
        const r = rng(seed);
        const x = randomTensor([2, ch, ...ds.map((d) => d.s)], r);
        const w = randomTensor([ch * mult, 1, 3, 3], r);
        const b = randomTensor([ch * mult], r);
        const p: ConvGeometry = { stride: ds.map((d) => d.st), padBefore: ds.map((d) => d.pb), padAfter: ds.map((d) => d.pa), dilation: ds.map((d) => d.d), groups: ch };
        const ref = naiveConv(x, w, b, p);
        const counter = new SumCounter();
        close(fastConv(x, w, b, p, counter), ref.y);
        expect(counter.total).toBe(ref.macs);
      }), { numRuns: 60 });
  });

  it("depthwise with channel multiplier, and the same result on 1 and 2 threads for a layer big enough to split", () => {
    const r = rng(7);
    const x = randomTensor([2, 16, 97, 101], r);
    const w = randomTensor([32, 1, 3, 3], r);
    const b = randomTensor([32], r);
    const p: ConvGeometry = { stride: [2, 1], padBefore: [1, 0], padAfter: [2, 1], dilation: [1, 2], groups: 16 };
    const ref = naiveConv(x, w, b, p);
    setFastThreads(1);
    const one = new SumCounter();
    close(fastConv(x, w, b, p, one), ref.y);
    expect(one.total).toBe(ref.macs);
    const two = new SumCounter();
    close(withWorker(() => { two.total = 0; return fastConv(x, w, b, p, two); }), ref.y);
    expect(two.total).toBe(ref.macs);
  });

  it("GEMM path, depth K = 900 (three depth blocks), split over 2 threads, matches 1 thread and the reference kernel", () => {
    const r = rng(11);
    const x = randomTensor([1, 100, 30, 29], r);
    const w = randomTensor([37, 100, 3, 3], r);
    const b = randomTensor([37], r);
    const p: ConvGeometry = { stride: [1, 1], padBefore: [1, 1], padAfter: [1, 1], dilation: [1, 1], groups: 1 };
    const refCounter = new SumCounter();
    const ref = convForward(x, w, b, p, refCounter);
    setFastThreads(1);
    const one = new SumCounter();
    close(fastConv(x, w, b, p, one), ref);
    expect(one.total).toBe(refCounter.total);
    const two = new SumCounter();
    close(withWorker(() => { two.total = 0; return fastConv(x, w, b, p, two); }), ref);
    expect(two.total).toBe(refCounter.total);
  });

  it("1×1 stride-1 path (copy-only im2col) with odd channel counts", () => {
    const r = rng(3);
    const x = randomTensor([3, 13, 7, 9], r);
    const w = randomTensor([11, 13, 1, 1], r);
    const p: ConvGeometry = { stride: [1, 1], padBefore: [0, 0], padAfter: [0, 0], dilation: [1, 1], groups: 1 };
    close(fastConv(x, w, undefined, p, new SumCounter()), naiveConv(x, w, undefined, p).y);
  });
});
