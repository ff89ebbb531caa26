/**
 * Reads the main spec and the files it imports with `use`, under one policy for sync and
 * async hosts: imports stay inside the main spec's folder unless a folder is allowed, a file
 * reached by two names (links) is read once, and the files, characters and tokens read are
 * budgeted, so neither `use "/proc/self/environ"` nor two links to `.` can do harm.
 *
 * The walk is a generator that yields each path it needs and is resumed with the host's
 * answer: `compile` answers synchronously, `compileAsync` awaits a promise, and both share
 * every rule here.
 */
import type * as A from "../ast/nodes.js";
import { parseText, MAX_TOKENS, TOKENS_HINT } from "../ast/build.js";
import { countTokens } from "../ast/count.js";
import { diag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { pushAll } from "../util/array.js";

/** A file a resolver found: its text, and optionally its identity (e.g. its real path). */
export interface ResolvedFile {
  readonly text: string;
  /** Two paths with one id are one file: read once, and a cycle through a link is a cycle. */
  readonly id?: string;
}

/**
 * Imported files parsed lately, by name, limits and text: an editor compiles the same
 * imports on every keystroke, and their syntax trees (read-only) and diagnostics serve
 * again as they are. Fewer allocations per compile, so fewer garbage collections.
 */
const importCache = new Map<string, ReturnType<typeof parseText>>();
const IMPORT_CACHE_SIZE = 32;
function remember(key: string, parsed: ReturnType<typeof parseText>): void {
  importCache.delete(key);
  importCache.set(key, parsed); // newest last
  if (importCache.size > IMPORT_CACHE_SIZE) importCache.delete(importCache.keys().next().value!);
}

/** Reads an imported file by its path; throws (or returns undefined) when it cannot. */
export type Resolver = (path: string) => string | ResolvedFile | undefined;

/** The host's answer for one path, as data. */
export interface Resolution {
  readonly text?: string;
  readonly id?: string;
  readonly reason: string;
  /** Why the wait for the host ended early (the signal aborted, the deadline passed). */
  readonly stopped?: string;
}

export interface LoadOptions {
  readonly maxFileSize?: number;
  readonly maxNesting?: number;
  readonly maxOperators?: number;
  /** Tokens in the main file and all its imports together (default 100,000; CS6009). */
  readonly maxTokens?: number;
  readonly maxImportDepth?: number;
  /** Most files imported, directly or not (default 256; CS6010). */
  readonly maxImportFiles?: number;
  /** Most characters of all imported files together (default 16 MiB; CS6010). */
  readonly maxImportBytes?: number;
  /**
   * Folders outside the main spec's folder that imports may read, written as the resolver
   * sees paths (relative to the same place as the main file's name, or absolute).
   */
  readonly allowImportsFrom?: readonly string[];
}

export interface Loaded {
  readonly files: Map<string, A.SpecFile>;
  readonly sources: Map<string, string>;
  readonly diagnostics: Diagnostic[];
  /** Set when the signal or deadline stopped the load. */
  stopped: boolean;
}

const OUTSIDE_HINT = "imports stay inside the main spec's folder; move the file there, or allow its folder (convspec --allow-imports-from DIR, or the allowImportsFrom option)";

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

/** The folder of a file's name, normalized (`""` for the current folder). */
function folderOf(file: string): string {
  return file.includes("/") ? normalize(file.slice(0, file.lastIndexOf("/"))) || (file.startsWith("/") ? "/" : "") : "";
}

/** Whether a normalized path lies inside a normalized folder (`""` is the current folder). */
export function inside(path: string, folder: string): boolean {
  if (folder === "") return !path.startsWith("/") && path !== ".." && !path.startsWith("../");
  if (folder === "/") return path.startsWith("/");
  return path.startsWith(folder + "/");
}

/** Asks the host's resolver for a file; whatever it throws or returns, the answer is data. */
export function resolveWith(resolve: Resolver | undefined, path: string): Resolution {
  if (!resolve) return { reason: "imports need a resolver (none was given)" };
  try {
    return answer(resolve(path));
  } catch (e) {
    return { reason: reasonOf(e) };
  }
}

/** A resolver's return value (awaited, for async hosts) as a Resolution. */
export function answer(got: unknown): Resolution {
  if (typeof got === "string") return { text: got, reason: "" };
  if (typeof got === "object" && got !== null && typeof (got as ResolvedFile).text === "string") {
    const id = (got as ResolvedFile).id;
    return { text: (got as ResolvedFile).text, reason: "", ...(typeof id === "string" ? { id } : {}) };
  }
  return { reason: got === undefined || got === null ? "no such file" : `the resolver returned ${typeof got}, not text` };
}

/** The message of anything thrown, even an object whose `toString` throws. */
export function reasonOf(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "the resolver failed";
  }
}

interface Link {
  readonly path: string;
  readonly id: string;
}

/**
 * Loads the main file and, depth first, every file it imports. Yields each import path to
 * read and expects the host's Resolution back; `stop` is polled before every read.
 */
