/**
 * Code generator for B-panel packing: copies a KC×NC block of the right-hand matrix into
 * NR-wide panels (row k of a panel is NR consecutive floats), either from a strided matrix or
 * straight from the convolution input (implicit im2col: column p is output position p, row k is
 * input channel × kernel tap). Out-of-range taps read address 0, which holds zeros, so the zero
 * padding is never materialized.
 */
import { Fn, Ty } from "./encoder.js";
import { D, type GemmConfig } from "./gemm_layout.js";

/** Column info sentinel: a window origin this negative never lands inside the input. */
const FAR = -(1 << 29);

function field(f: Fn, name: keyof typeof D): Fn {
  return f.get("desc").i32_load(4 * D[name]);
}

/** Plain matrix: B(k, n) at bSrc + (k·bsk + n·bsn)·4; vector copies when bsn = 1 and the panel is full. */
function emitFlat(f: Fn, nr: number): void {
  f.for_("jr", 0, "nc", nr, () => {
    f.get("dst").get("jr").get("kc").i32_mul().i32(2).i32_shl().i32_add().set("dp");
    field(f, "bSrc"); f.get("pc").get("bsk").i32_mul().get("jc").get("jr").i32_add().get("bsn").i32_mul().i32_add().i32(2).i32_shl().i32_add().set("sp");
    f.get("nc").get("jr").i32_sub().set("nr");
    f.get("nr").i32(nr).i32_ge_s().get("bsn").i32(1).i32_eq().i32_and().if_();
    f.for_("k", 0, "kc", 1, () => {
      for (let v = 0; v < nr / 4; v++) f.get("dp").get("sp").v128_load(16 * v).v128_store(16 * v);
      f.inc("sp", "bsk4").inc("dp", nr * 4);
    });
    f.else_();
    f.for_("k", 0, "kc", 1, () => {
      for (let j = 0; j < nr; j++) {
        // dp[j] = j < nr ? sp[j·bsn] : 0 (address 0 holds zero)
        f.get("dp");
        f.get("sp").get("bsn4").i32(j).i32_mul().i32_add().i32(0).i32(j).get("nr").i32_lt_s().select();
        f.f32_load().f32_store(4 * j);
      }
      f.inc("sp", "bsk4").inc("dp", nr * 4);
    });
    f.end();
  });
}

/** Per-column window origins (z, y, x) for the panel starting at output position p. */
function emitColumnInfo(f: Fn, nr: number): void {
  for (let j = 0; j < nr; j++) {
    f.get("p").i32(j).i32_add().set("q");
    f.get("q").get("n").i32_lt_s().if_();
    // q → (oz, oy, ox) over (Do, Ho, Wo); origin = o·stride − padBefore
    f.get("q").get("ow").i32_div_u().set("t");
    f.get("col").get("q").get("t").get("ow").i32_mul().i32_sub().get("sw").i32_mul().get("pw").i32_sub().i32_store(16 * j + 8);
    f.get("t").get("oh").i32_div_u().set("q");
    f.get("col").get("t").get("q").get("oh").i32_mul().i32_sub().get("sh").i32_mul().get("ph").i32_sub().i32_store(16 * j + 4);
    f.get("col").get("q").get("sd").i32_mul().get("pd").i32_sub().i32_store(16 * j);
    f.else_();
    f.get("col").i32(FAR).i32_store(16 * j);
    f.end();
  }
}

/** Loads one tap of column j (origin in `col`, tap offsets in locals tz, ty, tx) or zero. */
function emitTap(f: Fn, j: number): void {
  f.get("col").i32_load(16 * j).get("tz").i32_add().set("iz");
  f.get("col").i32_load(16 * j + 4).get("ty").i32_add().set("iy");
  f.get("col").i32_load(16 * j + 8).get("tx").i32_add().set("ix");
  f.get("dp");
  f.get("plane").get("iz").get("dh").i32_mul().get("iy").i32_add().get("dw").i32_mul().get("ix").i32_add().i32(2).i32_shl().i32_add();
  f.i32(0);
  f.get("iz").get("dd").i32_lt_u().get("iy").get("dh").i32_lt_u().i32_and().get("ix").get("dw").i32_lt_u().i32_and();
  f.select().f32_load().f32_store(4 * j);
}

