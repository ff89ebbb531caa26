/**
 * Compiles a spec: parses it and the files it imports (read only through the host's
 * resolver), gathers blocks, and expands every model of the main file into the graph IR.
 */
import type * as A from "../ast/nodes.js";
import { diag, hasErrors, type Diagnostic, type RelatedInfo } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { lookupLayer } from "../families/registry.js";
import { ModelExpander } from "./expand.js";
import type { BlockDef } from "./ir.js";
import { allowProblem, withoutAllowed } from "../diagnostics/allow.js";
import { answer, joinPath, loadFiles, reasonOf, resolveWith, type Loaded, type Resolution, type ResolvedFile, type Resolver } from "./load.js";

export { joinPath, type Resolver, type ResolvedFile };
import type { Graph } from "./ir.js";
import { stopCheck, type AbortLike } from "../util/stop.js";

export interface CompileOptions {
  /** The main file's name, used in spans and to resolve `use` paths (default `<input>`). */
  readonly file?: string;
  /** How `use "x.cnn"` reads files. Without one, imports are refused with a diagnostic. */
  readonly resolve?: Resolver;
  /** Most tokens of all files together (default 100,000, CS6009), counted before lexing. */
  readonly maxTokens?: number;
  /** Most files imported (default 256) and characters of all imports together (default 16 MiB): CS6010. */
  readonly maxImportFiles?: number;
  readonly maxImportBytes?: number;
  /**
   * Folders outside the main file's folder that `use` may read, in the form the resolver sees
   * paths (joined to the main file's name). By default an import that climbs out of the main
   * file's folder, or names an absolute path, is refused (CS2045).
   */
  readonly allowImportsFrom?: readonly string[];
  /** Input shapes that replace or supply the declared ones, by input name. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly maxLayers?: number;
  readonly maxDepth?: number;
  readonly maxFileSize?: number;
  /** Deepest bracket nesting (default 64, CS6004) and most chained operators (default 256, CS6008). */
  readonly maxNesting?: number;
  readonly maxOperators?: number;
  readonly maxImportDepth?: number;
  /**
   * Stops a long compile (parsing, import loading, expansion) with a CS6007 diagnostic once the
   * signal aborts. An AbortSignal fits; typed by shape, so the .d.ts needs neither DOM nor Node types.
   */
  readonly signal?: AbortLike;
  /** Milliseconds the compile may take; past them it ends with a CS6007 diagnostic and no models. */
  readonly deadlineMs?: number;
  /**
   * Warning codes silenced everywhere (`--allow`, convspec.json's "allow"), as if every model
   * began with `allow CODE`; error codes are ignored here (the caller refuses them).
   */
  readonly allow?: readonly string[];
}

export interface CompileResult {
  readonly graph: Graph;
  readonly diagnostics: readonly Diagnostic[];
  /** The text of every file read, by name, for rendering diagnostics. */
  readonly sources: ReadonlyMap<string, string>;
}

/** The main file: its name, text and (optionally) identity, e.g. its real path. */
export type MainSource = string | { file: string; text: string; id?: string };

/** A resolver for hosts that fetch files: may return a promise. */
export type AsyncResolver = (path: string) => Promise<string | ResolvedFile | undefined> | string | ResolvedFile | undefined;

export interface AsyncCompileOptions extends Omit<CompileOptions, "resolve"> {
  readonly resolve?: AsyncResolver;
}

function mainOf(source: MainSource, options: { file?: string }): { file: string; text: string; id?: string } {
  return typeof source === "string" ? { file: options.file ?? "<input>", text: source } : source;
}

/** Compiles a spec; files are read only through `options.resolve`. Never throws for a user's mistake. */
export function compile(source: MainSource, options: CompileOptions = {}): CompileResult {
  const main = mainOf(source, options);
  const stop = stopCheck(options);
  const walk = loadFiles(main, options, stop);
  let step = walk.next();
  while (!step.done) step = walk.next(resolveWith(options.resolve, step.value));
  return finish(main, step.value, options, stop);
}

/**
 * `compile` for hosts whose resolver returns promises (a browser fetching files). The same
 * import policy, budgets and stops apply; waiting on the resolver ends at the deadline or
 * when the signal aborts.
 */
