/**
 * What every command shares: reading spec files (the resolver the library is given),
 * rendering diagnostics, colour decisions and exit codes.
 */
import { readFileSync, statSync } from "node:fs";
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

/** Reads a spec named on the command line; `-` is standard input. */
export function readSpec(path: string): string {
  if (path === "-") {
    try {
      return readFileSync(0, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read standard input: ${(e as Error).message}`);
    }
  }
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file`);
  }
  if (st.isDirectory()) throw new UsageError(`${path} is a directory; name .cnn files (e.g. ${path.replace(/\/$/, "")}/*.cnn)`);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === "EACCES" ? "permission denied" : (e as Error).message}`);
  }
  if (buf.includes(0)) throw new UsageError(`${path} is not a text file (it holds NUL bytes)`);
  return buf.toString("utf8");
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
