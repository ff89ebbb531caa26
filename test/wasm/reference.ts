/**
 * Plain references for the wasm kernel tests, written independently of src/: a triple-loop
 * GEMM and a direct N-d convolution that slides the window over an explicitly padded input.
 */
import type { Tensor } from "../../src/exec/tensor.js";

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

/** A Float32 tensor of random values. */
export function randomTensor(shape: number[], r: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, r) };
}

/** C = A·B in float64. */
export function refGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const av = a[i * k + p]!;
    for (let j = 0; j < n; j++) c[i * n + j] += av * b[p * n + j]!;
  }
  return c;
}

/** Index helpers over up to 3 spatial axes, the unused leading ones of size 1. */
function pad3(v: readonly number[], fill: number): number[] {
  return [...Array(3 - v.length).fill(fill), ...v];
}

/** Direct convolution in float64: materializes the zero-padded input, then slides windows over it. */
export function refConv(
  x: Tensor, w: Tensor, b: Tensor | undefined,
  stride: number[], padBefore: number[], padAfter: number[], dilation: number[], groups: number,
): Tensor {
  const [n, cin] = x.shape as [number, number];
  const cout = w.shape[0]!;
  const s = pad3(x.shape.slice(2), 1), k = pad3(w.shape.slice(2), 1);
  const st = pad3(stride, 1), pb = pad3(padBefore, 0), pa = pad3(padAfter, 0), dl = pad3(dilation, 1);
  const ps = s.map((v, i) => v + pb[i]! + pa[i]!);
  const padded = new Float64Array(n * cin * ps[0]! * ps[1]! * ps[2]!);
  for (let i = 0; i < n * cin; i++) for (let z = 0; z < s[0]!; z++) for (let y = 0; y < s[1]!; y++) for (let xx = 0; xx < s[2]!; xx++) {
    padded[((i * ps[0]! + z + pb[0]!) * ps[1]! + y + pb[1]!) * ps[2]! + xx + pb[2]!] = x.data[((i * s[0]! + z) * s[1]! + y) * s[2]! + xx]!;
  }
  // Slide: window start o·stride while its dilated extent fits the padded input.
  const o = ps.map((v, i) => {
    let c = 0;
    while (c * st[i]! + dl[i]! * (k[i]! - 1) < v) c++;
    return c;
  });
  const cg = cin / groups, mg = cout / groups;
  const y = new Float32Array(n * cout * o[0]! * o[1]! * o[2]!);
  let at = 0;
  for (let b0 = 0; b0 < n; b0++) for (let oc = 0; oc < cout; oc++) {
    const g = Math.floor(oc / mg);
    for (let oz = 0; oz < o[0]!; oz++) for (let oy = 0; oy < o[1]!; oy++) for (let ox = 0; ox < o[2]!; ox++) {
      let acc = b ? b.data[oc]! : 0;
      for (let c = 0; c < cg; c++) for (let kz = 0; kz < k[0]!; kz++) for (let ky = 0; ky < k[1]!; ky++) for (let kx = 0; kx < k[2]!; kx++) {
        const iz = oz * st[0]! + kz * dl[0]!, iy = oy * st[1]! + ky * dl[1]!, ix = ox * st[2]! + kx * dl[2]!;
        const xv = padded[((((b0 * cin + g * cg + c) * ps[0]! + iz) * ps[1]!) + iy) * ps[2]! + ix]!;
        acc += xv * w.data[(((oc * cg + c) * k[0]! + kz) * k[1]! + ky) * k[2]! + kx]!;
      }
      y[at++] = acc;
    }
  }
  return { shape: [n, cout, ...o.slice(3 - (x.shape.length - 2))], data: y };
}

/** Largest |a−b| / max(1, |b|) over all elements (relative error with an absolute floor). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}