/** i8x16.shuffle lanes picking f32 lanes 0, 2 of the first vector and 0, 2 of the second. */
const EVEN_LANES = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];

/** Bytes per entry of the tap table: plane offset, (z, y, x) offsets, whole offset in bytes. */
export const TAP_BYTES = 32;

/**
 * Leaves on the stack whether every tap of the panel lands inside the input: one output row,
 * origin ≥ 0 and origin + window extent (desc ez*) inside each axis, for all NR columns.
 */
function emitInterior(f: Fn, nr: number): void {
  f.get("row");
  f.get("col").i32_load(0).tee("iz").i32(0).i32_ge_s().i32_and();
  f.get("iz"); field(f, "ezd"); f.i32_add().get("dd").i32_lt_s().i32_and();
  f.get("col").i32_load(4).tee("iy").i32(0).i32_ge_s().i32_and();
  f.get("iy"); field(f, "ezh"); f.i32_add().get("dh").i32_lt_s().i32_and();
  f.get("col").i32_load(8).tee("ix").i32(0).i32_ge_s().i32_and();
  f.get("col").i32_load(16 * (nr - 1) + 8); field(f, "ezw"); f.i32_add().get("dw").i32_lt_s().i32_and();
}

/** Interior panel: row k is NR input values at panel origin + the tap's whole offset, no checks. */
function emitInteriorCopy(f: Fn, nr: number): void {
  f.get("bsrc").get("iz").get("dh").i32_mul().get("iy").i32_add().get("dw").i32_mul().get("ix").i32_add().i32(2).i32_shl().i32_add().set("plane");
  f.get("sw").i32(1).i32_eq().if_();
  f.for_("k", 0, "kc", 1, () => {
    f.get("plane").get("kt").i32_load(16).i32_add().set("sp");
    for (let v = 0; v < nr / 4; v++) f.get("dp").get("sp").v128_load(16 * v).v128_store(16 * v);
    f.inc("dp", nr * 4).inc("kt", TAP_BYTES);
  });
  f.else_().get("sw").i32(2).i32_eq().if_();
  f.for_("k", 0, "kc", 1, () => {
    f.get("plane").get("kt").i32_load(16).i32_add().set("sp");
    // stride 2: even lanes of two consecutive vectors make one vector of the panel row
    for (let v = 0; v < nr / 4; v++) {
      f.get("dp").get("sp").v128_load(32 * v).get("sp").v128_load(32 * v + 16).i8x16_shuffle(EVEN_LANES).v128_store(16 * v);
    }
    f.inc("dp", nr * 4).inc("kt", TAP_BYTES);
  });
  f.else_();
  f.get("sw").i32(2).i32_shl().set("t");
  f.for_("k", 0, "kc", 1, () => {
    f.get("plane").get("kt").i32_load(16).i32_add().set("sp");
    for (let j = 0; j < nr; j++) {
      f.get("dp").get("sp").f32_load().f32_store(4 * j);
      if (j < nr - 1) f.inc("sp", "t");
    }
    f.inc("dp", nr * 4).inc("kt", TAP_BYTES);
  });
  f.end().end();
}

