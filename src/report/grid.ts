/**
 * Text tables. The `table` package defines the layout (borders, padding, alignment); for the
 * common case — one-line cells of characters one column wide — `grid` draws the same bytes
 * directly, because `table` measures, wraps and re-measures every cell with string-width and
 * slice-ansi (~50–100 ms for ResNet-50's 200-row report, a third of `convspec analyze`'s
 * budget). Anything else (wide or combining characters, line breaks, centring) goes to
 * `table` itself. test/report/grid.test.ts checks the two agree byte for byte.
 */
import { getBorderCharacters, table, type TableUserConfig } from "table";
import { maxOf } from "../util/array.js";

export type Align = "left" | "right";

export interface GridOptions {
  /** "norc" (box drawing) or "void" (no borders). */
  readonly border: "norc" | "void";
  readonly paddingLeft: number;
  readonly paddingRight: number;
  /** Alignment per column (default left). */
  readonly align?: Readonly<Record<number, Align>>;
  /** Whether to draw the horizontal line above row index i (size = number of rows). */
  readonly hline: (i: number, size: number) => boolean;
}

/** Columns separated by two spaces, no borders (verify, parse and diff listings). */
export const PLAIN_GRID: GridOptions = { border: "void", paddingLeft: 0, paddingRight: 2, hline: () => false };

/** The same options in `table`'s terms. */
export function tableConfig(o: GridOptions): TableUserConfig {
  const columns = Object.fromEntries(Object.entries(o.align ?? {}).map(([k, a]) => [k, { alignment: a }]));
  return {
    border: getBorderCharacters(o.border),
    columnDefault: { paddingLeft: o.paddingLeft, paddingRight: o.paddingRight },
    columns,
    drawHorizontalLine: o.hline,
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
/**
 * Characters string-width counts as one column: printable ASCII, Latin-1 and Latin extended
 * (no soft hyphen), Greek, general punctuation, arrows, mathematical operators, box drawing,
 * check marks (✓ ✗).
 */
const NARROW = /^[\u0020-\u007e\u00a0-\u00ac\u00ae-\u024f\u0370-\u03ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2200-\u22ff\u2500-\u257f\u2713\u2717]*$/;

/** Renders rows (the first is usually the header) as `table(rows, tableConfig(o))` would. */
export function grid(rows: readonly (readonly string[])[], o: GridOptions): string {
  const visible = rows.map((r) => r.map((c) => c.replace(ANSI, "")));
  if (rows.length === 0 || !visible.every((r) => r.length === visible[0]!.length && r.every((c) => NARROW.test(c)))) {
    return table(rows as string[][], tableConfig(o));
  }
  const b = getBorderCharacters(o.border);
  const cols = visible[0]!.length;
  const width = Array.from({ length: cols }, (_, a) => maxOf(visible.map((r) => r[a]!.length)));
  const left = " ".repeat(o.paddingLeft), right = " ".repeat(o.paddingRight);
  const rule = (l: string, body: string, join: string, r: string) =>
    l + width.map((w) => body.repeat(w + o.paddingLeft + o.paddingRight)).join(join) + r + "\n";
  const size = rows.length;
  let out = o.hline(0, size) ? rule(b.topLeft, b.topBody, b.topJoin, b.topRight) : "";
  rows.forEach((r, i) => {
    const cells = r.map((c, a) => {
      const pad = " ".repeat(width[a]! - visible[i]![a]!.length);
      return left + (o.align?.[a] === "right" ? pad + c : c + pad) + right;
    });
    out += b.bodyLeft + cells.join(b.bodyJoin) + b.bodyRight + "\n";
    if (i < size - 1 && o.hline(i + 1, size)) out += rule(b.joinLeft, b.joinBody, b.joinJoin, b.joinRight);
  });
  if (o.hline(size, size)) out += rule(b.bottomLeft, b.bottomBody, b.bottomJoin, b.bottomRight);
  return out;
}
