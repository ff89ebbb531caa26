/**
 * Compiles a spec: parses it and the files it imports (read only through the host's
 * resolver), gathers blocks, and expands every model of the main file into the graph IR.
 */
import type * as A from "../ast/nodes.js";
import { parseText } from "../ast/build.js";
import { diag, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { lookupLayer } from "../layers/registry.js";
import { ModelExpander, type BlockDef } from "./expand.js";
import type { Graph } from "./ir.js";
import { pushAll } from "../util/array.js";

/** Reads an imported file's text by its path; throws (or returns undefined) when it cannot. */
export type Resolver = (path: string) => string | undefined;

export interface CompileOptions {
  /** The main file's name, used in spans and to resolve `use` paths (default `<input>`). */
  readonly file?: string;
  /** How `use "x.cnn"` reads files. Without one, imports are refused with a diagnostic. */
  readonly resolve?: Resolver;
  /** Input shapes that replace or supply the declared ones, by input name. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly maxLayers?: number;
  readonly maxDepth?: number;
  readonly maxFileSize?: number;
  /** Deepest bracket nesting (default 64, CS6004) and most chained operators (default 256, CS6008). */
  readonly maxNesting?: number;
  readonly maxOperators?: number;
  readonly maxImportDepth?: number;
  /** Stops a long compile: expansion ends with a CS6007 diagnostic once the signal aborts. */
  readonly signal?: AbortSignal;
  /** Milliseconds the compile may take; past them expansion ends with a CS6007 diagnostic. */
  readonly deadlineMs?: number;
}

/** Why a compile should stop now (the signal aborted, the deadline passed), or undefined. */
function stopCheck(options: CompileOptions): () => string | undefined {
  const { signal, deadlineMs } = options;
  const until = deadlineMs === undefined ? Infinity : Date.now() + deadlineMs;
  return () => {
    if (signal?.aborted) return "the caller aborted it";
    if (Date.now() > until) return `it took longer than its deadline of ${deadlineMs} ms`;
    return undefined;
  };
}

export interface CompileResult {
  readonly graph: Graph;
  readonly diagnostics: readonly Diagnostic[];
  /** The text of every file read, by name, for rendering diagnostics. */
  readonly sources: ReadonlyMap<string, string>;
}

/** `a/b/c.cnn` + `../d.cnn` → `a/d.cnn`, POSIX-style, without Node's path module. */
export function joinPath(from: string, rel: string): string {
  if (rel.startsWith("/")) return normalize(rel);
  const dir = from.includes("/") ? from.slice(0, from.lastIndexOf("/") + 1) : "";
  return normalize(dir + rel);
}

function normalize(p: string): string {
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (part !== ".." || !abs) out.push(part);
  }
  return (abs ? "/" : "") + out.join("/");
}