export function* loadFiles(
  main: { file: string; text: string; id?: string },
  options: LoadOptions,
  stop: () => string | undefined,
): Generator<string, Loaded, Resolution> {
  const out: Loaded = { files: new Map(), sources: new Map([[main.file, main.text]]), diagnostics: [], stopped: false };
  const root = folderOf(main.file);
  const allowed = (options.allowImportsFrom ?? []).map(normalize);
  const maxDepth = options.maxImportDepth ?? 32;
  const maxFiles = options.maxImportFiles ?? 256;
  const maxBytes = options.maxImportBytes ?? 16 * 1024 * 1024;
  let tokensLeft = options.maxTokens ?? MAX_TOKENS;
  const ids = new Map<string, string>([[main.id ?? main.file, main.file]]);
  let files = 0;
  let bytes = 0;
  const d = out.diagnostics;

  const parse = (file: string, text: string, first: boolean): void => {
    const n = countTokens(text, tokensLeft);
    if (n > tokensLeft) {
      const limit = options.maxTokens ?? MAX_TOKENS;
      d.push(diag(messages.tooManyTokens, { file, start: 0, end: 0 }, { file, limit, scope: first ? "" : " together with the files read before it" }, { hint: TOKENS_HINT }));
      out.files.set(file, { kind: "file", file, uses: [], blocks: [], models: [], span: { file, start: 0, end: 0 } });
      return;
    }
    tokensLeft -= n;
    const key = first ? undefined : `${file}\0${options.maxFileSize}\0${options.maxNesting}\0${options.maxOperators}\0${n}\0${text}`;
    const parsed = (key === undefined ? undefined : importCache.get(key)) ?? parseText(text, { file, maxFileSize: options.maxFileSize, maxNesting: options.maxNesting, maxOperators: options.maxOperators, maxTokens: n, stop });
    pushAll(d, parsed.diagnostics);
    const stopped = parsed.diagnostics.some((x) => x.code === messages.stopped.code);
    if (stopped) out.stopped = true;
    else if (key !== undefined) remember(key, parsed);
    out.files.set(file, parsed.value);
  };

  function* walk(file: string, chain: readonly Link[]): Generator<string, void, Resolution> {
    for (const u of out.files.get(file)!.uses) {
      if (out.stopped) return;
      const reason = stop();
      if (reason !== undefined) {
        d.push(diag(messages.stopped, u.span, { reason }, { hint: "give it more time, or simplify the spec" }));
        out.stopped = true;
        return;
      }
      const path = joinPath(file, u.path);
      if (!inside(path, root) && !allowed.some((a) => inside(path, a) || path === a)) {
        d.push(diag(messages.importOutside, u.span, { path: u.path, root: root === "" ? "the current folder" : root }, { hint: OUTSIDE_HINT }));
        continue;
      }
      const cycleAt = chain.findIndex((l) => l.path === path);
      if (cycleAt !== -1) {
        d.push(cycle(u.span, chain, cycleAt, path));
        continue;
      }
      if (out.files.has(path)) continue;
      if (chain.length >= maxDepth) {
        d.push(diag(messages.importTooDeep, u.span, { limit: maxDepth }, { hint: "use the deepest files directly from the main one, or raise the maxImportDepth option" }));
        continue;
      }
      if (files >= maxFiles) {
        d.push(diag(messages.importBudget, u.span, { path: u.path, limit: maxFiles, what: "files" }, { hint: "import fewer files, or raise the maxImportFiles option" }));
        continue;
      }
      const r: Resolution = yield path;
      if (r.stopped !== undefined) {
        d.push(diag(messages.stopped, u.span, { reason: r.stopped }, { hint: "give it more time, or simplify the spec" }));
        out.stopped = true;
        return;
      }
      if (r.text === undefined) {
        d.push(diag(messages.importNotFound, u.span, { path, reason: r.reason }, { hint: "paths are relative to the importing file" }));
        continue;
      }
      const id = r.id ?? path;
      const linkedAt = chain.findIndex((l) => l.id === id);
      if (linkedAt !== -1) {
        d.push(cycle(u.span, chain, linkedAt, path));
        continue;
      }
      // The same file under another name (a link): its blocks are already known.
      if (ids.has(id)) continue;
      if (bytes + r.text.length > maxBytes) {
        d.push(diag(messages.importBudget, u.span, { path: u.path, limit: maxBytes, what: "characters" }, { hint: "import less, or raise the maxImportBytes option" }));
        continue;
      }
      files++;
      bytes += r.text.length;
      ids.set(id, path);
      out.sources.set(path, r.text);
      parse(path, r.text, false);
      yield* walk(path, [...chain, { path, id }]);
    }
  }

  parse(main.file, main.text, true);
  if (!out.stopped) yield* walk(main.file, [{ path: main.file, id: main.id ?? main.file }]);
  return out;
}

function cycle(span: Span, chain: readonly Link[], at: number, path: string): Diagnostic {
  const names = chain.slice(at).map((l) => l.path);
  // Closed through a link: say which file the other name stands for.
  names.push(path === chain[at]!.path ? path : `${path} (${chain[at]!.path} by another name)`);
  return diag(messages.circularImport, span, { cycle: names.join(" → ") }, { hint: "move the blocks both files need into a third file that each one uses" });
}
