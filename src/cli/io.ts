/**
 * What every command shares: reading spec files (the resolver the library is given),
 * rendering diagnostics, colour decisions and exit codes.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { compile, type CompileOptions, type CompileResult } from "../graph/compile.js";
import { renderDiagnostics } from "../diagnostics/render.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

export const EXIT = { ok: 0, specError: 1, usage: 2, internal: 3 } as const;

/** A mistake in how convspec was called: one line on stderr and exit code 2. */
export class UsageError extends Error {}

export function useColor(stream: NodeJS.WriteStream): boolean {
  if ("NO_COLOR" in process.env && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** Most bytes read from a stream (stdin, a pipe, a device) before giving up: the 4 MiB file limit. */
const MAX_STREAM_BYTES = 4 * 1024 * 1024;

/** Reads a pipe or device in chunks, so `/dev/zero` is refused instead of filling memory. */
function readStream(fd: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue; // a non-blocking stdin with nothing yet
      if (code === "EOF") break;
      throw new UsageError(`cannot read ${what}: ${(e as Error).message}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_STREAM_BYTES) throw new UsageError(`${what} gives more than ${MAX_STREAM_BYTES} bytes, the most a spec may have`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** Spec text from bytes: refuses binary data and invalid UTF-8; drops a byte-order mark. */
function decodeSpec(buf: Buffer, what: string): string {
  const nul = buf.indexOf(0);
  if (nul !== -1) throw new UsageError(`${what} is not a text file (it holds a NUL byte at offset ${nul})`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    throw new UsageError(`${what} is not UTF-8 text; save it as UTF-8`);
  }
}

/**
 * The ONNX importer, loaded only when a command names a .onnx file (so `analyze x.cnn` never
 * loads it). Kept on globalThis: verify and export load this module again from dist/src, apart
 * from the bundle's copy, and must see the importer the bundle loaded.
 */
const IMPORTER = Symbol.for("convspec.onnxImporter");
type Importer = typeof import("../onnx/import/import.js");
const holder = globalThis as { [IMPORTER]?: Importer };

/** True for a path the commands read as an ONNX model. */
export function isOnnxPath(path: string): boolean {
  return /\.onnx$/i.test(path);
}

/** Loads the importer when one of `paths` is an ONNX file; call before the command reads them. */
export async function preloadOnnx(paths: readonly (string | undefined)[]): Promise<void> {
  if (paths.some((p) => p !== undefined && isOnnxPath(p.replace(/#[^#/]*$/, "")))) holder[IMPORTER] ??= await import("../onnx/import/import.js");
}

/** Files above this size are skimmed (weights skipped by positioned reads) instead of read whole. */
const SKIM_ABOVE = 32 * 1024 * 1024;

/**
 * An ONNX file's bytes for the importer: read whole when small; a large one through
 * `skimOnnx`, so a 500 MB export never sits in memory. A malformed file still reaches the
 * importer (whole, or its first bytes), which reports it as CS4801.
 */
export function readOnnxFile(path: string, importer: Importer = holder[IMPORTER]!): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size <= SKIM_ABOVE) return new Uint8Array(readFileSync(fd));
    const readAt = (offset: number, length: number) => {
      const b = Buffer.alloc(length);
      const n = readSync(fd, b, 0, length, offset);
      return new Uint8Array(b.buffer, b.byteOffset, n);
    };
    try {
      return importer.skimOnnx(readAt, size);
    } catch (e) {
      if (!(e instanceof importer.WireError)) throw e;
      return readAt(0, Math.min(size, 1 << 20)); // the importer names the fault
    }
  } finally {
    closeSync(fd);
  }
}

/** An ONNX file imported in memory: its spec text; the import's findings go to stderr. */
function importedSpec(path: string): string {
  const importer = holder[IMPORTER];
  if (!importer) throw new Error(`the ONNX importer was not loaded before reading ${path}`);
  const r = importer.importOnnx(readOnnxFile(path, importer), { file: path });
  const fatal = r.diagnostics.filter((d) => d.severity === "error");
  if (r.text === "" || fatal.length > 0) {
    throw new UsageError(`cannot import ${path}: ${fatal.map((d) => `${d.code} ${d.message}`).join("; ") || "no model"}`);
  }
  printDiagnostics(r.diagnostics, new Map());
  return r.text;
}

/** Reads a spec named on the command line; `-` is standard input; a `.onnx` file is imported. */
export function readSpec(path: string): string {
  if (path === "-") return decodeSpec(readStream(0, "standard input"), "standard input");
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === "EACCES" ? "permission denied" : code === "ENOTDIR" || code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`${path} is a directory; name .cnn files (e.g. ${path.replace(/\/$/, "")}/*.cnn)`);
  if (isOnnxPath(path) && st.isFile()) return importedSpec(path);
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    // Regular files are read whole (an oversized one gets its CS6003 with its true size).
    buf = st.isFile() ? readFileSync(fd) : readStream(fd, path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === "EACCES" || code === "EPERM" ? "permission denied" : (e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return decodeSpec(buf, path);
}

/** The resolver the CLI hands the library: plain file reads, relative paths as given. */
export function fileResolver(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Error("it is a directory");
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Reads and compiles one spec file. */
export function compileFile(path: string, options: Omit<CompileOptions, "file" | "resolve"> = {}): CompileResult {
  const text = readSpec(path);
  const file = path === "-" ? "<stdin>" : path;
  return compile({ file, text }, { ...options, file, resolve: fileResolver });
}

/** Writes diagnostics to stderr, coloured when stderr is a terminal. */
export function printDiagnostics(ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  if (ds.length === 0) return;
  process.stderr.write(renderDiagnostics(ds, (f) => sources.get(f), { color: useColor(process.stderr) }) + "\n");
}

/** Exit code for a run's diagnostics: errors → 1; warnings only with --strict. */
export function exitFor(ds: readonly Diagnostic[], strict = false): number {
  return ds.some((d) => d.severity === "error" || (strict && d.severity === "warning")) ? EXIT.specError : EXIT.ok;
}
