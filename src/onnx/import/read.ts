/**
 * What the families' import faces (src/families/<family>/onnx_import.ts) share: ONNX's window
 * geometry (pads, auto_pad, ceil mode), arguments in ConvSpec's spelling, axes counted ONNX's
 * way read as ConvSpec's, and the one-op-one-layer readers. Generic ONNX reading, no family.
 */
import type { OnnxNode } from "./model.js";
import type { Arg, ArgValue, Layout, PendingPad, Val } from "./steps.js";
import { attrInts, attrString, type OpImport } from "./walk.js";

/** A data tensor: computed by a step, its stored shape known. */
export type Data = Val & { step: number; shape: readonly number[] };

/** One number when every axis agrees, else one per axis. */
export function perAxis(v: readonly number[]): ArgValue {
  return v.every((x) => x === v[0]) ? v[0]! : v;
}

/** ONNX pads (begin…, end…) → ConvSpec padding: n, [n per axis], or [[before, after] per axis]. */
export function paddingArg(begin: readonly number[], end: readonly number[]): ArgValue {
  if (begin.every((b, i) => b === end[i])) return perAxis(begin);
  return begin.map((b, i) => [b, end[i]!]);
}

/** Pads of a windowed op per spatial axis, with auto_pad resolved (SAME_UPPER puts the odd unit after). */
function padsOf(node: OnnxNode, inSp: readonly number[], k: readonly number[], s: readonly number[], d: readonly number[]): [number[], number[]] {
  const n = inSp.length;
  const autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const total = inSp.map((x, i) => Math.max(0, (Math.ceil(x / s[i]!) - 1) * s[i]! + d[i]! * (k[i]! - 1) + 1 - x));
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]!);
    return autoPad === "SAME_UPPER" ? [small, big] : [big, small];
  }
  const p = attrInts(node, "pads") ?? new Array<number>(2 * n).fill(0);
  return [p.slice(0, n), p.slice(n, 2 * n)];
}

/** Output size of a window along one axis (floor, or ceil with PyTorch's rule that a window may not start in the end padding). */
function windowOut(n: number, k: number, s: number, d: number, pb: number, pa: number, ceil: boolean): number {
  const span = n + pb + pa - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + pb) out--;
  return out;
}

export interface Window {
  readonly k: number[];
  readonly s: number[];
  readonly d: number[];
  readonly begin: number[];
  readonly end: number[];
  readonly out: number[];
}

/** The window of a Conv or pool node over spatial sizes `inSp`, by ONNX's own rule (Operators.md), with `extra` pads joined. */
export function window(node: OnnxNode, inSp: readonly number[], k: readonly number[], ceil = false, extra?: PendingPad): Window {
  const one = inSp.map(() => 1);
  const s = attrInts(node, "strides") ?? one;
  const d = attrInts(node, "dilations") ?? one;
  const [begin, end] = padsOf(node, inSp, k, s, d).map((p, side) => p.map((v, i) => v + ((side === 0 ? extra?.begin : extra?.end)?.[i] ?? 0)));
  const out = inSp.map((n, i) => windowOut(n, k[i]!, s[i]!, d[i]!, begin[i]!, end[i]!, ceil));
  return { k: [...k], s, d, begin, end, out };
}

/** Every attribute has one entry per spatial axis, each positive, and every output size is ≥ 1. */
export function validWindow(win: Window): boolean {
  const n = win.k.length;
  const each = [win.s, win.d, win.begin, win.end, win.out];
  return each.every((a) => a.length === n && a.every((v) => Number.isSafeInteger(v))) && win.s.every((v) => v >= 1) && win.d.every((v) => v >= 1) && win.k.every((v) => v >= 1) && win.out.every((v) => v >= 1);
}

export function badWindow(win: Window): string {
  return `kernel [${win.k.join(", ")}], strides [${win.s.join(", ")}], dilations [${win.d.join(", ")}], pads [${[...win.begin, ...win.end].join(", ")}] give no valid output ([${win.out.join(", ")}])`;
}

/** stride/padding/dilation arguments that differ from their defaults. */
export function windowArgs(win: Window, strideDefault: number[] | undefined): Arg[] {
  const args: Arg[] = [];
  const same = (a: readonly number[], b: readonly number[]) => a.every((x, i) => x === b[i]);
  if (!same(win.s, strideDefault ?? win.s.map(() => 1))) args.push({ key: "stride", value: perAxis(win.s) });
  if (win.begin.some((x) => x !== 0) || win.end.some((x) => x !== 0)) args.push({ key: "padding", value: paddingArg(win.begin, win.end) });
  if (win.d.some((x) => x !== 1)) args.push({ key: "dilation", value: perAxis(win.d) });
  return args;
}

/** A stored ONNX axis (batch = 0) as a ConvSpec axis (channels = 0) of a tensor in `layout`. */
export function logicalAxis(a: number, rank: number, layout: Layout | undefined): number {
  if (layout !== "last") return a - 1;
  return a === rank - 1 ? 0 : a;
}

/** An `axis=` argument, left out for the default (channels). */
export const axisArgs = (axis: number): Arg[] => (axis === 0 ? [] : [{ key: "axis", value: axis }]);

/** The shape with `axis` (stored, batch counted) set to `size`. */
export const withSize = (shape: readonly number[], axis: number, size: number) => shape.map((d, i) => (i === axis ? size : d));

/** An element-wise op that maps onto one ConvSpec layer of the same shape, with the arguments `args` derives (a string refuses). */
export function unary(call: string, args: (n: OnnxNode) => Arg[] | string = () => []): OpImport {
  return (w, node) => {
    const x = w.data(node, 0);
    if (!x) return w.unmapped(node, "its input is not a data tensor");
    const a = args(node);
    if (typeof a === "string") return w.unmapped(node, a);
    w.emit(node, call, a, [x.step], x.shape, x.layout);
  };
}

/** Equal to 1e-6 relative (float attributes written as float32). */
export const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

