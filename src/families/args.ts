/**
 * Reading a node's resolved arguments. Expansion (src/graph/args.ts) fills every default in,
 * so nothing here supplies a fallback value of its own: these give the values their types and
 * their per-axis form, in one place for every face of every family.
 */
import type { ArgValue, LayerNode } from "../graph/ir.js";

/**
 * The one per-axis rule: a number applies to every spatial axis; a list must have exactly one
 * integer per axis (a one-element list on a 2-D layer is an error, not a repeat); `null` (an
 * optional argument left out, such as a pool's stride) gives `fallback`. A string says what is
 * wrong: the count of a list of the wrong length, "missing", or "not a list of integers".
 */
export function perAxis(v: ArgValue | undefined, dims: number, fallback?: readonly number[]): number[] | string {
  if (v === null || v === undefined) return fallback ? [...fallback] : "missing";
  if (typeof v === "number") return new Array<number>(dims).fill(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) {
    return v.length === dims ? [...(v as number[])] : `${v.length}`;
  }
  return "not a list of integers";
}

/**
 * `perAxis` for code that runs after the analyzer accepted the node (execution, export):
 * a value it would have rejected is a bug, reported as one.
 */
export function axisValues(node: LayerNode, name: string, dims: number, fallback?: readonly number[]): number[] {
  const r = perAxis(node.args[name], dims, fallback);
  if (typeof r === "string") throw new Error(`${node.label}: ${name} (${r}) does not fit ${dims} spatial axes`);
  return r;
}

/** A numeric argument (integer or real). */
export function num(node: LayerNode, name: string): number {
  const v = node.args[name];
  if (typeof v !== "number") throw new Error(`${node.label}: argument ${name} is not a number`);
  return v;
}

/** A boolean argument. */
export function flag(node: LayerNode, name: string): boolean {
  return node.args[name] === true;
}

/** A word argument (`padding_mode`, `mode`). */
export function word<W extends string>(node: LayerNode, name: string): W {
  const v = node.args[name];
  if (typeof v !== "string") throw new Error(`${node.label}: argument ${name} is not a word`);
  return v as W;
}

/** Kernel, stride and dilation per spatial axis of a windowed layer; a stride left out is the kernel (pooling). */
export interface WindowArgs {
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
}

/** The window arguments of a node over `dims` spatial axes, for code after analysis. */
export function windowArgs(node: LayerNode, dims: number): WindowArgs {
  const kernel = axisValues(node, "kernel", dims);
  return { kernel, stride: axisValues(node, "stride", dims, kernel), dilation: axisValues(node, "dilation", dims) };
}
