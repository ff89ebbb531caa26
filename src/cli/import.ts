/**
 * `convspec import MODEL.onnx [-o MODEL.cnn] [--force]`: writes the ConvSpec text of an ONNX
 * model (to standard output without -o). Never writes over its input, and over an existing
 * file only with --force.
 */
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import * as importer from "../onnx/import/import.js";
import { EXIT, exitFor, printDiagnostics, readOnnxFile, UsageError } from "./io.js";

export interface ImportCommandOptions {
  readonly output?: string;
  readonly force?: boolean;
  readonly model?: string;
}

function same(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** Runs the command; returns the exit code. */
export function runImport(file: string, opts: ImportCommandOptions): number {
  let bytes: Uint8Array;
  try {
    bytes = readOnnxFile(file, importer);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message}`);
  }
  const out = opts.output;
  if (out !== undefined) {
    if (same(out, file)) throw new UsageError(`-o ${out} is the input file; name another file`);
    if (!/\.cnn$/i.test(out)) throw new UsageError(`-o ${out}: the spec file should end in .cnn`);
    if (existsSync(out) && !opts.force) throw new UsageError(`${out} exists; add --force to replace it`);
  }
  const r = importer.importOnnx(bytes, { file, ...(opts.model ? { modelName: opts.model } : {}) });
  printDiagnostics(r.diagnostics, new Map());
  if (r.text === "") return EXIT.specError;
  if (out === undefined) process.stdout.write(r.text);
  else {
    writeFileSync(out, r.text);
    const m = r.graph.models[0];
    process.stderr.write(`wrote ${out}: model ${m?.name ?? "?"}, ${r.text.split("\n").length - 1} lines\n`);
  }
  return exitFor(r.diagnostics);
}
