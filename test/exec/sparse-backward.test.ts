/**
 * The backward kernels that skip the zero part of dy (src/exec/kernels/sparse.ts) against
 * plain loops over every element in the same order: the results must be identical, not
 * merely close. And the receptive-field probe's bookkeeping: recorded regions hold every
 * non-zero element, recycled buffers change nothing, the fields are those of full passes and
 * of the model's own channel counts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { ConvGeometry } from "../../src/exec/kernels/api.js";
import { convBackward } from "../../src/families/conv/kernel.js";
import { adaptiveWindows, poolBackward, slidingWindows, type AxisWindows, type PoolOptions } from "../../src/families/pool/kernel.js";
import { BufferPool, nonZero, setSparseMode } from "../../src/exec/kernels/sparse.js";
import { gatherBackward, viewSources } from "../../src/exec/kernels/gather.js";
import { pythonSlice, sliceBackward } from "../../src/families/slice/kernel.js";
import { backward } from "../../src/exec/backward.js";
import { Rng } from "../../src/exec/init.js";
import { probeModel, probeReceptiveFields } from "../../src/exec/rf.js";
import { run } from "../../src/exec/runtime.js";
import type { Tensor } from "../../src/exec/tensor.js";
import { model } from "./helpers.js";

const three = (v: readonly number[], fill: number) => [...new Array<number>(3 - v.length).fill(fill), ...v] as [number, number, number];
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function random(shape: number[], rng: Rng, lo = -1, hi = 1): Tensor {
  return { shape, data: Float64Array.from({ length: numel(shape) }, () => rng.uniform(lo, hi)) };
}

/** A gradient that is zero outside one random box per plane (some planes all zero), with zeros inside too. */
function sparse(shape: number[], rng: Rng): Tensor {
  const t: Tensor = { shape, data: new Float64Array(numel(shape)) };
  const [D, H, W] = three(shape.slice(2), 1);
  const planes = shape[0]! * shape[1]!;
  const pick = (n: number) => {
    const a = Math.floor(rng.next() * n), b = Math.floor(rng.next() * n);
    return [Math.min(a, b), Math.max(a, b)];
  };
  for (let p = 0; p < planes; p++) {
    if (rng.next() < 0.25) continue;
    const [d0, d1] = pick(D), [h0, h1] = pick(H), [w0, w1] = pick(W);
    for (let d = d0!; d <= d1!; d++) for (let h = h0!; h <= h1!; h++) for (let w = w0!; w <= w1!; w++) {
      if (rng.next() < 0.8) t.data[((p * D + d) * H + h) * W + w] = rng.uniform(-1, 1);
    }
  }
  return t;
}

/** Conv backward by plain loops over every output element, in the kernel's order (n, oc, icg, taps, outputs). */
function plainConvBackward(x: Tensor, w: Tensor, p: ConvGeometry, dy: Tensor): { dx: Float64Array; dw: Float64Array } {
  const [N, Cin] = [x.shape[0]!, x.shape[1]!], Cout = w.shape[0]!, cinG = Cin / p.groups, coutG = Cout / p.groups;
  const I = three(x.shape.slice(2), 1), K = three(w.shape.slice(2), 1), S = three(p.stride, 1), D = three(p.dilation, 1);
  const B = three(p.padBefore, 0), A = three(p.padAfter, 0), O = three(dy.shape.slice(2), 1);
  const P = I.map((n, a) => n + B[a]! + A[a]!);
  const at = (c: number, d: number, h: number, w_: number, s: number[]) => ((c * s[0]! + d) * s[1]! + h) * s[2]! + w_;
  const xp = new Float64Array(N * Cin * numel(P)), dxp = new Float64Array(xp.length), dw = new Float64Array(w.data.length);
  for (let c = 0; c < N * Cin; c++) for (let d = 0; d < I[0]!; d++) for (let h = 0; h < I[1]!; h++) for (let v = 0; v < I[2]!; v++) {
    xp[at(c, d + B[0]!, h + B[1]!, v + B[2]!, P)] = x.data[at(c, d, h, v, I)]!;
  }
  for (let n = 0; n < N; n++) for (let oc = 0; oc < Cout; oc++) for (let icg = 0; icg < cinG; icg++) {
    const xc = n * Cin + Math.floor(oc / coutG) * cinG + icg;
    for (let kd = 0; kd < K[0]!; kd++) for (let kh = 0; kh < K[1]!; kh++) for (let kw = 0; kw < K[2]!; kw++) {
      const wi = at(oc * cinG + icg, kd, kh, kw, K), wv = w.data[wi]!;
      for (let od = 0; od < O[0]!; od++) for (let oh = 0; oh < O[1]!; oh++) {
        let acc = 0;
        for (let ow = 0; ow < O[2]!; ow++) {
          const g = dy.data[at(n * Cout + oc, od, oh, ow, O)]!;
          const xi = at(xc, od * S[0]! + kd * D[0]!, oh * S[1]! + kh * D[1]!, ow * S[2]! + kw * D[2]!, P);
          dxp[xi]! += wv * g;
          acc += g * xp[xi]!;
        }
        dw[wi]! += acc;
      }
    }
  }
  const dx = new Float64Array(x.data.length);
  for (let c = 0; c < N * Cin; c++) for (let d = 0; d < I[0]!; d++) for (let h = 0; h < I[1]!; h++) for (let v = 0; v < I[2]!; v++) {
    dx[at(c, d, h, v, I)] = dxp[at(c, d + B[0]!, h + B[1]!, v + B[2]!, P)]!;
  }
  return { dx, dw };
}

