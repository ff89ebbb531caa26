/**
 * Number formatting for every report (no Intl: loading ICU data costs ~10 ms at startup):
 * exact integers with thousands separators, bytes in binary units (KiB = 1024 B, never "MB"),
 * signed deltas and percentages, all in exact integer arithmetic.
 */

/** 61706n → "61,706"; -1234 → "-1,234"; non-integers are printed as they are. */
export function groupDigits(n: bigint | number): string {
  if (typeof n === "number" && !Number.isInteger(n)) return String(n);
  const s = (typeof n === "bigint" ? n : BigInt(n)).toString();
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  // Groups of three from the right (a loop: the lookahead regexp was a tenth of a warm
  // playground analysis, which formats every row's numbers).
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return neg ? `-${out}` : out;
}

/** `+1,024` / `-3` / `0`: a delta with an explicit sign. */
export function signed(v: bigint): string {
  return v > 0n ? `+${groupDigits(v)}` : groupDigits(v);
}

const BINARY_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * Bytes in the largest binary unit not above the value, with `decimals` digits rounded half up:
 * `binaryBytes(93_782_016n, 2)` → "89.44 MiB", `binaryBytes(102_760_448n, 1)` → "98.0 MiB";
 * under 1 KiB whole bytes ("512 B"). Tables use two decimals, check and diff one.
 */
export function binaryBytes(v: bigint, decimals = 1): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  if (abs < 1024n) return `${neg ? "-" : ""}${abs} B`;
  let unit = -1;
  let scale = 1n;
  while (unit + 1 < BINARY_UNITS.length && abs >= scale * 1024n) {
    scale *= 1024n;
    unit++;
  }
  const k = 10n ** BigInt(decimals);
  const scaled = (abs * k + scale / 2n) / scale;
  const frac = decimals > 0 ? `.${String(scaled % k).padStart(decimals, "0")}` : "";
  return `${neg ? "-" : ""}${scaled / k}${frac} ${BINARY_UNITS[unit]}`;
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

/** A quantity for check and diff reports: counts grouped, bytes grouped with a binary-unit gloss. */
export function quantity(v: bigint, unit: "count" | "bytes"): string {
  return unit === "bytes" ? `${groupDigits(v)} bytes (${binaryBytes(v, 1)})` : groupDigits(v);
}
