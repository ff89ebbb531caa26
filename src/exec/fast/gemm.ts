/**
 * The fast convolution's work units: im2col packed straight into NR-wide panels, and a 3×4
 * register-tiled micro-kernel over weights packed into 3-row panels (the loop structure of
 * Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication", 2008). Panels are
 * Float64 so the inner loop does no float→double conversions.
 *
 * Every function here is self-contained (no imports, no module state): worker threads run
 * the very same code, built from these functions' source text (see pool.ts).
 */

/** Rows of the micro-tile (output channels): 3×4 = 12 accumulators fit the x64 registers. */
export const MR = 3;
/** Columns of the micro-tile (output positions). */
export const NR = 4;

/** One convolution, flattened to three spatial axes (1-D and 2-D pad the leading axes with 1). */
export interface ConvJob {
  readonly N: number; readonly G: number; readonly Cg: number; readonly Mg: number; readonly K: number;
  readonly D: number; readonly H: number; readonly W: number;
  readonly kd: number; readonly kh: number; readonly kw: number;
  readonly sd: number; readonly sh: number; readonly sw: number;
  readonly dd: number; readonly dh: number; readonly dw: number;
  readonly pd: number; readonly ph: number; readonly pw: number;
  readonly OD: number; readonly OH: number; readonly OW: number;
  /** Output positions per image (OD·OH·OW) and per work unit; depth (K) per block. */
  readonly P: number; readonly nc: number; readonly chunks: number; readonly kc: number;
  readonly x: Float32Array;
  /** Packed weights: per group, ceil(Mg/MR) panels of K×MR (zero rows past Mg). */
  readonly a: Float64Array;
  readonly bias: Float32Array | null;
  readonly y: Float32Array;
}

/** Per-thread scratch space, grown on demand. */
export interface Scratch {
  b: Float64Array;
  oz: Int32Array;
  oy: Int32Array;
  ox: Int32Array;
}

/** Packs weights w [G·Mg, K] into per-group MR-row panels, [G][ceil(Mg/MR)][K][MR]. */
export function packWeights(w: Float32Array, G: number, Mg: number, K: number, out: Float64Array): Float64Array {
  const panels = Math.ceil(Mg / 3);
  for (let g = 0; g < G; g++) {
    for (let ip = 0; ip < panels; ip++) {
      const base = (g * panels + ip) * K * 3;
      for (let r = 0; r < 3; r++) {
        const m = ip * 3 + r;
        if (m >= Mg) { for (let k = 0; k < K; k++) out[base + k * 3 + r] = 0; continue; }
        const src = (g * Mg + m) * K;
        for (let k = 0; k < K; k++) out[base + k * 3 + r] = w[src + k]!;
      }
    }
  }
  return out;
}

/**
 * im2col of output positions [p0, p1) of image n, group g into NR-wide panels: panel q holds,
 * for each k = (channel, kz, ky, kx), the NR input values its columns read (0 in the padding
 * and past p1). Returns the number of panels.
 */
export function packColumns(j: ConvJob, n: number, g: number, p0: number, p1: number, s: Scratch): number {
  const panels = Math.ceil((p1 - p0) / 4);
  const xBase = (n * j.G * j.Cg + g * j.Cg) * j.D * j.H * j.W;
  const pointwise = j.kd * j.kh * j.kw === 1 && j.sd * j.sh * j.sw === 1 && j.pd + j.ph + j.pw === 0 && j.P === j.D * j.H * j.W;
  for (let q = 0; q < panels; q++) {
    const c0 = p0 + q * 4;
    const cols = Math.min(4, p1 - c0);
    if (pointwise) packPointwise(j, xBase, c0, cols, q * j.K * 4, s.b);
    else packPanel(j, xBase, c0, cols, q * j.K * 4, s);
  }
  return panels;
}

/** One panel of a 1×1, stride-1, unpadded conv: column p of channel c is x[c][p]. */
export function packPointwise(j: ConvJob, xBase: number, c0: number, cols: number, base: number, b: Float64Array): void {
  const x = j.x, P = j.P;
  for (let c = 0; c < j.K; c++) {
    const src = xBase + c * P + c0, dst = base + c * 4;
    for (let t = 0; t < cols; t++) b[dst + t] = x[src + t]!;
    for (let t = cols; t < 4; t++) b[dst + t] = 0;
  }
}

