/**
 * Code generator for the direct depthwise kernel (one input channel per group, 1-D or 2-D):
 * each input plane is copied into a zero-bordered scratch plane, then every output row is
 * computed 16 columns at a time as four f32x4 accumulators summed over the taps. Stride 1
 * loads contiguous vectors, stride 2 de-interleaves two loads with a shuffle, other strides
 * gather lanes one by one.
 */
import { Fn, Ty } from "./encoder.js";

/** Field indices (i32 words) of the depthwise descriptor. */
export const DW = {
  x: 0, y: 1, w: 2, bias: 3, mult: 4, h: 5, w_: 6, oh: 7, ow: 8, taps: 9, sh: 10, sw: 11, ph: 12, pw: 13, wp: 14, tab: 15,
} as const;
/** Output columns per step of the inner loop (four f32x4 accumulators). */
export const DW_BLOCK = 16;

function field(f: Fn, name: keyof typeof DW): Fn {
  return f.get("desc").i32_load(4 * DW[name]);
}

/** Copies input plane `ic` into the scratch plane's interior (borders stay zero). */
function emitFillPlane(f: Fn): void {
  // src = x + ic·H·W·4; dst row r = plane + ((r + ph)·Wp + pw)·4
  field(f, "x"); f.get("ic").get("h").i32_mul().get("wi").i32_mul().i32(2).i32_shl().i32_add().set("sp");
  f.for_("r", 0, "h", 1, () => {
    f.get("plane"); f.get("r"); field(f, "ph"); f.i32_add().get("wp").i32_mul(); field(f, "pw"); f.i32_add().i32(2).i32_shl().i32_add().set("dp");
    f.for_("j", 0, "w4", 4, () => {
      f.get("dp").get("sp").v128_load().v128_store();
      f.inc("dp", 16).inc("sp", 16);
    });
    f.for_("j", "w4", "wi", 1, () => {
      f.get("dp").get("sp").f32_load().f32_store();
      f.inc("dp", 4).inc("sp", 4);
    });
  });
}

/** Loads the f32x4 of input columns starting at address `a` with the row stride `sw`. */
function emitStridedLoad(f: Fn, v: number, mode: "s1" | "s2" | "any"): void {
  if (mode === "s1") {
    f.get("a").v128_load(16 * v);
  } else if (mode === "s2") {
    // lanes 0, 2, 4, 6 of two consecutive vectors
    f.get("a").v128_load(32 * v).get("a").v128_load(32 * v + 16);
    f.i8x16_shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
  } else {
    f.get("a").get("sw4").i32(4 * v).i32_mul().i32_add().tee("g").v128_load32_splat();
    for (let l = 1; l < 4; l++) {
      f.get("g").get("sw4").i32(l).i32_mul().i32_add().f32_load().f32x4_replace_lane(l);
    }
  }
}

/** One output row: blocks of 16 columns, accumulated over the tap table. */
function emitRow(f: Fn, mode: "s1" | "s2" | "any"): void {
  f.for_("ox", 0, "ow", DW_BLOCK, () => {
    // base = row origin + ox·sw·4
    f.get("rowp").get("ox").get("sw4").i32_mul().i32_add().set("base");
    for (let v = 0; v < 4; v++) f.get("bv").set(`acc${v}`);
    f.for_("t", 0, "taps", 1, () => {
      f.get("tab").get("t").i32(3).i32_shl().i32_add().tee("g").i32_load().get("base").i32_add().set("a");
      f.get("wch").get("g").i32_load(4).i32(2).i32_shl().i32_add().v128_load32_splat().set("wv");
      for (let v = 0; v < 4; v++) {
        f.get(`acc${v}`).get("wv");
        emitStridedLoad(f, v, mode);
        f.f32x4_mul().f32x4_add().set(`acc${v}`);
      }
    });
    f.get("yrow").get("ox").i32(2).i32_shl().i32_add().set("dp");
    f.get("ox").i32(DW_BLOCK).i32_add().get("ow").i32_le_s().if_();
    for (let v = 0; v < 4; v++) f.get("dp").get(`acc${v}`).v128_store(16 * v);
    f.else_();
    for (let v = 0; v < 4; v++) f.get("tmp").get(`acc${v}`).v128_store(16 * v);
    f.for_("j", "ox", "ow", 1, () => {
      f.get("dp").get("tmp").f32_load().f32_store();
      f.inc("dp", 4).inc("tmp", 4);
    });
    f.get("scratch").set("tmp");
    f.end();
  });
}

/**
 * dw(desc, c0, c1, scratch): output channels [c0, c1) of one batch item. Scratch holds a
 * 64-byte tile followed by the zero-bordered plane, zeroed by the caller once per call.
 */
export function emitDepthwise(): Fn {
  const f = new Fn("dw", [["desc", Ty.i32], ["c0", Ty.i32], ["c1", Ty.i32], ["scratch", Ty.i32]], []);
  const ints = ["oc", "ic", "h", "wi", "w4", "wp", "oh", "ow", "taps", "sw4", "plane", "sp", "dp", "r", "j", "oy",
    "rowp", "yrow", "ox", "base", "t", "a", "g", "tab", "wch", "tmp", "mode", "last"];
  for (const l of ints) f.local(l, Ty.i32);
  for (const l of ["acc0", "acc1", "acc2", "acc3", "wv", "bv"]) f.local(l, Ty.v128);
  field(f, "h"); f.set("h"); field(f, "w_"); f.tee("wi").i32(-4).i32_and().set("w4");
  field(f, "wp"); f.set("wp"); field(f, "oh"); f.set("oh"); field(f, "ow"); f.set("ow");
  field(f, "taps"); f.set("taps"); field(f, "sw"); f.tee("mode").i32(2).i32_shl().set("sw4");
  field(f, "tab"); f.set("tab");
  f.get("scratch").set("tmp");
  f.get("scratch").i32(64).i32_add().set("plane");
  f.i32(-1).set("last");
  f.for_("oc", "c0", "c1", 1, () => {
    f.get("oc"); field(f, "mult"); f.i32_div_u().set("ic");
    f.get("ic").get("last").i32_ne().if_();
    emitFillPlane(f);
    f.get("ic").set("last");
    f.end();
    field(f, "w"); f.get("oc").get("taps").i32_mul().i32(2).i32_shl().i32_add().set("wch");
    field(f, "bias"); f.get("oc").i32(2).i32_shl().i32_add().v128_load32_splat().set("bv");
    f.for_("oy", 0, "oh", 1, () => {
      f.get("plane").get("oy"); field(f, "sh"); f.i32_mul().get("wp").i32_mul().i32(2).i32_shl().i32_add().set("rowp");
      field(f, "y"); f.get("oc").get("oh").i32_mul().get("oy").i32_add().get("ow").i32_mul().i32(2).i32_shl().i32_add().set("yrow");
      f.get("mode").i32(1).i32_eq().if_();
      emitRow(f, "s1");
      f.else_().get("mode").i32(2).i32_eq().if_();
      emitRow(f, "s2");
      f.else_();
      emitRow(f, "any");
      f.end().end();
    });
  });
  return f;
}
