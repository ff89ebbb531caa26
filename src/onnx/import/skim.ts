/**
 * Reads a large ONNX file without holding its weights: walks ModelProto → graph → initializer
 * through positioned reads of the caller's choosing (a file descriptor, a Blob slice) and
 * returns the same model with every large raw_data left out, which `readModel` reads as
 * dims-only tensors. Memory stays at the graph's structure plus one read window, however big
 * the file. Lengths are checked against the file size as in wire.ts.
 */
import { pushAll } from "../../util/array.js";
import { readVarint, WireError, WIRE } from "./wire.js";

/** Reads `length` bytes at `offset` (fewer only at the end of the file). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

/** raw_data payloads longer than this are skipped (small constants keep their values). */
const SKIP_ABOVE = 64 * 1024;
const WINDOW = 1 << 20;

/** TensorProto's data fields: float_data 4, int32_data 5, int64_data 7, raw_data 9, double_data 10, uint64_data 11. */
const DATA_FIELDS: readonly number[] = [4, 5, 7, 9, 10, 11];

/** Field numbers to descend into, by message: ModelProto.graph (7) → GraphProto.initializer (5) → TensorProto. */
const DESCEND: readonly (readonly number[])[] = [[7], [5], []];

class Source {
  private start = 0;
  private buf: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly readAt: ReadAt,
    readonly size: number,
  ) {}

  /** `len` bytes at `pos`, through a window of at least 1 MiB. */
  bytes(pos: number, len: number): Uint8Array {
    if (pos < this.start || pos + len > this.start + this.buf.length) {
      const want = Math.min(Math.max(len, WINDOW), this.size - pos);
      this.buf = this.readAt(pos, want);
      this.start = pos;
      if (this.buf.length < len) throw new WireError("the file ends inside a field", pos);
    }
    return this.buf.subarray(pos - this.start, pos - this.start + len);
  }
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b += 128;
    out.push(b);
  } while (v > 0);
  return out;
}

/** The message in [start, end) re-encoded with large raw_data fields dropped, as parts. */
function skimMessage(src: Source, start: number, end: number, depth: number, parts: Uint8Array[]): number {
  let pos = start;
  let total = 0;
  while (pos < end) {
    const at = pos;
    const head = src.bytes(pos, Math.min(20, end - pos));
    const [key, p1] = readVarint(head, 0, head.length);
    const wire = Number(key & 7n);
    const no = Number(key >> 3n);
    let len: number;
    let headLen = p1;
    if (wire === WIRE.varint) {
      const [, p2] = readVarint(head, p1, head.length);
      len = 0;
      headLen = p2;
    } else if (wire === WIRE.fixed64) len = 8;
    else if (wire === WIRE.fixed32) len = 4;
    else if (wire === WIRE.bytes) {
      const [n, p2] = readVarint(head, p1, head.length);
      headLen = p2;
      if (n > BigInt(end - at - p2)) throw new WireError(`field ${no} claims ${n} bytes but ${end - at - p2} remain`, at);
      len = Number(n);
    } else throw new WireError(`field ${no} has wire type ${wire}, which ONNX files never use`, at);
    const next = at + headLen + len;
    if (next > end) throw new WireError(`field ${no} runs past the end of its message`, at);
    if (wire === WIRE.bytes && DESCEND[depth]?.includes(no)) {
      const inner: Uint8Array[] = [];
      const n = skimMessage(src, at + headLen, next, depth + 1, inner);
      const prefix = Uint8Array.from([...varintBytes(Number(key)), ...varintBytes(n)]);
      parts.push(prefix);
      pushAll(parts, inner);
      total += prefix.length + n;
    } else if (!(depth === 2 && DATA_FIELDS.includes(no) && len > SKIP_ABOVE)) {
      parts.push(Uint8Array.from(src.bytes(at, headLen + len)));
      total += headLen + len;
    }
    pos = next;
  }
  return total;
}

/** The file's ModelProto without large weight payloads; throws WireError on a malformed file. */
export function skimOnnx(readAt: ReadAt, size: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const n = skimMessage(new Source(readAt, size), 0, size, 0, parts);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
