/** Number formatting shared by every stage (no Intl: loading ICU data costs ~10 ms at startup). */

/** 61706n → "61,706"; -1234 → "-1,234"; non-integers are printed as they are. */
export function groupDigits(n: bigint | number): string {
  if (typeof n === "number" && !Number.isInteger(n)) return String(n);
  const s = (typeof n === "bigint" ? n : BigInt(n)).toString();
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  const out = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return neg ? `-${out}` : out;
}
