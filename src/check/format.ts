/**
 * Number formatting for check and diff reports: exact integers with thousands separators,
 * bytes with a binary unit beside the exact count, and signed percentages.
 */

/** `25557032n` → `25,557,032`; negative values keep their sign. */
export function groupDigits(v: bigint): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString();
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return neg ? `-${out}` : out;
}

/** `+1,024` / `-3` / `0`: a delta with an explicit sign. */
export function signed(v: bigint): string {
  return v > 0n ? `+${groupDigits(v)}` : groupDigits(v);
}

const BINARY_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** `102760448n` → `98.0 MiB`: one decimal, powers of 1024 (under 1 KiB: `512 B`). */
export function binaryBytes(v: bigint): string {
  const neg = v < 0n;
  let abs = neg ? -v : v;
  if (abs < 1024n) return `${neg ? "-" : ""}${abs} B`;
  let unit = -1;
  let scale = 1n;
  while (unit + 1 < BINARY_UNITS.length && abs >= scale * 1024n) {
    scale *= 1024n;
    unit++;
  }
  // Tenths, rounded half up, in exact integer arithmetic.
  const tenths = (abs * 10n + scale / 2n) / scale;
  abs = tenths;
  return `${neg ? "-" : ""}${abs / 10n}.${abs % 10n} ${BINARY_UNITS[unit]}`;
}

/** The share `part / whole` as a signed percentage with one decimal: `+2.2%`, `-25.0%`. */
export function percent(part: bigint, whole: bigint): string {
  if (whole === 0n) return part === 0n ? "0.0%" : part > 0n ? "+∞%" : "-∞%";
  const neg = (part < 0n) !== (whole < 0n) && part !== 0n;
  const p = part < 0n ? -part : part;
  const w = whole < 0n ? -whole : whole;
  const tenths = (p * 1000n + w / 2n) / w;
  const body = `${tenths / 10n}.${tenths % 10n}%`;
  return neg ? `-${body}` : part === 0n ? body : `+${body}`;
}

/** A quantity for a report: counts grouped, bytes grouped with a binary-unit gloss. */
export function quantity(v: bigint, unit: "count" | "bytes"): string {
  return unit === "bytes" ? `${groupDigits(v)} bytes (${binaryBytes(v)})` : groupDigits(v);
}