/** Implicit im2col; fast path when the panel's columns share an output row and lie inside the input. */
function emitConv(f: Fn, nr: number): void {
  for (const [l, n] of [["dd", "dd"], ["dh", "dh"], ["dw", "dw"], ["oh", "oh"], ["ow", "ow"], ["sd", "sd"], ["sh", "sh"], ["sw", "sw"], ["pd", "pd"], ["ph", "ph"], ["pw", "pw"], ["n", "n"]] as const) {
    field(f, n); f.set(l);
  }
  field(f, "bSrc"); f.set("bsrc");
  f.for_("jr", 0, "nc", nr, () => {
    f.get("dst").get("jr").get("kc").i32_mul().i32(2).i32_shl().i32_add().set("dp");
    f.get("jc").get("jr").i32_add().set("p");
    emitColumnInfo(f, nr);
    // Same output row for all NR columns: x origins step by the stride.
    f.get("col").i32_load(0).get("col").i32_load(16 * (nr - 1)).i32_eq();
    f.get("col").i32_load(4).get("col").i32_load(16 * (nr - 1) + 4).i32_eq().i32_and().set("row");
    field(f, "ktab"); f.get("pc").i32(5).i32_shl().i32_add().set("kt");
    emitInterior(f, nr);
    f.if_();
    emitInteriorCopy(f, nr);
    f.else_();
    f.for_("k", 0, "kc", 1, () => {
      f.get("kt").i32_load(0).get("bsrc").i32_add().set("plane");
      f.get("kt").i32_load(4).set("tz"); f.get("kt").i32_load(8).set("ty"); f.get("kt").i32_load(12).set("tx");
      f.get("col").i32_load(8).get("tx").i32_add().set("ix");
      // fast: one row, first and last column inside the row, the row inside the input
      f.get("row");
      f.get("col").i32_load(0).get("tz").i32_add().tee("iz").get("dd").i32_lt_u().i32_and();
      f.get("col").i32_load(4).get("ty").i32_add().tee("iy").get("dh").i32_lt_u().i32_and();
      f.get("ix").i32(0).i32_ge_s().i32_and();
      f.get("col").i32_load(16 * (nr - 1) + 8).get("tx").i32_add().get("dw").i32_lt_s().i32_and();
      f.if_();
      f.get("plane").get("iz").get("dh").i32_mul().get("iy").i32_add().get("dw").i32_mul().get("ix").i32_add().i32(2).i32_shl().i32_add().set("sp");
      f.get("sw").i32(1).i32_eq().if_();
      for (let v = 0; v < nr / 4; v++) f.get("dp").get("sp").v128_load(16 * v).v128_store(16 * v);
      f.else_();
      f.get("sw").i32(2).i32_shl().set("t");
      for (let j = 0; j < nr; j++) {
        f.get("dp").get("sp").f32_load().f32_store(4 * j);
        if (j < nr - 1) f.inc("sp", "t");
      }
      f.end();
      f.else_();
      for (let j = 0; j < nr; j++) emitTap(f, j);
      f.end();
      f.inc("dp", nr * 4).inc("kt", TAP_BYTES);
    });
    f.end();
  });
}

/**
 * pack_b(desc, pc, kc, jc, nc, dst, col): packs rows [pc, pc+kc) × columns [jc, jc+nc) of B
 * into NR-wide panels at dst (zero columns past nc); `col` is NR·16 bytes of scratch.
 */
export function emitPackB(cfg: GemmConfig): Fn {
  const f = new Fn("pack_b", [["desc", Ty.i32], ["pc", Ty.i32], ["kc", Ty.i32], ["jc", Ty.i32], ["nc", Ty.i32], ["dst", Ty.i32], ["col", Ty.i32]], []);
  const locals = ["jr", "k", "dp", "sp", "nr", "bsk", "bsn", "bsk4", "bsn4", "p", "q", "t", "row", "kt", "plane",
    "tz", "ty", "tx", "iz", "iy", "ix", "dd", "dh", "dw", "oh", "ow", "sd", "sh", "sw", "pd", "ph", "pw", "n", "bsrc"];
  for (const l of locals) f.local(l, Ty.i32);
  field(f, "bsk"); f.tee("bsk").i32(2).i32_shl().set("bsk4");
  field(f, "bsn"); f.tee("bsn").i32(2).i32_shl().set("bsn4");
  field(f, "mode").i32_eqz().if_();
  emitFlat(f, cfg.nr);
  f.else_();
  emitConv(f, cfg.nr);
  f.end();
  return f;
}
