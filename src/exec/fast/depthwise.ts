/**
 * Direct depthwise convolution (one input channel per group): for each kernel tap, one pass
 * of saxpy over the output rows, the valid column range computed once per tap so the inner
 * loop has no bounds checks. Self-contained, like gemm.ts, so workers run the same source.
 */

/** One depthwise convolution, flattened to three spatial axes; `mult` outputs per channel. */
export interface DwJob {
  readonly N: number; readonly C: number; readonly mult: number;
  readonly D: number; readonly H: number; readonly W: number;
  readonly kd: number; readonly kh: number; readonly kw: number;
  readonly sd: number; readonly sh: number; readonly sw: number;
  readonly dd: number; readonly dh: number; readonly dw: number;
  readonly pd: number; readonly ph: number; readonly pw: number;
  readonly OD: number; readonly OH: number; readonly OW: number;
  readonly x: Float32Array;
  /** Weights [C·mult, kd·kh·kw]. */
  readonly w: Float32Array;
  readonly bias: Float32Array | null;
  readonly y: Float32Array;
}

/** Per-thread accumulator plane. */
export interface DwScratch {
  acc: Float64Array;
}

/**
 * Output channel plane u = n·C·mult + oc of a depthwise job; returns the MACs it executed,
 * counting products with zero padding as the contract asks (every tap of every output).
 * Rows are accumulated one at a time in a Float64 row that stays in L1; within a row, each
 * tap covers the columns whose input lies inside [0, W), and 3-wide kernels do their three
 * taps in one pass over the interior.
 */
export function depthwiseUnit(j: DwJob, u: number, s: DwScratch): number {
  const C = j.C, mult = j.mult, D = j.D, H = j.H, W = j.W, OD = j.OD, OH = j.OH, OW = j.OW;
  const kd = j.kd, kh = j.kh, kw = j.kw, sd = j.sd, sh = j.sh, sw = j.sw, dh = j.dh, dw = j.dw;
  const pd = j.pd, ph = j.ph, pw = j.pw, x = j.x, w = j.w, y = j.y;
  const M = C * mult;
  const n = Math.floor(u / M), oc = u - n * M, ic = Math.floor(oc / mult);
  const P = OD * OH * OW, HW = H * W, taps = kd * kh * kw;
  if (s.acc.length < OW + 3 * kw) s.acc = new Float64Array(OW + 3 * kw);
  const acc = s.acc;
  // Column range [lo, hi] per kx where ix = ox·sw + kx·dw − pw lies in [0, W); slots after the row.
  const lo = OW, hi = OW + kw;
  for (let kx = 0; kx < kw; kx++) {
    const off = kx * dw - pw;
    acc[lo + kx] = Math.max(0, Math.ceil(-off / sw));
    acc[hi + kx] = Math.min(OW - 1, Math.floor((W - 1 - off) / sw));
  }
  const b = j.bias === null ? 0 : j.bias[oc]!;
  const xBase = (n * C + ic) * D * HW, wBase = oc * taps;
  let yo = u * P;
  let macs = 0;
  for (let oz = 0; oz < OD; oz++) for (let oy = 0; oy < OH; oy++, yo += OW) {
    // Every tap of every output counts, zero padding included: one row of kw taps at a time.
    macs += OW * kw * kh * kd;
    if (kd === 1 && kh === 3 && kw === 3 && oz * sd - pd >= 0 && oz * sd - pd < D) {
      const iy = oy * sh - ph;
      if (iy >= 0 && iy + 2 * dh < H) {
        // 3×3 with all three input rows inside: the nine taps in one pass over the interior.
        const xr = xBase + (oz * sd - pd) * HW + iy * W - pw;
        rows3x3(acc, x, w, wBase, xr, xr + dh * W, xr + 2 * dh * W, sw, dw, lo, hi, b, y, yo, OW);
        continue;
      }
    }
    for (let ox = 0; ox < OW; ox++) acc[ox] = b;
    rowTaps(j, acc, xBase, wBase, oz, oy, lo, hi);
    for (let ox = 0; ox < OW; ox++) y[yo + ox] = acc[ox]!;
  }
  return macs;
}

/**
 * One output row of a 3×3 kernel from three input rows starting at r0, r1, r2 (already shifted
 * by −pw), written to y[yo ..]: interior columns in one pass of nine taps straight into y, the
 * edge columns accumulated in `acc` tap by tap (acc[lo + kx] .. acc[hi + kx]: each kx's range).
 */
