/**
 * A bounded protobuf wire-format reader (https://protobuf.dev/programming-guides/encoding/):
 * varints, fixed 32/64-bit words and length-delimited fields, read in place from one byte
 * array. Every length is checked against the bytes that remain, so a truncated or corrupted
 * file ends in a `WireError` with its byte offset, never in an out-of-range read; a
 * length-delimited field is a view, so a weight's raw_data is skipped without a copy.
 */

/** A malformed file: what was wrong and at which byte. */
export class WireError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at byte ${offset}`);
  }
}

/** Wire types (protobuf encoding): 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** One field as read: its number, wire type, and either a varint value or a byte range. */
export interface Field {
  readonly no: number;
  readonly wire: number;
  /** The varint value (wire 0), as a 64-bit two's-complement bigint. */
  readonly int: bigint;
  /** The value's bytes [start, end) for wire types 1, 2 and 5. */
  readonly start: number;
  readonly end: number;
}

/** Reads one varint at `pos`; returns the value (unsigned 64-bit) and the next offset. */
export function readVarint(buf: Uint8Array, pos: number, end: number): [bigint, number] {
  let lo = 0;
  let shift = 0;
  let hi = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError("a varint runs past the end of its message", pos);
    const b = buf[pos++]!;
    // The low 28 bits fit a double exactly; the rest goes through bigint.
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else hi |= BigInt(b & 0x7f) << BigInt(shift);
    shift += 7;
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, hi | BigInt(lo >>> 0)), pos];
  }
  throw new WireError("a varint is longer than 10 bytes", pos);
}

/** Calls `visit` for every field of the message in buf[start, end). */
export function eachField(buf: Uint8Array, start: number, end: number, visit: (f: Field) => void): void {
  let pos = start;
  while (pos < end) {
    const at = pos;
    const [key, p] = readVarint(buf, pos, end);
    pos = p;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new WireError("a field numbered 0", at);
    if (wire === WIRE.varint) {
      const [v, q] = readVarint(buf, pos, end);
      pos = q;
      visit({ no, wire, int: v, start: 0, end: 0 });
      continue;
    }
    let len: number;
    if (wire === WIRE.fixed64) len = 8;
    else if (wire === WIRE.fixed32) len = 4;
    else if (wire === WIRE.bytes) {
      const [n, q] = readVarint(buf, pos, end);
      pos = q;
      if (n > BigInt(end - pos)) throw new WireError(`field ${no} claims ${n} bytes but ${end - pos} remain`, at);
      len = Number(n);
    } else throw new WireError(`field ${no} has wire type ${wire}, which ONNX files never use`, at);
    if (pos + len > end) throw new WireError(`field ${no} runs past the end of its message`, at);
    visit({ no, wire, int: 0n, start: pos, end: pos + len });
    pos += len;
  }
}

const utf8 = new TextDecoder("utf-8");

/** A length-delimited field as text (invalid UTF-8 is replaced, not refused: names are labels). */
export function text(buf: Uint8Array, f: Field): string {
  expectWire(f, WIRE.bytes);
  return utf8.decode(buf.subarray(f.start, f.end));
}

/** Fails unless the field has the wire type its schema gives it. */
export function expectWire(f: Field, wire: number): void {
  if (f.wire !== wire) throw new WireError(`field ${f.no} has wire type ${f.wire}, expected ${wire}`, f.start);
}

/** A varint field as a signed 64-bit integer (int64 fields store negatives as 10-byte varints). */
export function int64(f: Field): bigint {
  expectWire(f, WIRE.varint);
  return BigInt.asIntN(64, f.int);
}

/** Repeated int64, packed (one length-delimited run) or not (one varint per field). */
export function pushInts(buf: Uint8Array, f: Field, out: bigint[], limit: number): void {
  if (f.wire === WIRE.varint) {
    out.push(BigInt.asIntN(64, f.int));
  } else {
    expectWire(f, WIRE.bytes);
    for (let pos = f.start; pos < f.end; ) {
      const [v, q] = readVarint(buf, pos, f.end);
      out.push(BigInt.asIntN(64, v));
      pos = q;
    }
  }
  if (out.length > limit) throw new WireError(`more than ${limit} integers in one repeated field`, f.start);
}

/** Repeated float, packed or not. */
export function pushFloats(buf: Uint8Array, f: Field, out: number[], limit: number): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (f.wire === WIRE.fixed32) out.push(view.getFloat32(f.start, true));
  else {
    expectWire(f, WIRE.bytes);
    if ((f.end - f.start) % 4 !== 0) throw new WireError("a packed float field is not a whole number of floats", f.start);
    for (let pos = f.start; pos < f.end; pos += 4) out.push(view.getFloat32(pos, true));
  }
  if (out.length > limit) throw new WireError(`more than ${limit} floats in one repeated field`, f.start);
}

/** A fixed32 field as a float. */
export function float32(buf: Uint8Array, f: Field): number {
  expectWire(f, WIRE.fixed32);
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getFloat32(f.start, true);
}