/** Pool backward by plain loops over every output element and its window, in memory order. */
function plainPoolBackward(x: Tensor, axes: AxisWindows[], opt: PoolOptions, y: Tensor, dy: Tensor, spread: boolean): Float64Array {
  const A = [...new Array<AxisWindows>(3 - axes.length).fill({ pos: [[0]], padCount: [1] }), ...axes];
  const I = three(x.shape.slice(2), 1), O = A.map((a) => a.pos.length), p = opt.p ?? 2;
  const dx = new Float64Array(x.data.length);
  for (let pl = 0; pl < x.shape[0]! * x.shape[1]!; pl++) for (let od = 0; od < O[0]!; od++) for (let oh = 0; oh < O[1]!; oh++) for (let ow = 0; ow < O[2]!; ow++) {
    const o = ((pl * O[0]! + od) * O[1]! + oh) * O[2]! + ow, g = dy.data[o]!;
    const offs: number[] = [];
    for (const d of A[0]!.pos[od]!) for (const h of A[1]!.pos[oh]!) for (const w of A[2]!.pos[ow]!) offs.push(((pl * I[0]! + d) * I[1]! + h) * I[2]! + w);
    const div = opt.countPad ? A[0]!.padCount[od]! * A[1]!.padCount[oh]! * A[2]!.padCount[ow]! : offs.length;
    if (spread) for (const f of offs) dx[f]! += g;
    else if (opt.op === "max") {
      let best = -1, m = -Infinity;
      for (const f of offs) if (x.data[f]! > m) { m = x.data[f]!; best = f; }
      if (best >= 0) dx[best]! += g;
    } else if (opt.op === "avg") for (const f of offs) dx[f]! += g / div;
    else if (y.data[o] !== 0) for (const f of offs) dx[f]! += g * Math.pow(y.data[o]!, 1 - p) * Math.pow(x.data[f]!, p - 1);
  }
  return dx;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(Array.from(a, (v) => v + 0)).toEqual(Array.from(b, (v) => v + 0));

beforeAll(() => setSparseMode("check"));
afterAll(() => setSparseMode("skip"));

describe("nonZero", () => {
  it("finds each row's span and each plane's box; NaN counts, an all-zero plane is empty", () => {
    const t: Tensor = { shape: [1, 2, 3, 4], data: new Float64Array(24) };
    t.data[5] = 1; // plane 0, row 1, column 1
    t.data[11] = NaN; // plane 0, row 2, column 3
    const nz = nonZero(t);
    expect(Array.from(nz.first.subarray(0, 3))).toEqual([4, 1, 3]);
    expect(Array.from(nz.last.subarray(0, 3))).toEqual([-1, 1, 3]);
    expect(Array.from(nz.box.subarray(0, 6))).toEqual([0, 0, 1, 2, 1, 3]);
    expect(nz.box[6]! > nz.box[7]!).toBe(true);
  });
});

describe("conv backward over the non-zero part of dy equals the full loops", () => {
  const cases: [string, number[], number[], Partial<ConvGeometry>][] = [
    // [name, x shape, w shape, geometry]
    ["3×3 pad 1", [2, 2, 9, 8], [3, 2, 3, 3], { padBefore: [1, 1], padAfter: [1, 1] }],
    ["7×7 stride 2 pad 3", [2, 3, 16, 15], [2, 3, 7, 7], { stride: [2, 2], padBefore: [3, 3], padAfter: [3, 3] }],
    ["uneven padding, dilation, stride", [1, 2, 11, 10], [2, 2, 3, 2], { stride: [1, 2], dilation: [2, 1], padBefore: [0, 2], padAfter: [1, 1] }],
    ["groups", [2, 4, 7, 7], [6, 2, 3, 3], { groups: 2, padBefore: [1, 1], padAfter: [1, 1] }],
    ["1-D", [2, 2, 30], [2, 2, 5], { stride: [3], padBefore: [4], padAfter: [2] }],
    ["3-D", [1, 2, 5, 6, 7], [2, 2, 3, 1, 3], { stride: [2, 1, 1], padBefore: [1, 0, 1], padAfter: [1, 0, 1] }],
  ];
  for (const [name, xs, ws, g] of cases) {
    it(name, () => {
      const rng = new Rng(name.length);
      const dims = xs.length - 2;
      const geo: ConvGeometry = {
        stride: g.stride ?? new Array(dims).fill(1), dilation: g.dilation ?? new Array(dims).fill(1), groups: g.groups ?? 1,
        padBefore: g.padBefore ?? new Array(dims).fill(0), padAfter: g.padAfter ?? new Array(dims).fill(0),
      };
      const x = random(xs, rng), w = random(ws, rng);
      const O = xs.slice(2).map((n, a) => Math.floor((n + geo.padBefore[a]! + geo.padAfter[a]! - geo.dilation[a]! * (ws[a + 2]! - 1) - 1) / geo.stride[a]!) + 1);
      for (let trial = 0; trial < 4; trial++) {
        const dy = sparse([xs[0]!, ws[0]!, ...O], rng);
        const want = plainConvBackward(x, w, geo, dy);
        const full = convBackward(x, w, true, geo, dy);
        same(full.dx.data, want.dx);
        same(full.dw!.data, want.dw);
        same(convBackward(x, w, false, geo, dy, false).dx.data, want.dx);
        nonZero(full.dx); // the region it recorded holds every non-zero element (checks are on)
      }
    });
  }

  it("a non-finite weight makes the zeros of dy count (0 · ∞ is NaN)", () => {
    const rng = new Rng(5);
    const x = random([1, 1, 6, 6], rng), w = random([1, 1, 3, 3], rng);
    w.data[4] = Infinity;
    const geo: ConvGeometry = { stride: [1, 1], dilation: [1, 1], groups: 1, padBefore: [0, 0], padAfter: [0, 0] };
    const dy = sparse([1, 1, 4, 4], rng);
    same(convBackward(x, w, false, geo, dy, false).dx.data, plainConvBackward(x, w, geo, dy).dx);
  });
});

describe("pool backward over the non-zero part of dy equals the full loops", () => {
  const cases: [string, number[], (n: number) => AxisWindows, PoolOptions, boolean][] = [
    ["max 3×3 stride 2 pad 1", [2, 2, 9, 10], (n) => slidingWindows(n, 3, 2, 1, 1, 1, false), { op: "max" }, false],
    ["max as the probe spreads it", [2, 2, 9, 10], (n) => slidingWindows(n, 3, 2, 1, 1, 1, true), { op: "max" }, true],
    ["avg count_pad, ceil", [1, 3, 7, 8], (n) => slidingWindows(n, 3, 2, 1, 1, 1, true), { op: "avg", countPad: true }, false],
    ["avg dilated", [2, 1, 11, 9], (n) => slidingWindows(n, 2, 1, 2, 0, 0, false), { op: "avg", countPad: false }, false],
    ["lp", [1, 2, 8, 8], (n) => slidingWindows(n, 2, 2, 1, 0, 0, false), { op: "lp", p: 3 }, false],
    ["adaptive avg", [2, 2, 7, 5], (n) => adaptiveWindows(n, 3), { op: "avg" }, false],
  ];
  for (const [name, xs, windows, opt, spread] of cases) {
    it(name, () => {
      const rng = new Rng(name.length + 7);
      const x = random(xs, rng, 0.1, 1);
      const axes = xs.slice(2).map(windows);
      const y = random([xs[0]!, xs[1]!, ...axes.map((a) => a.pos.length)], rng, 0.5, 1);
      for (let trial = 0; trial < 4; trial++) {
        const dy = sparse([...y.shape], rng);
        const dx = poolBackward(x, axes, opt, y, dy, spread);
        same(dx.data, plainPoolBackward(x, axes, opt, y, dy, spread));
        nonZero(dx);
      }
    });
  }
});

describe("a channel slice backward over the non-zero part of dy equals the gather over every element", () => {
  const cases: [string, number[], number, number, number][] = [
    ["[2, 6, 5, 7] channels 1:5:2", [2, 6, 5, 7], 1, 5, 2],
    ["[2, 8, 13] channels -3:", [2, 8, 13], -3, 8, 1],
    ["[1, 4, 3, 4, 5] channels 0:4:3", [1, 4, 3, 4, 5], 0, 4, 3],
    ["[3, 5] channels 2:4 (no spatial axis)", [3, 5], 2, 4, 1],
  ];
  for (const [name, xs, start, end, step] of cases) {
    it(name, () => {
      const rng = new Rng(name.length + 3);
      const x = random(xs, rng);
      const { first, count } = pythonSlice(xs[1]!, start, end, step);
      const sample = xs.slice(1), st = sample.map((_, k) => sample.slice(k + 1).reduce((a, b) => a * b, 1));
      const src = viewSources(sample.map((size, k) => (k === 0 ? { size: count, stride: st[0]! * step } : { size, stride: st[k]! })), first * st[0]!);
      for (let trial = 0; trial < 4; trial++) {
        const dy = sparse([xs[0]!, count, ...xs.slice(2)], rng);
        const dx = sliceBackward(x, 1, start, end, step, dy);
        same(dx.data, gatherBackward(x, src, dy).data as Float64Array);
        nonZero(dx); // "check" mode: the region it recorded holds every non-zero element
      }
    });
  }
});

const zoo = (file: string) => readFileSync(new URL(`../../specs/${file}`, import.meta.url), "utf8");

describe("the probe's backward passes", () => {
  const models: [string, () => ReturnType<typeof model>][] = [
    ["residual, batch norm, pooling", () => model(`model m { input x: [3, 40, 40]
      a = x -> conv2d(4, 7, stride=2, padding=3) -> batchnorm -> relu -> maxpool(3, stride=2, padding=1)
      b = a -> conv2d(4, 3, padding=1) -> batchnorm -> relu -> conv2d(4, 3, padding=1) -> batchnorm
      output add(a, b) -> relu -> conv2d(2, 3, stride=2) -> global_avgpool -> flatten -> dense(3) }`)],
    ["inception module", () => model(zoo("googlenet_3a.cnn"), { x: [8, 14, 14] })],
    ["U-Net: concat, transposed conv", () => model(zoo("unet_small.cnn"), { image: [3, 8, 8] })],
    ["1-D", () => model(`model m { input x: [3, 50]
      output x -> conv1d(4, 7, stride=3, padding=2) -> relu -> maxpool(2) -> conv1d(2, 3, dilation=2) }`)],
    ["3-D", () => model(`model m { input x: [2, 6, 10, 12]
      output x -> conv3d(2, 3, padding=1) -> avgpool(2) -> conv3d(2, [1, 3, 3], dilation=[1, 2, 1]) }`)],
  ];

  for (const [name, build] of models) {
    it(`${name}: the same gradients as full passes, with recycled buffers too; regions hold every non-zero`, () => {
      const pm = probeModel(build(), 1, true);
      const r = run(pm, { precision: "f64", probe: true, keep: true, batch: 2 });
      expect(r.diagnostics).toEqual([]);
      const pool = new BufferPool();
      const input = pm.nodes[pm.inputs[0]!]!.label;
      for (const n of pm.nodes) {
        const y = r.tensors[n.id]!;
        if (n.kind === "input") continue;
        const seed = (): Tensor => {
          const dy = { shape: y.shape, data: new Float64Array(y.data.length) };
          dy.data[Math.floor(y.data.length / 4)] = 1;
          dy.data[y.data.length - 1] = 1;
          return dy;
        };
        setSparseMode("full");
        const full = backward(r, new Map([[n.id, seed()]])).inputs[input]!;
        setSparseMode("check");
        const fresh = backward(r, new Map([[n.id, seed()]])).inputs[input]!;
        const recycled = backward(r, new Map([[n.id, seed()]]), { pool }).inputs[input]!;
        same(fresh.data, full.data);
        same(recycled.data, full.data);
        nonZero(recycled);
        pool.give(recycled);
      }
    });
  }

  it("one input channel measures the fields the model's own channel count does", () => {
    for (const [, build] of models) {
      const m = build();
      const narrow = probeReceptiveFields(m), wide = probeReceptiveFields(m, { reduceChannels: false });
      expect(narrow.diagnostics).toEqual([]);
      expect([...narrow.fields]).toEqual([...wide.fields]);
    }
  });

  it("the probe measures the same fields as with full passes", () => {
    for (const [, build] of models) {
      const m = build();
      setSparseMode("full");
      const full = probeReceptiveFields(m);
      setSparseMode("check");
      const skipping = probeReceptiveFields(m);
      expect(skipping.diagnostics).toEqual([]);
      expect([...skipping.fields]).toEqual([...full.fields]);
    }
  });
});

describe("a product in the probe", () => {
  it("does not hide a path behind gate values that underflow: WaveNet's corner unit reads input element 0", () => {
    // Each gated layer multiplies two causal convolutions, squaring the forward values at the
    // first position: scaled by them, the corner's gradient underflowed to zero.
    const m = model(zoo("wavenet.cnn"));
    const last = m.outputs[0]!.node;
    const f = probeReceptiveFields(m, { nodes: [last] }).fields.get(last)!;
    expect(f.size).toEqual([1025]);
    expect(f.corner).toEqual([1]);
  });
});
