/**
 * Code generator for the SIMD GEMM: a register-blocked MR×NR micro-kernel of f32x4 accumulators
 * over packed panels, the macro loop over one packed block, and the column driver that packs B
 * (plain matrix or implicit im2col) block by block, in the loop order of BLIS
 * (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality", 2015):
 * jc (NC columns) → pc (KC depth, pack B) → ic (MC rows) → jr (NR) → ir (MR) → micro-kernel.
 */
import { Fn, Ty } from "./encoder.js";
import { D, type GemmConfig } from "./gemm_layout.js";
import { emitPackB } from "./pack_codegen.js";

export { D, DESC_BYTES, kBlock, scratchBytes, type GemmConfig } from "./gemm_layout.js";

/** Function indices inside the generated module: micro-kernels for 1..MR rows, then the rest. */
function fnIndex(cfg: GemmConfig): { micro: (rows: number) => number; macro: number; packB: number; run: number } {
  return { micro: (rows) => rows - 1, macro: cfg.mr, packB: cfg.mr + 1, run: cfg.mr + 2 };
}

/**
 * micro<rows>(a, b, c, ldcBytes, kc, bias, accum): C[rows×NR] (+)= Apanel·Bpanel (+ bias when
 * !accum), for rows ≤ MR (A panels keep their MR stride; the last panel of M may be shorter).
 */
function emitMicro(cfg: GemmConfig, rows: number): Fn {
  const { mr: stride, nr, unroll } = cfg;
  const mr = rows;
  const nv = nr / 4;
  const f = new Fn(`micro${rows}`, [["a", Ty.i32], ["b", Ty.i32], ["c", Ty.i32], ["ldc", Ty.i32], ["kc", Ty.i32], ["bias", Ty.i32], ["accum", Ty.i32]], [], false);
  const acc = (r: number, v: number): string => f.local(`c${r}_${v}`, Ty.v128);
  const bv = (v: number): string => f.local(`b${v}`, Ty.v128);
  f.local("av", Ty.v128); f.local("cr", Ty.i32); f.local("n", Ty.i32);
  // Initial accumulators: the C tile itself, or the bias of each row broadcast along the row.
  f.get("accum").if_();
  f.get("c").set("cr");
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) f.get("cr").v128_load(16 * v).set(acc(r, v));
    if (r < mr - 1) f.inc("cr", "ldc");
  }
  f.else_();
  for (let r = 0; r < mr; r++) {
    f.get("bias").v128_load32_splat(4 * r).set("av");
    for (let v = 0; v < nv; v++) f.get("av").set(acc(r, v));
  }
  f.end();
  const step = (u: number): void => {
    for (let v = 0; v < nv; v++) f.get("b").v128_load(u * nr * 4 + 16 * v).set(bv(v));
    for (let r = 0; r < mr; r++) {
      f.get("a").v128_load32_splat(u * stride * 4 + 4 * r).set("av");
      for (let v = 0; v < nv; v++) {
        if (cfg.fma) f.get("av").get(bv(v)).get(acc(r, v)).f32x4_relaxed_madd().set(acc(r, v));
        else f.get(acc(r, v)).get("av").get(bv(v)).f32x4_mul().f32x4_add().set(acc(r, v));
      }
    }
  };
  const kLoop = (u: number): void => {
    // while (n > 0) { u steps; a += u·MR; b += u·NR; n-- }
    f.block().get("n").i32_eqz().br_if(0).loop();
    for (let i = 0; i < u; i++) step(i);
    f.inc("a", u * stride * 4).inc("b", u * nr * 4);
    f.get("n").i32(1).i32_sub().tee("n").br_if(0);
    f.end().end();
  };
  f.get("kc").i32(unroll).i32_div_u().set("n");
  kLoop(unroll);
  f.get("kc").i32(unroll).i32_rem_u().set("n");
  kLoop(1);
  f.get("c").set("cr");
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) f.get("cr").get(acc(r, v)).v128_store(16 * v);
    if (r < mr - 1) f.inc("cr", "ldc");
  }
  return f;
}

