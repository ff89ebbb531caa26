/**
 * Integer arithmetic of ConvSpec expressions, shared by block and layer arguments (values.ts)
 * and by assert lines (src/analysis/asserts.ts). Integers are exact bigints; a result that is
 * not whole is a JS number, as the same expression gives in Python (the language of the
 * models the specs transcribe): `//` and `%` floor as Python's do, `round` halves to even.
 */

/** An exact integer, or a real number. */
export type Num = bigint | number;

export type { BinaryOp } from "../ast/nodes.js";
import type { BinaryOp } from "../ast/nodes.js";

/** The built-in functions and how many arguments each takes ([min, max]). */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  floor: [1, 1], ceil: [1, 1], round: [1, 1], min: [2, Infinity], max: [2, Infinity], make_divisible: [2, 2],
};

export function isFunction(name: string): boolean {
  return Object.hasOwn(FUNCTIONS, name);
}

/** A number that is whole, as a bigint; anything else unchanged. */
function whole(x: number): Num {
  return Number.isFinite(x) && Number.isInteger(x) ? BigInt(x) : x;
}

/** Python's floor division of integers (bigint division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** `a op b`, or the reason it has no value (division by zero). */
export function applyOp(op: BinaryOp, a: Num, b: Num): Num | { error: string } {
  if (typeof a === "bigint" && typeof b === "bigint") {
    switch (op) {
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      default:
        if (b === 0n) return { error: "division by zero" };
        if (op === "//") return floorDiv(a, b);
        if (op === "%") return a - floorDiv(a, b) * b;
        return a % b === 0n ? a / b : Number(a) / Number(b);
    }
  }
  const x = Number(a);
  const y = Number(b);
  if ((op === "/" || op === "//" || op === "%") && y === 0) return { error: "division by zero" };
  switch (op) {
    case "+": return x + y;
    case "-": return x - y;
    case "*": return x * y;
    case "/": return x / y;
    case "//": return whole(Math.floor(x / y));
    case "%": return x - Math.floor(x / y) * y;
  }
}

/** Python's round(): to the nearest integer, halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * torchvision's `_make_divisible(v, divisor)` (models/_utils.py): the multiple of d nearest
 * to v, at least d, and one d more when rounding down lost more than 10 % of v.
 */
function makeDivisible(v: Num, d: Num): Num | { error: string } {
  if (typeof d !== "bigint" || d < 1n) return { error: `make_divisible needs a divisor that is an integer ≥ 1, got ${d}` };
  if (typeof v === "bigint") {
    // int(v + d / 2) = floor((2v + d) / 2) for integers; then // d * d.
    let r = floorDiv(floorDiv(2n * v + d, 2n), d) * d;
    if (r < d) r = d;
    if (10n * r < 9n * v) r += d;
    return r;
  }
  const dn = Number(d);
  // Python's int() truncates toward zero; for the positive widths this rule is for, floor.
  let r = Math.floor(Math.trunc(v + dn / 2) / dn) * dn;
  if (r < dn) r = dn;
  if (r < 0.9 * v) r += dn;
  return whole(r);
}

/** A built-in function applied to its arguments (their count already checked). */
export function applyFunction(name: string, args: readonly Num[]): Num | { error: string } {
  const [x] = args as [Num];
  switch (name) {
    case "floor": return typeof x === "bigint" ? x : whole(Math.floor(x));
    case "ceil": return typeof x === "bigint" ? x : whole(Math.ceil(x));
    case "round": return typeof x === "bigint" ? x : whole(roundHalfEven(x));
    case "min": return args.reduce((a, b) => (compareNum(b, a) < 0 ? b : a));
    case "max": return args.reduce((a, b) => (compareNum(b, a) > 0 ? b : a));
    case "make_divisible": return makeDivisible(args[0]!, args[1]!);
  }
  return { error: `unknown function ${name}` };
}

/** -1, 0 or 1, exact for bigints. */
export function compareNum(a: Num, b: Num): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const d = Number(a) - Number(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}
