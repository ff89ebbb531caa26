/**
 * `allow CS3012` in a model or block, `--allow CODE` on the command line and `"allow"` in
 * convspec.json: warnings (and notes) with an allowed code are dropped. Errors cannot be
 * allowed: the table's severity decides, so a warning that --strict raised to an error is
 * still a warning to allow.
 */
import type { Diagnostic, MessageDef } from "./diagnostic.js";
import { messages } from "./messages.js";

const byCode = new Map<string, MessageDef>(Object.values(messages).map((m) => [m.code, m]));

/** Every code of the message table. */
export function allCodes(): string[] {
  return [...byCode.keys()];
}

/** Why `code` cannot be allowed (unknown, or an error), or undefined when it can. */
export function allowProblem(code: string): string | undefined {
  const def = byCode.get(code);
  if (!def) return "no diagnostic has this code";
  if (def.severity === "error") return `${code} is an error, and errors cannot be allowed (only warnings and notes)`;
  return undefined;
}

/** True when `d` is a warning or note whose code is in `allowed`. */
export function isAllowed(d: Diagnostic, allowed: Iterable<string>): boolean {
  const set = allowed instanceof Set ? (allowed as ReadonlySet<string>) : new Set(allowed);
  return set.has(d.code) && byCode.get(d.code)?.severity !== "error";
}

/** The diagnostics without the allowed warnings and notes. */
export function withoutAllowed(diags: readonly Diagnostic[], allowed: readonly string[]): Diagnostic[] {
  if (allowed.length === 0) return [...diags];
  const set = new Set(allowed);
  return diags.filter((d) => !isAllowed(d, set));
}