/** Emits `dst[i·ldd + j] = src[i·lds + j]` for i < rows, j < cols (scalar, edge tiles only). */
function copyTile(f: Fn, src: string, lds: string | number, dst: string, ldd: string | number, rows: string, cols: string): void {
  const push = (x: string | number): void => void (typeof x === "number" ? f.i32(x) : f.get(x));
  f.for_("ti", 0, rows, 1, () => {
    f.for_("tj", 0, cols, 1, () => {
      f.get(dst); f.get("ti"); push(ldd); f.i32_mul().get("tj").i32_add().i32(2).i32_shl().i32_add();
      f.get(src); f.get("ti"); push(lds); f.i32_mul().get("tj").i32_add().i32(2).i32_shl().i32_add();
      f.f32_load().f32_store();
    });
  });
}

/**
 * macro(a, b, c, ldc, mc, nc, kc, bias, accum, tile, lda): one packed A block times one packed
 * B block; A panel ir starts at a + ir·lda floats (lda = K: panels hold MR rows over all of K).
 */
function emitMacro(cfg: GemmConfig): Fn {
  const { mr, nr } = cfg;
  const F = fnIndex(cfg);
  const f = new Fn("macro", [["a", Ty.i32], ["b", Ty.i32], ["c", Ty.i32], ["ldc", Ty.i32], ["mc", Ty.i32], ["nc", Ty.i32], ["kc", Ty.i32], ["bias", Ty.i32], ["accum", Ty.i32], ["tile", Ty.i32], ["lda", Ty.i32]], [], false);
  for (const l of ["jr", "ir", "mr", "nr", "ap", "bp", "cp", "ti", "tj"]) f.local(l, Ty.i32);
  const minInto = (dst: string, cap: number, total: string, at: string): void => {
    // dst = min(cap, total − at)
    f.i32(cap).get(total).get(at).i32_sub().tee(dst).i32(cap).get(dst).i32_lt_s().select().set(dst);
  };
  f.for_("jr", 0, "nc", nr, () => {
    minInto("nr", nr, "nc", "jr");
    f.for_("ir", 0, "mc", mr, () => {
      minInto("mr", mr, "mc", "ir");
      f.get("a").get("ir").get("lda").i32_mul().i32(2).i32_shl().i32_add().set("ap");
      f.get("b").get("jr").get("kc").i32_mul().i32(2).i32_shl().i32_add().set("bp");
      f.get("c").get("ir").get("ldc").i32_mul().get("jr").i32_add().i32(2).i32_shl().i32_add().set("cp");
      f.get("nr").i32(nr).i32_eq().if_();
      // Full-width tile: the micro-kernel for exactly mr rows writes C in place.
      for (let rows = mr; rows >= 1; rows--) {
        if (rows < mr) f.else_();
        if (rows > 1) f.get("mr").i32(rows).i32_eq().if_();
        f.get("ap").get("bp").get("cp").get("ldc").i32(2).i32_shl().get("kc");
        f.get("bias").get("ir").i32(2).i32_shl().i32_add().get("accum").call(F.micro(rows));
      }
      for (let rows = mr; rows > 1; rows--) f.end();
      f.else_();
      f.get("accum").if_();
      copyTile(f, "cp", "ldc", "tile", nr, "mr", "nr");
      f.end();
      f.get("ap").get("bp").get("tile").i32(nr * 4).get("kc");
      f.get("bias").get("ir").i32(2).i32_shl().i32_add().get("accum").call(F.micro(mr));
      copyTile(f, "tile", nr, "cp", "ldc", "mr", "nr");
      f.end();
    });
  });
  return f;
}

/**
 * run(desc, n0, n1, scratch): output columns [n0, n1) of C = A·B (+ bias), all rows, in blocks
 * of desc.grab (≤ NC) columns claimed from the counter at desc.ctr (zeroed by the caller).
 */
