/**
 * `convspec check FILE|DIR|GLOB...`: every spec's `assert` lines plus budgets from the command
 * line and from the nearest convspec.json, reported as text, JSON, JUnit XML or GitHub
 * workflow commands. Exit 0 all hold, 1 a check fails, 2 a spec or the call is invalid.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { analyze } from "../analysis/analyze.js";
import type { DType, Optimizer } from "../analysis/types.js";
import { BUDGET_KINDS, parseBudgetValue, type Budget } from "../check/budgets.js";
import { budgetsFor, CONFIG_NAME, parseConfig, type CheckConfig } from "../check/config.js";
import { assertResults, budgetResults, diagnosticResults, summarize, type CheckResult } from "../check/evaluate.js";
import { formatGithub, formatJson, formatJunit, formatText, type CheckFormat } from "../check/report.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { allowedCodes, compileFile, printDiagnostics, readTextFile, UsageError, useColor } from "./io.js";
import { parseBatch } from "./options.js";
import { pushAll } from "../util/array.js";

export interface CheckCommandOptions {
  readonly format?: CheckFormat;
  readonly strict?: boolean;
  readonly batch?: string;
  readonly dtype?: DType;
  readonly optimizer?: Optimizer;
  /** A convspec.json to use instead of searching; `false` (--no-config) uses none. */
  readonly config?: string | false;
  /** Budget options by commander's camel-case name (`maxParams: "25M"`). */
  readonly [budget: string]: unknown;
}

/** Budgets given as options, validated; a bad value is a usage error. */
export function cliBudgets(opts: CheckCommandOptions): Budget[] {
  const out: Budget[] = [];
  for (const kind of BUDGET_KINDS) {
    const key = kind.option.replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase());
    const raw = opts[key];
    if (raw === undefined) continue;
    const v = parseBudgetValue(String(raw));
    if (v.value === undefined) throw new UsageError(`--${kind.option} ${String(raw)}: ${v.error ?? "not a number"} (e.g. 25M, 4G, 512MiB)`);
    out.push({ kind, limit: v.value, text: String(raw), source: "command line" });
  }
  return out;
}

const GLOB_CHARS = /[*?[]/;

/** `specs/**\/*.cnn` → a RegExp over `/`-separated paths. */
function globRegex(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*" && pattern[i + 1] === "*") {
      re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Every .cnn file under a folder, sorted, skipping hidden folders and node_modules. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) pushAll(out, walk(p));
    else if (e.name.endsWith(".cnn")) out.push(p);
  }
  return out;
}