export function compile(source: string | { file: string; text: string }, options: CompileOptions = {}): CompileResult {
  const main = typeof source === "string" ? { file: options.file ?? "<input>", text: source } : source;
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>([[main.file, main.text]]);
  const files = new Map<string, A.SpecFile>();
  const maxImportDepth = options.maxImportDepth ?? 32;
  const stop = stopCheck(options);

  const load = (file: string, text: string, chain: string[]): void => {
    const parsed = parseText(text, { file, maxFileSize: options.maxFileSize, maxNesting: options.maxNesting, maxOperators: options.maxOperators });
    pushAll(diagnostics, parsed.diagnostics);
    files.set(file, parsed.value);
    for (const u of parsed.value.uses) {
      const path = joinPath(file, u.path);
      if (chain.includes(path)) {
        diagnostics.push(diag(messages.circularImport, u.span, { cycle: [...chain.slice(chain.indexOf(path)), path].join(" → ") }, { hint: "move the blocks both files need into a third file that each one uses" }));
        continue;
      }
      if (files.has(path)) continue;
      if (chain.length >= maxImportDepth) {
        diagnostics.push(diag(messages.importTooDeep, u.span, { limit: maxImportDepth }, { hint: "use the deepest files directly from the main one, or raise the maxImportDepth option" }));
        continue;
      }
      const { text: imported, reason } = resolveImport(options.resolve, path);
      if (imported === undefined) {
        diagnostics.push(diag(messages.importNotFound, u.span, { path, reason }, { hint: "paths are relative to the importing file" }));
        continue;
      }
      sources.set(path, imported);
      load(path, imported, [...chain, path]);
    }
  };
  load(main.file, main.text, [main.file]);

  const blocks = new Map<string, BlockDef>();
  for (const [file, f] of files) {
    for (const b of f.blocks) {
      const prev = blocks.get(b.name);
      if (lookupLayer(b.name)) diagnostics.push(diag(messages.blockShadowsLayer, b.nameSpan, { name: b.name }, { hint: `rename it, e.g. ${b.name}_block` }));
      else if (prev) diagnostics.push(diag(messages.duplicateBlock, b.nameSpan, { name: b.name }, { related: [{ span: prev.decl.nameSpan, message: "first defined here" }] }));
      else blocks.set(b.name, { decl: b, file });
      const seen = new Map<string, A.Param>();
      for (const p of b.params) {
        const first = seen.get(p.name);
        if (first) diagnostics.push(diag(messages.duplicateParam, p.span, { block: b.name, name: p.name }, { related: [{ span: first.span, message: "first declared here" }] }));
        else seen.set(p.name, p);
      }
    }
  }

  // Expansion of a file with syntax errors would only report their echoes.
  if (hasErrors(diagnostics)) return { graph: { models: [] }, diagnostics: dedupe(diagnostics), sources };

  const models = [];
  const seenModels = new Map<string, A.ModelDecl>();
  const mainFile = files.get(main.file)!;
  if (mainFile.models.length === 0) {
    const hint = mainFile.blocks.length > 0 ? "a file of blocks is meant for `use`; add a model to compile it on its own" : "a spec declares model NAME { input ...; output ... }";
    diagnostics.push(diag(messages.noModel, { file: main.file, start: 0, end: 0 }, { file: main.file }, { hint }));
  }
  for (const m of mainFile.models) {
    if (diagnostics.some((d) => d.code === messages.stopped.code)) break;
    const prev = seenModels.get(m.name);
    if (prev) {
      diagnostics.push(diag(messages.duplicateModel, m.nameSpan, { name: m.name }, { related: [{ span: prev.nameSpan, message: "first defined here" }] }));
      continue;
    }
    seenModels.set(m.name, m);
    const ex = new ModelExpander(
      m, blocks,
      { maxLayers: options.maxLayers ?? 1_000_000, maxDepth: options.maxDepth ?? 64, stop },
      options.inputShapes ?? {}, diagnostics, (f) => sources.get(f),
    );
    const before = diagnostics.filter((d) => d.severity === "error").length;
    const g = ex.expand();
    // A model with errors is left out of the graph: later stages only see complete models.
    if (g && diagnostics.filter((d) => d.severity === "error").length === before) models.push(g);
  }
  return { graph: { models }, diagnostics: dedupe(diagnostics), sources };
}

/** Asks the host's resolver for a file; whatever it throws or returns, the answer is data. */
function resolveImport(resolve: Resolver | undefined, path: string): { text?: string; reason: string } {
  if (!resolve) return { reason: "imports need a resolver (none was given)" };
  let got: unknown;
  try {
    got = resolve(path);
  } catch (e) {
    let reason = "the resolver failed";
    try {
      reason = e instanceof Error ? e.message : String(e);
    } catch {
      // an exception whose message cannot be read: keep the generic reason
    }
    return { reason };
  }
  if (typeof got === "string") return { text: got, reason: "" };
  return { reason: got === undefined || got === null ? "no such file" : `the resolver returned ${typeof got}, not text` };
}

/** A block expanded many times reports each mistake in it once. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