export async function compileAsync(source: MainSource, options: AsyncCompileOptions = {}): Promise<CompileResult> {
  const main = mainOf(source, options);
  const stop = stopCheck(options);
  const until = options.deadlineMs === undefined ? Infinity : Date.now() + options.deadlineMs;
  const walk = loadFiles(main, options, stop);
  let step = walk.next();
  while (!step.done) step = walk.next(await resolveAsync(options.resolve, step.value, until, options));
  return finish(main, step.value, options, stop);
}

/** Awaits the host's answer, or stops waiting at the deadline or on abort. */
async function resolveAsync(resolve: AsyncResolver | undefined, path: string, until: number, options: AsyncCompileOptions): Promise<Resolution> {
  if (!resolve) return resolveWith(undefined, path);
  const { signal, deadlineMs } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<Resolution>((done) => {
    if (until !== Infinity) timer = setTimeout(() => done({ reason: "", stopped: `it took longer than its deadline of ${deadlineMs} ms` }), Math.max(0, until - Date.now()));
    if (signal) {
      onAbort = () => done({ reason: "", stopped: "the caller aborted it" });
      if (signal.aborted) onAbort();
      else signal.addEventListener?.("abort", onAbort, { once: true });
    }
  });
  const read = (async (): Promise<Resolution> => {
    try {
      return answer(await resolve(path));
    } catch (e) {
      return { reason: reasonOf(e) };
    }
  })();
  try {
    return await Promise.race([read, stopped]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort) signal?.removeEventListener?.("abort", onAbort);
  }
}

/** Gathers the loaded files' blocks and expands every model of the main file. */
function finish(main: { file: string }, loaded: Loaded, options: Omit<CompileOptions, "resolve">, stop: () => string | undefined): CompileResult {
  const { files, sources, diagnostics } = loaded;
  const allow = (options.allow ?? []).filter((c) => allowProblem(c) === undefined);
  if (loaded.stopped) return { graph: { models: [] }, diagnostics: dedupe(diagnostics), sources };
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
      options.inputShapes ?? {}, diagnostics, (f) => sources.get(f), allow,
    );
    const g = ex.expand();
    // A model with errors is left out of the graph: later stages only see complete models. An
    // error in an assert line alone leaves the model in, with its other asserts.
    if (g && !ex.structuralErrors) models.push(g);
  }
  return { graph: { models }, diagnostics: withoutAllowed(dedupe(diagnostics), allow), sources };
}

/** Most notes a merged diagnostic lists; the calls beyond are counted in one more note. */
const MAX_NOTES = 8;

/**
 * A block expanded many times reports each mistake in it once. Each further call that made the
 * same mistake adds its call notes not already there, the first of them marked "also", up to
 * MAX_NOTES (then one note counts the rest).
 */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const byKey = new Map<string, { d: Diagnostic; related: RelatedInfo[]; keys: Set<string>; more: number; from?: RelatedInfo }>();
  for (const d of ds) {
    const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
    const entry = byKey.get(key);
    if (!entry) {
      byKey.set(key, { d, related: [...(d.related ?? [])], keys: new Set((d.related ?? []).map(noteKey)), more: 0 });
      continue;
    }
    const fresh = (d.related ?? []).filter((r) => !entry.keys.has(noteKey(r)));
    if (fresh.length === 0) continue;
    if (entry.related.length + fresh.length > MAX_NOTES) {
      entry.more++;
      entry.from ??= fresh[fresh.length - 1];
      continue;
    }
    fresh.forEach((r, i) => {
      entry.keys.add(noteKey(r));
      entry.related.push(i === 0 ? { ...r, message: `also ${r.message}` } : r);
    });
  }
  return [...byKey.values()].map(({ d, related, more, from }) => {
    if (related.length === (d.related?.length ?? 0)) return d;
    // The count points at the first call left out (its outermost one).
    const rest = from ? [{ span: from.span, message: `and ${more} more call${more === 1 ? "" : "s"}` }] : [];
    return { ...d, related: [...related, ...rest] };
  });
}

function noteKey(r: RelatedInfo): string {
  return `${r.span.file}|${r.span.start}|${r.span.end}|${r.message}`;
}