/** Expands the command line's FILE|DIR|GLOB arguments; `named` marks files given by name. */
export function expandSpecs(args: readonly string[]): { file: string; named: boolean }[] {
  const out: { file: string; named: boolean }[] = [];
  for (const arg of args) {
    if (arg === "-" || (existsSync(arg) && !statSync(arg).isDirectory())) out.push({ file: arg, named: true });
    else if (existsSync(arg) && statSync(arg).isDirectory()) {
      const found = walk(arg);
      if (found.length === 0) throw new UsageError(`${arg} holds no .cnn files`);
      pushAll(out, found.map((file) => ({ file, named: false })));
    } else if (GLOB_CHARS.test(arg)) {
      const parts = arg.split("/");
      const literal = parts.findIndex((p) => GLOB_CHARS.test(p));
      const base = parts.slice(0, literal).join("/") || ".";
      const re = globRegex(arg.replace(/^\.\//, ""));
      const found = existsSync(base) ? walk(base).filter((f) => re.test(f.replace(/^\.\//, ""))) : [];
      if (found.length === 0) throw new UsageError(`no spec matches ${arg}`);
      pushAll(out, found.map((file) => ({ file, named: false })));
    } else throw new UsageError(`cannot read ${arg}: no such file`);
  }
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.file) && seen.add(s.file));
}

/** Finds and parses the convspec.json nearest a spec, caching per folder. */
class ConfigFinder {
  private readonly byDir = new Map<string, CheckConfig | undefined>();
  readonly diagnostics: Diagnostic[] = [];
  readonly sources = new Map<string, string>();

  constructor(private readonly explicit: string | false | undefined) {}

  /** The config that governs `spec` (undefined when there is none). */
  find(spec: string): CheckConfig | undefined {
    if (this.explicit === false) return undefined;
    if (typeof this.explicit === "string") return this.load(this.explicit);
    let dir = resolve(spec === "-" ? "." : dirname(spec));
    const visited: string[] = [];
    for (;;) {
      if (this.byDir.has(dir)) break;
      visited.push(dir);
      const candidate = join(dir, CONFIG_NAME);
      if (existsSync(candidate)) {
        this.byDir.set(dir, this.load(candidate));
        break;
      }
      const up = dirname(dir);
      if (up === dir) {
        this.byDir.set(dir, undefined);
        break;
      }
      dir = up;
    }
    const found = this.byDir.get(dir);
    for (const d of visited) this.byDir.set(d, found);
    return found;
  }

  private readonly loaded = new Map<string, CheckConfig | undefined>();

  private load(path: string): CheckConfig | undefined {
    const shown = relative(process.cwd(), path) || path;
    if (this.loaded.has(shown)) return this.loaded.get(shown);
    // The same policy as specs: a regular file, at most 4 MiB, UTF-8 (a link to /dev/zero is refused).
    const text = readTextFile(path);
    this.sources.set(shown, text);
    const r = parseConfig(shown, text);
    pushAll(this.diagnostics, r.diagnostics);
    const value = r.diagnostics.some((d) => d.severity === "error") ? undefined : r.value;
    this.loaded.set(shown, value);
    return value;
  }
}

/** Runs `convspec check`; returns the exit code. */
export function runCheck(args: readonly string[], opts: CheckCommandOptions): number {
  const format: CheckFormat = opts.format ?? "text";
  const budgets = cliBudgets(opts);
  const batch = parseBatch(opts.batch);
  const specs = expandSpecs(args);
  const configs = new ConfigFinder(opts.config);
  const strict = opts.strict === true;
  const results: CheckResult[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const lookup = (f: string) => sources.get(f) ?? configs.sources.get(f);

  for (const { file, named } of specs) {
    const config = configs.find(file);
    const c = compileFile(file, { allow: [...allowedCodes(), ...(config?.allow ?? [])] });
    for (const [k, v] of c.sources) sources.set(k, v);
    // A folder or glob may hold files of shared blocks: they define no model and that is fine.
    const compiled = named ? c.diagnostics : c.diagnostics.filter((d) => d.code !== "CS2039");
    const a = analyze(c.graph, { batch, dtype: opts.dtype, optimizer: opts.optimizer, sources: lookup });
    // A failed assert is a check result of its own, not a sign of an invalid spec.
    const ds = [...compiled, ...a.diagnostics.filter((d) => d.code !== messages.assertFailed.code)];
    pushAll(diagnostics, ds);
    pushAll(results, diagnosticResults(ds, file, strict, lookup));
    // The graph holds only complete models: their asserts and budgets are checked even when
    // another part of the file (another model, one bad assert line) has errors.
    if (a.diagnostics.some((d) => d.severity === "error" && d.code !== messages.assertFailed.code)) continue;
    for (const m of a.models) {
      pushAll(results, assertResults(m, lookup));
      pushAll(results, budgetResults(m, budgetsFor(m.name, config, budgets), lookup));
    }
  }
  pushAll(diagnostics, configs.diagnostics);
  pushAll(results, configs.diagnostics.flatMap((d) => diagnosticResults([d], d.span?.file ?? CONFIG_NAME, strict, lookup)));

  const report = summarize(results, diagnostics);
  printDiagnostics(diagnostics, new Map([...sources, ...configs.sources]));
  const out =
    format === "json" ? formatJson(report, lookup)
    : format === "junit" ? formatJunit(report)
    : format === "github" ? formatGithub(report, lookup)
    : formatText(report, { color: useColor(process.stdout) });
  process.stdout.write(out + "\n");
  return report.exitCode;
}
