/**
 * The generated GEMM's blocking parameters and the descriptor layout its host code writes: shared
 * by the code generators (gemm_codegen.ts, pack_codegen.ts) and the callers, so that neither
 * generator imports the other's module for them.
 */

/** Blocking parameters of the generated GEMM. */
export interface GemmConfig {
  /** Rows of the micro-tile (output channels), each held in NR/4 accumulators. */
  readonly mr: number;
  /** Columns of the micro-tile (output positions), a multiple of 4. */
  readonly nr: number;
  readonly kc: number;
  readonly nc: number;
  readonly mc: number;
  /** Unroll factor of the micro-kernel's k loop. */
  readonly unroll: number;
  /** Use relaxed-SIMD fused multiply-add (only when the engine validates it). */
  readonly fma: boolean;
}

/** Field indices (i32 words) of the descriptor gemm_run reads; see module.ts for who writes it. */
export const D = {
  mode: 0, m: 1, n: 2, k: 3, aPack: 4, bias: 5, c: 6, ldc: 7, bSrc: 8, bsk: 9, bsn: 10,
  ktab: 11, dd: 12, dh: 13, dw: 14, oh: 15, ow: 16, sd: 17, sh: 18, sw: 19, pd: 20, ph: 21, pw: 22, kcb: 23, ezd: 24, ezh: 25, ezw: 26,
  ctr: 27, grab: 28,
} as const;
/** Size of the descriptor in bytes. */
export const DESC_BYTES = 128;

/** Depth of K blocks for depth K: as even as possible, at most cfg.kc (no thin last block). */
export function kBlock(k: number, cfg: GemmConfig): number {
  return Math.ceil(k / Math.max(1, Math.ceil(k / cfg.kc)));
}

/** Bytes of per-thread scratch gemm_run needs: the packed B block, one tile, column info. */
export function scratchBytes(cfg: GemmConfig): number {
  return cfg.kc * cfg.nc * 4 + cfg.mr * cfg.nr * 4 + cfg.nr * 16 + 64;
}
