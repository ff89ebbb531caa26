/**
 * A minimal WebAssembly binary encoder: enough of the MVP and 128-bit SIMD instruction sets to
 * emit the GEMM and convolution kernels of this folder without an external toolchain.
 * Encoding per the WebAssembly Core Specification 2.0, §5 (binary format), and the fixed-width
 * SIMD proposal's opcode table (prefix 0xFD, LEB128 sub-opcodes).
 */
import { pushAll } from "../../util/array.js";

/** Value types used by the kernels. */
export const Ty = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
/** One of the value types in `Ty`. */
export type Ty = (typeof Ty)[keyof typeof Ty];

function uleb(out: number[], v: number): void {
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function utf8(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  pushAll(out, b);
}

/** Natural alignment (log2 bytes) of each memory access kind, used as the memarg hint. */
const ALIGN = { i32: 2, f32: 2, v128: 4, splat32: 2 } as const;

/**
 * Body of one function: locals are named, instructions are appended by methods named after
 * their WebAssembly mnemonics (dots replaced by underscores).
 */
export class Fn {
  readonly code: number[] = [];
  private readonly names = new Map<string, number>();
  private readonly extra: Ty[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly [string, Ty][],
    readonly results: readonly Ty[],
    readonly exported = true,
  ) {
    params.forEach(([n], i) => this.names.set(n, i));
  }

  /** Declares a local (idempotent for the same name and type) and returns its name. */
  local(name: string, ty: Ty): string {
    if (!this.names.has(name)) {
      this.names.set(name, this.params.length + this.extra.length);
      this.extra.push(ty);
    }
    return name;
  }

  private idx(name: string): number {
    const i = this.names.get(name);
    if (i === undefined) throw new Error(`wasm encoder: unknown local ${name} in ${this.name}`);
    return i;
  }

  private op(...bytes: number[]): this {
    pushAll(this.code, bytes);
    return this;
  }

  private simd(sub: number): this {
    this.code.push(0xfd);
    uleb(this.code, sub);
    return this;
  }

  private mem(offset: number, align: number): this {
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  get(n: string): this { this.code.push(0x20); uleb(this.code, this.idx(n)); return this; }
  set(n: string): this { this.code.push(0x21); uleb(this.code, this.idx(n)); return this; }
  tee(n: string): this { this.code.push(0x22); uleb(this.code, this.idx(n)); return this; }
  i32(v: number): this { this.code.push(0x41); sleb(this.code, v | 0); return this; }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.code.push(0x43);
    pushAll(this.code, b);
    return this;
  }

  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if_(): this { return this.op(0x04, 0x40); }
  else_(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { this.code.push(0x0c); uleb(this.code, depth); return this; }
  br_if(depth: number): this { this.code.push(0x0d); uleb(this.code, depth); return this; }
  return_(): this { return this.op(0x0f); }
  call(index: number): this { this.code.push(0x10); uleb(this.code, index); return this; }
  drop(): this { return this.op(0x1a); }
  select(): this { return this.op(0x1b); }

  i32_load(off = 0): this { return this.op(0x28).mem(off, ALIGN.i32); }
  f32_load(off = 0): this { return this.op(0x2a).mem(off, ALIGN.f32); }
  i32_store(off = 0): this { return this.op(0x36).mem(off, ALIGN.i32); }
  f32_store(off = 0): this { return this.op(0x38).mem(off, ALIGN.f32); }

  i32_eqz(): this { return this.op(0x45); }
  i32_eq(): this { return this.op(0x46); }
  i32_ne(): this { return this.op(0x47); }
  i32_lt_s(): this { return this.op(0x48); }
  i32_lt_u(): this { return this.op(0x49); }
  i32_gt_s(): this { return this.op(0x4a); }
  i32_le_s(): this { return this.op(0x4c); }
  i32_ge_s(): this { return this.op(0x4e); }
  i32_ge_u(): this { return this.op(0x4f); }
  i32_add(): this { return this.op(0x6a); }
  i32_sub(): this { return this.op(0x6b); }
  i32_mul(): this { return this.op(0x6c); }
  i32_div_u(): this { return this.op(0x6e); }
  i32_rem_u(): this { return this.op(0x70); }
  i32_and(): this { return this.op(0x71); }
  i32_or(): this { return this.op(0x72); }
  i32_shl(): this { return this.op(0x74); }
  f32_add(): this { return this.op(0x92); }
  f32_mul(): this { return this.op(0x94); }

  /** Atomic fetch-and-add on shared memory (threads proposal, opcode 0xFE 0x1E); returns the old value. */
  i32_atomic_rmw_add(off = 0): this { this.code.push(0xfe, 0x1e); return this.mem(off, 2); }
  v128_load(off = 0): this { return this.simd(0x00).mem(off, ALIGN.v128); }
  v128_load32_splat(off = 0): this { return this.simd(0x09).mem(off, ALIGN.splat32); }
  v128_store(off = 0): this { return this.simd(0x0b).mem(off, ALIGN.v128); }
  v128_zero(): this { this.simd(0x0c); for (let i = 0; i < 16; i++) this.code.push(0); return this; }
  i8x16_shuffle(lanes: readonly number[]): this { this.simd(0x0d); pushAll(this.code, lanes); return this; }
  f32x4_splat(): this { return this.simd(0x13); }
  f32x4_replace_lane(lane: number): this { return this.simd(0x20).op(lane); }
  f32x4_add(): this { return this.simd(0xe4); }
  f32x4_mul(): this { return this.simd(0xe6); }
  /** Relaxed-SIMD fused multiply-add a·b + c (opcode 0x105); only emitted when validated. */
  f32x4_relaxed_madd(): this { return this.simd(0x105); }

  /** Appends `local += delta` for an i32 local. */
  inc(n: string, delta: number | string): this {
    this.get(n);
    if (typeof delta === "number") this.i32(delta);
    else this.get(delta);
    return this.i32_add().set(n);
  }

  /**
   * Emits `for (v = from; v < to; v += step) body()` over i32 locals (signed compare);
   * `from`, `to`, `step` are constants or local names. The body may not branch out of the loop.
   */
  for_(v: string, from: number | string, to: number | string, step: number | string, body: () => void): this {
    const push = (x: number | string): this => (typeof x === "number" ? this.i32(x) : this.get(x));
    push(from).set(v);
    this.block().loop();
    this.get(v); push(to); this.i32_ge_s().br_if(1);
    body();
    this.get(v); push(step); this.i32_add().set(v);
    this.br(0).end().end();
    return this;
  }

  /** Encodes the body with its local declarations (run-length grouped by type). */
  encode(): number[] {
    const out: number[] = [];
    const groups: [number, Ty][] = [];
    for (const t of this.extra) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [n, t] of groups) { uleb(out, n); out.push(t); }
    pushAll(out, this.code);
    out.push(0x0b);
    const sized: number[] = [];
    uleb(sized, out.length);
    return sized.concat(out);
  }
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  pushAll(out, body);
}

/**
 * Assembles a module whose functions share one imported memory `env.mem`
 * (shared when `shared`, so worker threads can run the same kernels on it).
 */
export function assemble(fns: readonly Fn[], memory: { initialPages: number; maxPages: number; shared: boolean }): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, fns.length);
  for (const f of fns) {
    types.push(0x60);
    uleb(types, f.params.length);
    for (const [, t] of f.params) types.push(t);
    uleb(types, f.results.length);
    pushAll(types, f.results);
  }
  section(out, 1, types);
  const imports: number[] = [1];
  utf8(imports, "env");
  utf8(imports, "mem");
  imports.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imports, memory.initialPages);
  uleb(imports, memory.maxPages);
  section(out, 2, imports);
  const funcs: number[] = [];
  uleb(funcs, fns.length);
  fns.forEach((_, i) => uleb(funcs, i));
  section(out, 3, funcs);
  const exported = fns.map((f, i) => [f, i] as const).filter(([f]) => f.exported);
  const exports: number[] = [];
  uleb(exports, exported.length);
  for (const [f, i] of exported) { utf8(exports, f.name); exports.push(0x00); uleb(exports, i); }
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, fns.length);
  for (const f of fns) pushAll(code, f.encode());
  section(out, 10, code);
  return new Uint8Array(out);
}
