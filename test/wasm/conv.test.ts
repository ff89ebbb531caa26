/**
 * The wasm convolution against two independent references: the plain padded-window conv of
 * test/wasm/reference.ts and the runtime's reference kernel (src/exec/kernels/conv.ts), on
 * random shapes with odd sizes, groups, dilation, stride and per-side padding.
 */
import { describe, expect, test } from "vitest";
import { SumCounter, type ConvGeometry } from "../../src/exec/kernels/api.js";
import { convForward } from "../../src/families/conv/kernel.js";
import { convWasm, wasmSimdSupported } from "../../src/exec/wasm/index.js";
import { maxRelErr, randomTensor, refConv, rng } from "./reference.js";

interface Case {
  readonly x: number[];
  readonly w: number[];
  readonly geo: ConvGeometry;
}

function name(c: Case): string {
  const g = c.geo;
  return `x=[${c.x}] w=[${c.w}] s=${g.stride} p=${g.padBefore}/${g.padAfter} d=${g.dilation} g=${g.groups}`;
}

/** Random valid convolutions of `dims` spatial axes; `depthwise` makes each group one input channel. */
function randomCases(seed: number, count: number, dims: number, depthwise: boolean): Case[] {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1));
  const out: Case[] = [];
  while (out.length < count) {
    const groups = depthwise ? int(1, 6) : [1, 1, 2, 3][int(0, 3)]!;
    const cg = depthwise ? 1 : int(1, 5);
    const mg = depthwise ? int(1, 2) : int(1, 9);
    const maxS = dims === 3 ? 7 : dims === 2 ? 21 : 70;
    const k = Array.from({ length: dims }, () => int(1, dims === 1 ? 9 : 4));
    const s = Array.from({ length: dims }, () => int(1, maxS));
    const stride = Array.from({ length: dims }, () => int(1, 3));
    const dilation = Array.from({ length: dims }, () => int(1, 2));
    const padBefore = Array.from({ length: dims }, () => int(0, 2));
    const padAfter = Array.from({ length: dims }, () => int(0, 3));
    const fits = s.every((v, i) => v + padBefore[i]! + padAfter[i]! >= dilation[i]! * (k[i]! - 1) + 1);
    if (!fits) continue;
    out.push({ x: [int(1, 2), groups * cg, ...s], w: [groups * mg, cg, ...k], geo: { stride, padBefore, padAfter, dilation, groups } });
  }
  return out;
}

function check(c: Case, seed: number): void {
  const r = rng(seed);
  const x = randomTensor(c.x, r), w = randomTensor(c.w, r), b = randomTensor([c.w[0]!], r);
  const counter = new SumCounter();
  const y = convWasm(x, w, b, c.geo, counter);
  const g = c.geo;
  const ref = refConv(x, w, b, [...g.stride], [...g.padBefore], [...g.padAfter], [...g.dilation], g.groups);
  const refCounter = new SumCounter();
  const runtimeRef = convForward(x, w, b, g, refCounter);
  expect(y.shape).toEqual(ref.shape);
  expect(y.data).toBeInstanceOf(Float32Array);
  expect(maxRelErr(y.data, ref.data)).toBeLessThan(1e-4);
  expect(maxRelErr(y.data, runtimeRef.data)).toBeLessThan(1e-4);
  expect(counter.total).toBe(refCounter.total);
}

describe.runIf(wasmSimdSupported())("convWasm", () => {
  const named: Case[] = [
    { x: [1, 3, 9, 11], w: [5, 3, 3, 3], geo: { stride: [1, 1], padBefore: [1, 1], padAfter: [1, 1], dilation: [1, 1], groups: 1 } },
    { x: [1, 8, 7, 7], w: [16, 8, 1, 1], geo: { stride: [1, 1], padBefore: [0, 0], padAfter: [0, 0], dilation: [1, 1], groups: 1 } },
    { x: [2, 6, 9, 13], w: [12, 3, 1, 1], geo: { stride: [1, 1], padBefore: [0, 0], padAfter: [0, 0], dilation: [1, 1], groups: 2 } },
    { x: [1, 16, 6, 5], w: [7, 16, 1, 1], geo: { stride: [2, 2], padBefore: [0, 1], padAfter: [1, 0], dilation: [1, 1], groups: 1 } },
    { x: [1, 3, 35, 35], w: [11, 3, 11, 11], geo: { stride: [4, 4], padBefore: [2, 2], padAfter: [2, 2], dilation: [1, 1], groups: 1 } },
    { x: [1, 1, 400], w: [13, 1, 80], geo: { stride: [4], padBefore: [0], padAfter: [0], dilation: [1], groups: 1 } },
    { x: [1, 40, 3, 70], w: [23, 40, 3, 3], geo: { stride: [1, 1], padBefore: [1, 1], padAfter: [1, 1], dilation: [1, 1], groups: 1 } },
    { x: [1, 4, 6, 32], w: [9, 4, 3, 3], geo: { stride: [1, 1], padBefore: [1, 2], padAfter: [1, 0], dilation: [1, 2], groups: 1 } },
    { x: [1, 4, 6, 32], w: [9, 4, 3, 3], geo: { stride: [1, 2], padBefore: [1, 1], padAfter: [1, 1], dilation: [1, 1], groups: 1 } },
    { x: [1, 32, 5, 9], w: [270, 32, 3, 3], geo: { stride: [1, 1], padBefore: [1, 1], padAfter: [1, 1], dilation: [1, 1], groups: 1 } },
    { x: [1, 5, 33, 40], w: [5, 1, 3, 3], geo: { stride: [1, 1], padBefore: [1, 1], padAfter: [1, 1], dilation: [1, 1], groups: 5 } },
    { x: [1, 4, 20, 37], w: [8, 1, 3, 3], geo: { stride: [2, 2], padBefore: [0, 1], padAfter: [1, 0], dilation: [1, 1], groups: 4 } },
    { x: [1, 3, 17, 50], w: [3, 1, 5, 3], geo: { stride: [3, 3], padBefore: [2, 1], padAfter: [0, 2], dilation: [2, 3], groups: 3 } },
    { x: [2, 3, 60], w: [3, 1, 7], geo: { stride: [1], padBefore: [3], padAfter: [0], dilation: [2], groups: 3 } },
  ];
  test.each(named.map((c) => [name(c), c] as const))("%s", (_, c) => check(c, 7));
  const random = [...randomCases(1, 24, 2, false), ...randomCases(2, 10, 1, false), ...randomCases(3, 8, 3, false),
    ...randomCases(4, 16, 2, true), ...randomCases(5, 6, 1, true)];
  test.each(random.map((c, i) => [name(c), c, i] as const))("random %s", (_, c, i) => check(c, 100 + i));

  test("empty output (window larger than the padded input) gives a zero-size tensor", () => {
    const r = rng(3);
    const y = convWasm(randomTensor([1, 2, 3, 3], r), randomTensor([4, 2, 5, 5], r), undefined,
      { stride: [1, 1], padBefore: [0, 0], padAfter: [0, 0], dilation: [1, 1], groups: 1 }, new SumCounter());
    expect(y.shape).toEqual([1, 4, 0, 0]);
    expect(y.data.length).toBe(0);
  });
});

test("SIMD detection agrees with the engine: Node 20 has WebAssembly SIMD", () => {
  expect(wasmSimdSupported()).toBe(true);
});
