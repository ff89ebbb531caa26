/**
 * Writing an output file without destroying anything: never over a spec (`.cnn`) or over a
 * file the run read, never over an existing file without `--force`, and always through a
 * temporary file beside the target that is renamed into place, so a full disk or a crash
 * leaves the old file (or none), never a truncated one.
 */
import { closeSync, constants, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "./io.js";

export interface WriteOptions {
  /** The option that names the output, for messages (e.g. `--onnx`). */
  readonly flag: string;
  /** Overwrite an existing output file. */
  readonly force?: boolean;
  /** Every file the run read (the spec and its imports): never written over, --force or not. */
  readonly inputs: Iterable<string>;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

const REASONS: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOENT: "no such folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a directory",
  ENAMETOOLONG: "the name is too long",
});

/** Why a write failed, in words (the system's message when there is no better one). */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined) ?? (e as Error).message;
}

/** Refuses the targets that must never be written; returns whether the target exists. */
function checkTarget(target: string, opts: WriteOptions): void {
  if (/\.cnn$/i.test(target)) throw new UsageError(`${opts.flag} ${target}: refusing to write over a spec (.cnn); name the output file, e.g. ${target.replace(/\.cnn$/i, ".onnx")}`);
  let st;
  try {
    st = statSync(target);
  } catch {
    return; // a new file: its folder is checked by the write itself
  }
  if (st.isDirectory()) throw new UsageError(`cannot write ${target}: it is a directory; name a file in it`);
  const real = realOrSelf(target);
  for (const input of opts.inputs) {
    if (realOrSelf(input) === real) throw new UsageError(`${opts.flag} ${target}: refusing to write over ${input}, an input of this run`);
  }
  if (!st.isFile()) throw new UsageError(`cannot write ${target}: it is not a regular file (a device, pipe or socket)`);
  if (!opts.force) throw new UsageError(`${target} exists; add --force to overwrite it`);
}

/** Writes `bytes` to `target` through a temporary file and a rename; every failure is a UsageError (exit 2). */
export function writeOutput(target: string, bytes: Uint8Array, opts: WriteOptions): void {
  checkTarget(target, opts);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 24));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already gone
    }
    throw new UsageError(`cannot write ${target}: ${reason(e)}`);
  }
}