export function rows3x3(acc: Float64Array, x: Float32Array, w: Float32Array, wb: number, r0: number, r1: number, r2: number,
  sw: number, dw: number, lo: number, hi: number, bias: number, y: Float32Array, yo: number, OW: number): void {
  let from = Math.max(acc[lo]!, acc[lo + 1]!, acc[lo + 2]!);
  let to = Math.min(acc[hi]!, acc[hi + 1]!, acc[hi + 2]!);
  if (to < from) { from = 0; to = -1; }
  const a0 = w[wb]!, a1 = w[wb + 1]!, a2 = w[wb + 2]!, b0 = w[wb + 3]!, b1 = w[wb + 4]!, b2 = w[wb + 5]!;
  const c0 = w[wb + 6]!, c1 = w[wb + 7]!, c2 = w[wb + 8]!;
  const d2 = 2 * dw;
  for (let ox = from; ox <= to; ox++) {
    const o = ox * sw;
    y[yo + ox] = bias + a0 * x[r0 + o]! + a1 * x[r0 + o + dw]! + a2 * x[r0 + o + d2]!
      + b0 * x[r1 + o]! + b1 * x[r1 + o + dw]! + b2 * x[r1 + o + d2]!
      + c0 * x[r2 + o]! + c1 * x[r2 + o + dw]! + c2 * x[r2 + o + d2]!;
  }
  for (let ox = 0; ox < from; ox++) acc[ox] = bias;
  for (let ox = to + 1; ox < OW; ox++) acc[ox] = bias;
  const rs = [r0, r1, r2];
  for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
    const wv = w[wb + ky * 3 + kx]!, xo = rs[ky]! + kx * dw, a = acc[lo + kx]!, z = acc[hi + kx]!;
    const left = Math.min(z, from - 1);
    for (let ox = a; ox <= left; ox++) acc[ox] += wv * x[xo + ox * sw]!;
    for (let ox = Math.max(a, to + 1); ox <= z; ox++) acc[ox] += wv * x[xo + ox * sw]!;
  }
  for (let ox = 0; ox < from; ox++) y[yo + ox] = acc[ox]!;
  for (let ox = to + 1; ox < OW; ox++) y[yo + ox] = acc[ox]!;
}

/**
 * Adds every tap of output row (oz, oy) to `acc`, skipping input rows in the padding; within a
 * row each tap covers its valid column range, and 3-wide kernels do their three taps in one
 * pass over the interior columns.
 */
export function rowTaps(j: DwJob, acc: Float64Array, xBase: number, wBase: number, oz: number, oy: number, lo: number, hi: number): void {
  const D = j.D, H = j.H, W = j.W, HW = H * W, kd = j.kd, kh = j.kh, kw = j.kw;
  const sd = j.sd, sh = j.sh, sw = j.sw, dd = j.dd, dh = j.dh, dw = j.dw, pd = j.pd, ph = j.ph, pw = j.pw, x = j.x, w = j.w;
  for (let kz = 0; kz < kd; kz++) {
    const iz = oz * sd - pd + kz * dd;
    if (iz < 0 || iz >= D) continue;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - ph + ky * dh;
      if (iy < 0 || iy >= H) continue;
      const xr = xBase + iz * HW + iy * W - pw;
      const wr = wBase + (kz * kh + ky) * kw;
      let from = 0;
      let to = -1;
      if (kw === 3) {
        // Interior: all three taps inside the row.
        from = Math.max(acc[lo]!, acc[lo + 1]!, acc[lo + 2]!);
        to = Math.min(acc[hi]!, acc[hi + 1]!, acc[hi + 2]!);
        if (to < from) { from = 0; to = -1; }
        const w0 = w[wr]!, w1 = w[wr + 1]!, w2 = w[wr + 2]!;
        for (let ox = from; ox <= to; ox++) {
          const i = xr + ox * sw;
          acc[ox] += w0 * x[i]! + w1 * x[i + dw]! + w2 * x[i + 2 * dw]!;
        }
      }
      // Remaining taps: the columns left and right of the interior.
      for (let kx = 0; kx < kw; kx++) {
        const wv = w[wr + kx]!, xo = xr + kx * dw, a = acc[lo + kx]!, z = acc[hi + kx]!;
        const left = Math.min(z, from - 1);
        for (let ox = a; ox <= left; ox++) acc[ox] += wv * x[xo + ox * sw]!;
        for (let ox = Math.max(a, to + 1); ox <= z; ox++) acc[ox] += wv * x[xo + ox * sw]!;
      }
    }
  }
}
