/** Reads src/ as text for the structure tests: files, their relative imports, and who names a family. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const srcDir = join(root, "src");

/** Every .ts file under `dir`, as paths relative to the repository root. */
export function tsFiles(dir: string = srcDir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith(".ts")) out.push(relative(root, p));
  }
  return out.sort();
}

/** Relative imports of a file (value and type imports, re-exports), resolved to repository paths. */
export function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(join(root, file), "utf8");
  const out: { target: string; typeOnly: boolean }[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+["'](\.{1,2}\/[^"']+)\.js["']/gms;
  for (const m of text.matchAll(re)) {
    out.push({ target: relative(root, resolve(dirname(join(root, file)), `${m[3]}.ts`)), typeOnly: m[2] !== undefined });
  }
  return out;
}

/** Import cycles among `files` (each as a list of files), found by depth-first search. */
export function cycles(files: readonly string[]): string[][] {
  return cyclesIn(new Map(files.map((f) => [f, importsOf(f).map((i) => i.target)])));
}

/** Cycles of a graph given as edges by node. */
export function cyclesIn(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 1) found.push(stack.slice(stack.indexOf(t)));
      else if (!state.has(t) && graph.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

/** Files outside `folder` whose text names one of `names` as a string literal or an object key. */
export function filesNaming(names: readonly string[], folder: string): string[] {
  // A string literal "name", or an object key at the start of a line or after `{` / `,`.
  const pats = names.map((n) => new RegExp(`["'\`]${n}["'\`]|(^\\s*|[{,]\\s*)${n}\\s*:`, "m"));
  return tsFiles().filter((f) => !f.startsWith(`${folder}/`) && pats.some((p) => p.test(stripComments(readFileSync(join(root, f), "utf8")))));
}

function stripComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}
