/** Parsing of option values shared by the commands: one rule and one message each. */
import { UsageError } from "./io.js";

/** `--flag N`: a whole number ≥ min, or undefined when the option is absent. */
export function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be a whole number ≥ ${min}, got "${text}"`);
  }
  return Number(text);
}

/** `--flag WORD` from a fixed list, or undefined when absent. */
export function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got "${text}"`);
  return text as T;
}

/** `--batch N`: a whole number ≥ 1 (default 1). */
export function parseBatch(text: string | undefined): number {
  return wholeNumber("--batch", text, 1) ?? 1;
}