/** One panel of the general im2col (any kernel, stride, dilation, padding). */
export function packPanel(j: ConvJob, xBase: number, c0: number, cols: number, base: number, s: Scratch): void {
  const D = j.D, H = j.H, W = j.W, HW = H * W, OW = j.OW, OH = j.OH;
  const kd = j.kd, kh = j.kh, kw = j.kw, dd = j.dd, dh = j.dh, dw = j.dw, sw = j.sw;
  const x = j.x, b = s.b, oz = s.oz, oy = s.oy, ox = s.ox;
  let interior = cols === 4;
  for (let t = 0; t < 4; t++) {
    if (t >= cols) { oz[t] = -1 << 29; oy[t] = 0; ox[t] = 0; continue; }
    const p = c0 + t;
    const xo = p % OW, r = (p - xo) / OW, yo = r % OH, zo = (r - yo) / OH;
    oz[t] = zo * j.sd - j.pd; oy[t] = yo * j.sh - j.ph; ox[t] = xo * sw - j.pw;
    // Interior column: every tap of its window lies inside the input.
    if (oz[t]! < 0 || oz[t]! + (kd - 1) * dd >= D || oy[t]! < 0 || oy[t]! + (kh - 1) * dh >= H || ox[t]! < 0 || ox[t]! + (kw - 1) * dw >= W) interior = false;
  }
  // All four columns inside the input and on one output row: their inputs are sw apart.
  const row = interior && oz[3] === oz[0] && oy[3] === oy[0];
  let dst = base;
  for (let c = 0; c < j.Cg; c++) {
    const xc = xBase + c * D * HW;
    for (let kz = 0; kz < kd; kz++) for (let ky = 0; ky < kh; ky++) {
      const dz = kz * dd, dy = ky * dh;
      for (let kx = 0; kx < kw; kx++, dst += 4) {
        const dx = kx * dw;
        if (row) {
          const src = xc + (oz[0]! + dz) * HW + (oy[0]! + dy) * W + ox[0]! + dx;
          b[dst] = x[src]!; b[dst + 1] = x[src + sw]!; b[dst + 2] = x[src + 2 * sw]!; b[dst + 3] = x[src + 3 * sw]!;
        } else if (interior) {
          for (let t = 0; t < 4; t++) b[dst + t] = x[xc + (oz[t]! + dz) * HW + (oy[t]! + dy) * W + ox[t]! + dx]!;
        } else {
          for (let t = 0; t < 4; t++) {
            const iz = oz[t]! + dz, iy = oy[t]! + dy, ix = ox[t]! + dx;
            b[dst + t] = iz >= 0 && iz < D && iy >= 0 && iy < H && ix >= 0 && ix < W ? x[xc + iz * HW + iy * W + ix]! : 0;
          }
        }
      }
    }
  }
}

/**
 * Adds one 3×4 tile of A·B over K (packed A from aBase, packed B from bBase), plus `bias` when
 * given, to y[rows, cols] (a fresh output is all zeros, so the first depth block just lands).
 */
export function microTile(A: Float64Array, aBase: number, B: Float64Array, bBase: number, K: number,
  y: Float32Array, yBase: number, ldy: number, rows: number, cols: number, bias: Float32Array | null, mBias: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let k = 0, a = aBase, b = bBase; k < K; k++, a += 3, b += 4) {
    const a0 = A[a]!, a1 = A[a + 1]!, a2 = A[a + 2]!;
    { const v = B[b]!; c00 += a0 * v; c10 += a1 * v; c20 += a2 * v; }
    { const v = B[b + 1]!; c01 += a0 * v; c11 += a1 * v; c21 += a2 * v; }
    { const v = B[b + 2]!; c02 += a0 * v; c12 += a1 * v; c22 += a2 * v; }
    { const v = B[b + 3]!; c03 += a0 * v; c13 += a1 * v; c23 += a2 * v; }
  }
  if (rows === 3 && cols === 4) {
    let o = yBase, bv = bias === null ? 0 : bias[mBias]!;
    y[o] += c00 + bv; y[o + 1] += c01 + bv; y[o + 2] += c02 + bv; y[o + 3] += c03 + bv;
    o += ldy; bv = bias === null ? 0 : bias[mBias + 1]!;
    y[o] += c10 + bv; y[o + 1] += c11 + bv; y[o + 2] += c12 + bv; y[o + 3] += c13 + bv;
    o += ldy; bv = bias === null ? 0 : bias[mBias + 2]!;
    y[o] += c20 + bv; y[o + 1] += c21 + bv; y[o + 2] += c22 + bv; y[o + 3] += c23 + bv;
    return;
  }
  const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23];
  for (let r = 0; r < rows; r++) {
    const bv = bias === null ? 0 : bias[mBias + r]!;
    const o = yBase + r * ldy;
    for (let c = 0; c < cols; c++) y[o + c] += t[r * 4 + c]! + bv;
  }
}

/** Runs work unit u (image, group, column chunk) of a conv job; returns the MACs it executed. */
export function convUnit(j: ConvJob, u: number, s: Scratch): number {
  const perImage = j.G * j.chunks;
  const n = Math.floor(u / perImage), rem = u - n * perImage;
  const g = Math.floor(rem / j.chunks), ch = rem - g * j.chunks;
  const p0 = ch * j.nc, p1 = Math.min(j.P, p0 + j.nc);
  const K = j.K, P = j.P, Mg = j.Mg;
  const need = Math.ceil(j.nc / 4) * 4 * K;
  if (s.b.length < need) s.b = new Float64Array(need);
  const panels = packColumns(j, n, g, p0, p1, s);
  const mPanels = Math.ceil(Mg / 3);
  const aGroup = g * mPanels * K * 3;
  const yGroup = (n * j.G + g) * Mg * P;
  // Depth blocks of kc keep one A panel and one B panel together in L1.
  for (let k0 = 0; k0 < K; k0 += j.kc) {
    const kn = Math.min(j.kc, K - k0);
    const bias = k0 === 0 ? j.bias : null;
    for (let ip = 0; ip < mPanels; ip++) {
      const rows = Math.min(3, Mg - ip * 3);
      for (let q = 0; q < panels; q++) {
        const c0 = p0 + q * 4;
        microTile(j.a, aGroup + ip * K * 3 + k0 * 3, s.b, q * K * 4 + k0 * 4, kn, j.y, yGroup + ip * 3 * P + c0, P,
          rows, Math.min(4, p1 - c0), bias, g * Mg + ip * 3);
      }
    }
  }
  return j.Mg * j.K * (p1 - p0);
}
