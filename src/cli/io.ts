/**
 * What every command shares: reading spec files (the resolver the library is given),
 * rendering diagnostics, colour decisions and exit codes.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync, writeSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import { compile, type CompileOptions, type CompileResult, type ResolvedFile } from "../graph/compile.js";
import { renderDiagnostics } from "../diagnostics/render.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { allowProblem } from "../diagnostics/allow.js";

export const EXIT = { ok: 0, specError: 1, usage: 2, internal: 3 } as const;

/** Marks a UsageError across copies of this module (the bundle and the tsc output both hold one). */
const USAGE = Symbol.for("convspec.UsageError");

/** A mistake in how convspec was called: one line on stderr and exit code 2. */
export class UsageError extends Error {
  readonly [USAGE] = true;
}

/** Whether `e` is a UsageError from any copy of this module (`instanceof` fails across copies). */
export function isUsageError(e: unknown): e is UsageError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[USAGE] === true;
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  if ("NO_COLOR" in process.env && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** Most bytes of any file convspec reads (spec, import, convspec.json), as the library's maxFileSize. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** Reads at most `MAX_INPUT_BYTES` from a descriptor, in chunks; more is refused, not buffered. */
function readBounded(fd: number, what: string): Buffer {
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
    if (total > MAX_INPUT_BYTES) throw new UsageError(`${what} gives more than ${MAX_INPUT_BYTES} bytes, the most a spec may have`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** Text from bytes: refuses binary data and invalid UTF-8; drops a byte-order mark. */
function decodeText(buf: Buffer, what: string): string {
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

function readFailure(path: string, e: unknown): UsageError {
  if (isUsageError(e)) return e as UsageError;
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOTDIR" || code === "ENOENT" ? "no such file" : (e as Error).message;
  return new UsageError(`cannot read ${path}: ${why}`);
}

/**
 * The one input policy for every file convspec reads (a spec named on the command line, an
 * import, a convspec.json): a regular file (a device, pipe or socket is refused without being
 * opened for a blocking read), at most MAX_INPUT_BYTES, no NUL byte, valid UTF-8. `-` is
 * standard input, read with the same cap.
 */
export function readTextFile(path: string): string {
  if (path === "-") return decodeText(readBounded(0, "standard input"), "standard input");
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw readFailure(path, e);
  }
  if (st.isDirectory()) throw new UsageError(`${path} is a directory; name .cnn files (e.g. ${path.replace(/\/$/, "")}/*.cnn)`);
  if (!st.isFile()) throw new UsageError(`${path} is not a regular file (it is a device, pipe or socket); name a file, or - for standard input`);
  if (st.size > MAX_INPUT_BYTES) throw new UsageError(`${path} is ${st.size} bytes, more than the limit of ${MAX_INPUT_BYTES}; split it into files joined with use`);
  let fd: number | undefined;
  try {
    // O_NONBLOCK: if the file was swapped for a pipe since the stat, opening it does not wait.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) throw new UsageError(`${path} is not a regular file; name a file, or - for standard input`);
    return decodeText(readBounded(fd, path), path);
  } catch (e) {
    throw readFailure(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads a spec named on the command line; `-` is standard input; a `.onnx` file is imported. */
export function readSpec(path: string): string {
  if (path !== "-" && isOnnxPath(path)) {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      throw readFailure(path, e);
    }
    if (st.isFile()) return importedSpec(path);
  }
  return readTextFile(path);
}

/**
 * The real paths of the folders `--allow-imports-from` names, beyond each top spec's own
 * folder tree. Kept on globalThis: the bundle and the commands it loads from dist/src hold
 * separate copies of this module.
 */
const ALLOWED = Symbol.for("convspec.allowImportsFrom");
const store = globalThis as unknown as Record<symbol, readonly string[] | undefined>;
const allowedDirs = (): readonly string[] => store[ALLOWED] ?? [];

/** Sets the folders `--allow-imports-from` names (for every spec the run compiles). */
export function allowImportsFrom(dirs: readonly string[]): void {
  store[ALLOWED] = dirs.map((d) => {
    try {
      if (!statSync(d).isDirectory()) throw new UsageError(`--allow-imports-from ${d}: not a folder`);
      return realpathSync(d);
    } catch (e) {
      if (isUsageError(e)) throw e;
      throw new UsageError(`--allow-imports-from ${d}: no such folder`);
    }
  });
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * The resolver the CLI hands the library for one top spec: reads with readTextFile, and
 * follows links only to files inside the spec's folder or an allowed one (the library has
 * already refused `..` and absolute paths that leave them). Each file's real path is its id,
 * so two names of one file are read once.
 */
export function fileResolverFor(mainPath: string): (path: string) => ResolvedFile | undefined {
  const root = realpathSync(mainPath === "-" ? "." : dirname(mainPath));
  return (path) => {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
      throw new Error(readFailure(path, e).message.replace(/^cannot read [^:]*: /, ""));
    }
    if (!within(real, root) && !allowedDirs().some((d) => within(real, d))) {
      throw new Error(`it leads (through a link) to ${real}, outside ${root}; imports stay in the spec's folder unless --allow-imports-from names another`);
    }
    try {
      return { text: readTextFile(path), id: real };
    } catch (e) {
      // The library reports it at the use line as CS2019 "cannot read ...: <reason>".
      throw new Error(isUsageError(e) ? (e as Error).message.replace(/^cannot read [^:]*: /, "") : (e as Error).message);
    }
  };
}

/** The allowed folders in the form the library sees import paths (relative like the main file's name, or absolute). */
function allowedFor(mainPath: string): string[] {
  const absolute = mainPath.startsWith("/");
  return allowedDirs().map((d) => (absolute ? d : relative(process.cwd(), d) || "."));
}

/**
 * `--allow CODE ...` of this run, kept on globalThis like the import folders: verify and export
 * read it through their own copy of this module (before, `verify --allow CS3012` still warned).
 */
const ALLOWED_CODES = Symbol.for("convspec.allowCodes");

/** `--allow CODE ...` of this run: warning codes every compile silences (a refused code is a usage error). */
export function setAllowed(codes: readonly string[]): void {
  for (const c of codes) {
    const problem = allowProblem(c);
    if (problem) throw new UsageError(`--allow ${c}: ${problem}`);
  }
  store[ALLOWED_CODES] = [...codes];
}

/** The warning codes this run silences. */
export function allowedCodes(): readonly string[] {
  return store[ALLOWED_CODES] ?? [];
}

/** Reads and compiles one spec file. */
export function compileFile(path: string, options: Omit<CompileOptions, "file" | "resolve"> = {}): CompileResult {
  const text = readSpec(path);
  return compileText(path, text, options);
}

/** Compiles a spec already read from `path` (`-` is standard input), with the CLI's import policy. */
export function compileText(path: string, text: string, options: Omit<CompileOptions, "file" | "resolve"> = {}): CompileResult {
  const file = path === "-" ? "<stdin>" : path;
  let id: string | undefined;
  try {
    id = path === "-" ? undefined : realpathSync(path);
  } catch {
    id = undefined;
  }
  return compile({ file, text, ...(id ? { id } : {}) }, { allow: allowedCodes(), allowImportsFrom: allowedFor(path), ...options, file, resolve: fileResolverFor(path) });
}

/**
 * Writes text given in pieces to stdout as it comes, 1 MiB at a time, synchronously (a
 * document longer than V8's longest string never exists whole, and a slow reader makes the
 * writer wait instead of filling memory).
 */
export function writeStdoutChunks(chunks: Iterable<string>): void {
  let pending = "";
  const flush = () => {
    const buf = Buffer.from(pending);
    pending = "";
    for (let at = 0; at < buf.length; ) {
      try {
        at += writeSync(1, buf, at);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // a full pipe: wait 1 ms
      }
    }
  };
  for (const c of chunks) {
    pending += c;
    if (pending.length >= 1 << 20) flush();
  }
  flush();
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
