/**
 * The analysis worker's newest answer, also put in memory shared with the page, so the page
 * can show it in the very frame that paints the typed character.
 *
 * Why: after a keystroke Chromium defers the page's tasks, the worker's messages among them,
 * until the next frame has been drawn (DeferRendererTasksAfterInput). An answer that comes as
 * a message is therefore shown after that frame at the earliest, and painted in the one after.
 * The page's animation-frame callback in the frame after the keystroke reads this mailbox: if
 * the worker has answered by then, the table changes before that frame paints. Every answer
 * still comes as a message too (the page skips one it has already taken from here), so the
 * page misses nothing when the mailbox is overwritten, or when it has none: shared memory is
 * given only to cross-origin isolated pages (`convspec serve` and Vite's servers send the
 * COOP/COEP headers; elsewhere the page works on messages alone).
 *
 * Layout: an Int32 header [seq, byte length], then the answer (as changes to the one before,
 * delta.ts) as UTF-8 JSON. The worker sets seq to 0 while it writes (a
 * sequence lock): the page copies the bytes out and keeps them only if seq was the same
 * before and after.
 */
import type { PackedResponse } from "./delta.js";

const HEADER = 8;
/** Room for an answer (as changes to the one before: mostly a few kB; DenseNet-121's whole, 0.15 MB); a larger one goes by message alone. */
export const MAILBOX_BYTES = 4 << 20;

export interface Mailbox {
  readonly header: Int32Array;
  readonly bytes: Uint8Array;
}

export function openMailbox(buffer: SharedArrayBuffer): Mailbox {
  return { header: new Int32Array(buffer, 0, 2), bytes: new Uint8Array(buffer, HEADER) };
}

const encoder = new TextEncoder();

/**
 * Worker side: puts the answer in the mailbox; false if it does not fit or is not plain JSON
 * (a bigint among a layer's arguments: none of the examples has one), and then only the
 * message carries it.
 */
export function post(box: Mailbox, r: PackedResponse): boolean {
  Atomics.store(box.header, 0, 0);
  let utf8: Uint8Array;
  try {
    utf8 = encoder.encode(JSON.stringify(r));
  } catch {
    return false;
  }
  if (utf8.length > box.bytes.length) return false;
  box.bytes.set(utf8);
  Atomics.store(box.header, 1, utf8.length);
  Atomics.store(box.header, 0, r.seq);
  return true;
}

/** Page side: the answer in the mailbox if it is newer than `after`, else undefined. */
export function take(box: Mailbox, after: number): PackedResponse | undefined {
  const seq = Atomics.load(box.header, 0);
  if (seq <= 0 || seq <= after) return undefined; // being written, or not newer
  const length = Atomics.load(box.header, 1);
  const copy = box.bytes.slice(0, length);
  if (Atomics.load(box.header, 0) !== seq) return undefined; // overwritten meanwhile: its message follows
  return JSON.parse(new TextDecoder().decode(copy)) as PackedResponse;
}