function emitRun(cfg: GemmConfig): Fn {
  const F = fnIndex(cfg);
  const f = new Fn("run", [["desc", Ty.i32], ["n0", Ty.i32], ["n1", Ty.i32], ["scratch", Ty.i32]], []);
  for (const l of ["jc", "pc", "ic", "nc", "kc", "mc", "m", "k", "ldc", "bpack", "tile", "kstep"]) f.local(l, Ty.i32);
  const field = (name: keyof typeof D): void => void f.get("desc").i32_load(4 * D[name]);
  field("m"); f.set("m"); field("k"); f.set("k"); field("ldc"); f.set("ldc");
  // Depth of the K blocks (balanced by the caller, at most cfg.kc).
  field("kcb"); f.tee("kstep").i32_eqz().if_().i32(cfg.kc).set("kstep").end();
  f.get("scratch").set("bpack");
  f.get("scratch").i32(cfg.kc * cfg.nc * 4).i32_add().set("tile");
  const minInto = (dst: string, cap: number, total: string, at: string): void => {
    f.i32(cap).get(total).get(at).i32_sub().tee(dst).i32(cap).get(dst).i32_lt_s().select().set(dst);
  };
  // Column blocks are taken from a shared counter (desc.ctr), `grab` columns at a time, so a
  // thread that is descheduled or slower leaves its blocks to the others.
  f.block().loop();
  field("ctr"); field("grab"); f.i32_atomic_rmw_add().get("n0").i32_add().tee("jc").get("n1").i32_ge_s().br_if(1);
  field("grab"); f.get("n1").get("jc").i32_sub().tee("nc"); field("grab"); f.get("nc").i32_lt_s().select().set("nc");
  {
    f.for_("pc", 0, "k", "kstep", () => {
      f.get("kstep").get("k").get("pc").i32_sub().tee("kc").get("kstep").get("kc").i32_lt_s().select().set("kc");
      f.get("desc").get("pc").get("kc").get("jc").get("nc").get("bpack").get("tile").i32(cfg.mr * cfg.nr * 4).i32_add().call(F.packB);
      f.for_("ic", 0, "m", cfg.mc, () => {
        minInto("mc", cfg.mc, "m", "ic");
        // A panel r holds rows r..r+MR over all of K, k-major: block (ic, pc) starts at ic·K + pc·MR.
        field("aPack"); f.get("ic").get("k").i32_mul().get("pc").i32(cfg.mr).i32_mul().i32_add().i32(2).i32_shl().i32_add();
        f.get("bpack");
        field("c"); f.get("ic").get("ldc").i32_mul().get("jc").i32_add().i32(2).i32_shl().i32_add();
        f.get("ldc").get("mc").get("nc").get("kc");
        field("bias"); f.get("ic").i32(2).i32_shl().i32_add();
        f.get("pc").i32(0).i32_ne().get("tile").get("k").call(F.macro);
      });
    });
  }
  f.br(0).end().end();
  return f;
}

/**
 * pack_a(src, m, k, dst): row-major M×K at src into MR-row panels at dst, k-major within a
 * panel (panel r at r·K floats); rows past M read the zero word at address 0.
 */
function emitPackA(cfg: GemmConfig): Fn {
  const { mr } = cfg;
  const f = new Fn("pack_a", [["src", Ty.i32], ["m", Ty.i32], ["k", Ty.i32], ["dst", Ty.i32]], []);
  for (const l of ["ir", "kk", "row"]) f.local(l, Ty.i32);
  const p = (r: number): string => f.local(`p${r}`, Ty.i32);
  const st = (r: number): string => f.local(`s${r}`, Ty.i32);
  f.for_("ir", 0, "m", mr, () => {
    for (let r = 0; r < mr; r++) {
      f.get("ir").i32(r).i32_add().tee("row").get("m").i32_lt_s().if_();
      f.get("src").get("row").get("k").i32_mul().i32(2).i32_shl().i32_add().set(p(r)).i32(4).set(st(r));
      f.else_().i32(0).set(p(r)).i32(0).set(st(r)).end();
    }
    f.for_("kk", 0, "k", 1, () => {
      for (let r = 0; r < mr; r++) f.get("dst").get(p(r)).f32_load().f32_store(4 * r).inc(p(r), st(r));
      f.inc("dst", mr * 4);
    });
  });
  return f;
}

/** All functions of the GEMM module, in the index order of `F`. */
export function gemmFunctions(cfg: GemmConfig): Fn[] {
  if (cfg.nr % 4 !== 0 || cfg.mc % cfg.mr !== 0) throw new Error("gemm config: nr must be a multiple of 4 and mc of mr");
  const micros = Array.from({ length: cfg.mr }, (_, i) => emitMicro(cfg, i + 1));
  return [...micros, emitMacro(cfg), emitPackB(cfg), emitRun(cfg), emitPackA(cfg)];
}
