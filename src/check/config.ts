/**
 * convspec.json: budgets per model name or glob, with the command line's option names.
 *
 *   { "budgets": { "resnet50": { "max-params": "26M" }, "vgg*": { "max-macs": "20G" } },
 *     "allow": ["CS3012"] }
 *
 * `allow` silences those warning codes in every spec the file governs, as `--allow` does.
 * Precedence, per option: the command line, then an entry naming the model exactly, then the
 * last glob entry that matches it. Parsing is pure; finding the file is the CLI's job.
 */
import { diag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { didYouMean } from "../util/suggest.js";
import { allowProblem } from "../diagnostics/allow.js";
import { BUDGET_KINDS, parseBudgetValue, type Budget } from "./budgets.js";

/** The file name searched for, walking up from each spec's folder. */
export const CONFIG_NAME = "convspec.json";

/** One `"pattern": { budgets }` entry. */
export interface ConfigEntry {
  readonly pattern: string;
  readonly budgets: readonly Budget[];
}

export interface CheckConfig {
  readonly file: string;
  readonly entries: readonly ConfigEntry[];
  /** Warning codes silenced in every spec the file governs. */
  readonly allow: readonly string[];
}

const TOP_KEYS = ["budgets", "allow", "$schema"];

/** Where a JSON key first appears at or after `from` (for pointing diagnostics at it). */
function keySpan(file: string, text: string, key: string, from = 0): Span {
  const at = text.indexOf(JSON.stringify(key), from);
  return at < 0 ? { file, start: 0, end: 0 } : { file, start: at, end: at + key.length + 2 };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a convspec.json's text; errors come back as diagnostics, never thrown. */
export function parseConfig(file: string, text: string): { value?: CheckConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const whole: Span = { file, start: 0, end: 0 };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    diagnostics.push(diag(messages.configSyntax, whole, { file, reason: (e as Error).message }));
    return { diagnostics };
  }
  if (!isObject(json)) {
    diagnostics.push(diag(messages.configShape, whole, { file, reason: "the top level must be an object" }, { hint: '{ "budgets": { "MODEL-OR-GLOB": { "max-params": "25M" } } }' }));
    return { diagnostics };
  }
  for (const k of Object.keys(json)) {
    if (!TOP_KEYS.includes(k)) diagnostics.push(diag(messages.configShape, keySpan(file, text, k), { file, reason: `unknown key "${k}"` }, { hint: didYouMean(k, TOP_KEYS) ?? 'budgets go under "budgets"' }));
  }
  const budgets = json.budgets ?? {};
  if (!isObject(budgets)) {
    diagnostics.push(diag(messages.configShape, keySpan(file, text, "budgets"), { file, reason: '"budgets" must be an object of model names or globs' }));
    return { diagnostics };
  }
  const entries: ConfigEntry[] = [];
  for (const [pattern, body] of Object.entries(budgets)) {
    const at = keySpan(file, text, pattern);
    if (!isObject(body)) {
      diagnostics.push(diag(messages.configShape, at, { file, reason: `the budgets for "${pattern}" must be an object` }));
      continue;
    }
    entries.push({ pattern, budgets: entryBudgets(file, text, pattern, body, at.start, diagnostics) });
  }
  return { value: { file, entries, allow: allowList(file, text, json.allow, diagnostics) }, diagnostics };
}

/** The `"allow"` list: warning codes; anything else is a CS5002 diagnostic. */
function allowList(file: string, text: string, raw: unknown, diagnostics: Diagnostic[]): string[] {
  if (raw === undefined) return [];
  const at = keySpan(file, text, "allow");
  if (!Array.isArray(raw) || raw.some((c) => typeof c !== "string")) {
    diagnostics.push(diag(messages.configShape, at, { file, reason: '"allow" must be a list of warning codes' }, { hint: '"allow": ["CS3012"]' }));
    return [];
  }
  const out: string[] = [];
  for (const code of raw as string[]) {
    const problem = allowProblem(code);
    if (problem) diagnostics.push(diag(messages.configShape, keySpan(file, text, code, at.start), { file, reason: `"allow": ${code}: ${problem}` }));
    else out.push(code);
  }
  return out;
}

function entryBudgets(file: string, text: string, pattern: string, body: Record<string, unknown>, from: number, diagnostics: Diagnostic[]): Budget[] {
  const out: Budget[] = [];
  for (const [name, raw] of Object.entries(body)) {
    const span = keySpan(file, text, name, from);
    const kind = BUDGET_KINDS.find((k) => k.option === name.replace(/^--/, ""));
    if (!kind) {
      diagnostics.push(diag(messages.configUnknownBudget, span, { file, name, pattern }, { hint: didYouMean(name, BUDGET_KINDS.map((k) => k.option)) ?? `one of ${BUDGET_KINDS.map((k) => k.option).join(", ")}` }));
      continue;
    }
    if (typeof raw !== "string" && typeof raw !== "number") {
      diagnostics.push(diag(messages.configBadValue, span, { file, name, pattern, value: JSON.stringify(raw), reason: 'write a number or a string such as "25M" or "512MiB"' }));
      continue;
    }
    const v = parseBudgetValue(raw);
    if (v.value === undefined) {
      diagnostics.push(diag(messages.configBadValue, span, { file, name, pattern, value: JSON.stringify(raw), reason: v.error ?? "not a number" }));
      continue;
    }
    out.push({ kind, limit: v.value, text: String(raw), source: `${file} (${pattern})`, span });
  }
  return out;
}

/** Whether a glob (`*` any run of characters, `?` one character) matches a whole name. */
export function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}

/** The budgets that apply to a model: command line over exact-name entries over the last matching glob. */
export function budgetsFor(model: string, config: CheckConfig | undefined, cli: readonly Budget[]): Budget[] {
  const chosen = new Map<string, Budget>();
  const entries = config?.entries ?? [];
  const globs = entries.filter((e) => e.pattern !== model && globMatch(e.pattern, model));
  const exact = entries.filter((e) => e.pattern === model);
  for (const e of [...globs, ...exact]) for (const b of e.budgets) chosen.set(b.kind.option, b);
  for (const b of cli) chosen.set(b.kind.option, b);
  // Report in the table's order, not in the order they were set.
  return BUDGET_KINDS.flatMap((k) => {
    const b = chosen.get(k.option);
    return b ? [b] : [];
  });
}
