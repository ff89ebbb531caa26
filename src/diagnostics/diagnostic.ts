/**
 * Diagnostics as data: every stage returns them, none throws for a user's mistake.
 * Positions are byte offsets into the file's text; line and column are computed only when
 * a diagnostic is rendered (see render.ts).
 */

/** A half-open range [start, end) of character offsets in one source file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export type Severity = "error" | "warning" | "info";

export interface RelatedInfo {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly hint?: string;
  readonly related?: readonly RelatedInfo[];
}

/** A message-table entry: code, default severity and a template with `{name}` holes. */
export interface MessageDef {
  readonly code: string;
  readonly severity: Severity;
  readonly template: string;
}

export type MessageArgs = Readonly<Record<string, string | number | bigint>>;

/** Fills a message template; a hole without a value is left visible rather than dropped. */
export function formatMessage(template: string, args: MessageArgs): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in args ? String(args[key]) : whole));
}

/** Builds a diagnostic from a message-table entry. */
export function diag(
  def: MessageDef,
  span: Span | undefined,
  args: MessageArgs = {},
  extra: { hint?: string; related?: readonly RelatedInfo[]; severity?: Severity } = {},
): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code: def.code,
    severity: extra.severity ?? def.severity,
    message: formatMessage(def.template, args),
  };
  if (span) d.span = span;
  if (extra.hint) d.hint = extra.hint;
  if (extra.related && extra.related.length > 0) d.related = extra.related;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Every stage's return shape: a value (possibly partial) and what was found on the way. */
export interface Result<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}
