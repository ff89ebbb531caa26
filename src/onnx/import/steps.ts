/**
 * What the importer builds from an ONNX graph before it writes text: a DAG of ConvSpec steps
 * (one layer call or merge each), and the state of every ONNX tensor while the graph is walked.
 */
import type { OnnxTensor } from "./model.js";

/** An argument value as ConvSpec writes it: a number, a bare word, or a list. */
export type ArgValue = number | string | readonly ArgValue[];

/** One argument of a call; positional when `key` is absent. */
export interface Arg {
  readonly key?: string;
  readonly value: ArgValue;
}

/** One ConvSpec step: `input` steps are the model's inputs, every other one a layer or merge call. */
export interface Step {
  readonly id: number;
  /** Layer name (`conv2d`, `add`, ...) or `input`. */
  readonly call: string;
  args: Arg[];
  readonly inputs: readonly number[];
  /** The ONNX node it came from (its name, or its first output's name). */
  readonly origin: string;
  /** Shape without the batch axis (for `input` steps, and for reading the text). */
  readonly shape: readonly number[];
  /** One part of a `split`: every part is a step, written together as `a, b = x -> split(...)`. */
  readonly part?: Part;
  /** A `param` step's name (from its initializer's). */
  readonly name?: string;
}

/** A split part: every part's step id in order along the axis, and this part's index. */
export interface Part {
  readonly ids: readonly number[];
  readonly index: number;
}

/** Channel layout of a data tensor: ONNX's NC… or channels-last (after Transpose to N…C). */
export type Layout = "first" | "last";

/** What the walk knows about one ONNX tensor. */
export interface Val {
  /** Shape with the batch axis, when known. */
  readonly shape?: readonly number[];
  /** The values of a constant (shape arithmetic, pads, scalars). */
  readonly values?: readonly number[];
  /** The initializer it is (directly or through Identity), for weights. */
  readonly init?: OnnxTensor;
  /** The step that computes it (a data tensor). */
  readonly step?: number;
  readonly layout?: Layout;
  /** A −∞ Pad waiting for the MaxPool after it (which then pads the unpadded input). */
  readonly negInfPad?: PendingPad;
}

export interface PendingPad {
  readonly step: number;
  readonly shape: readonly number[];
  readonly begin: readonly number[];
  readonly end: readonly number[];
}

/** True for merges, whose operands are all tensors (`add(a, b)`), not chain predecessors. */
export function isMerge(call: string): boolean {
  return call === "add" || call === "mul" || call === "concat";
}

/** `conv2d(64, 7, stride=2)`-style text of a call. */
export function callText(call: string, args: readonly Arg[], operands: readonly string[] = []): string {
  const parts = [...operands, ...argsText(args)];
  return parts.length === 0 ? call : `${call}(${parts.join(", ")})`;
}

/** Each argument as written: `64`, `stride=2`. */
export function argsText(args: readonly Arg[]): string[] {
  return args.map((a) => (a.key === undefined ? argText(a.value) : `${a.key}=${argText(a.value)}`));
}

export function argText(v: ArgValue): string {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const x = Number(v.toPrecision(7));
    const e = x.toExponential().replace("e+", "e"); // 1e-6 rather than 0.000001
    return e.length < String(x).length ? e : String(x);
  }
  if (typeof v === "string") return v;
  return `[${v.map(argText).join(", ")}]`;
}

/** ConvSpec's keywords (grammar/tokens.ts): a name from the ONNX file that is one gets a `_`. */
const KEYWORDS = new Set(["model", "block", "input", "output", "assert", "use", "as", "true", "false"]);

/** A ConvSpec identifier from any name: letters, digits and `_`, not a digit first, not a keyword; undefined if nothing is left. */
export function toIdentifier(s: string): string | undefined {
  const id = s.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (id === "") return undefined;
  const named = /^[0-9]/.test(id) ? `m_${id}` : id;
  return KEYWORDS.has(named) ? `${named}_` : named;
}

/** One thing the body writer places: a step, or a call of a lifted block standing for a piece. */
export interface Item {
  readonly id: number;
  /** The call without operands (`conv2d(64, 3)`, `bottleneck(64)`), or the merge's name. */
  readonly text: string;
  readonly merge: boolean;
  /** A merge's arguments after its operands (`axis=2`). */
  readonly mergeArgs?: readonly string[];
  readonly inputs: readonly number[];
  readonly label?: string;
  /** A split part (the earliest part's item writes the whole `a, b = x -> split(...)` line). */
  readonly part?: Part;
  /** A `param` declaration's preferred name (the text is its dims). */
  readonly param?: string;
}

/**
 * A node's module path: PyTorch's scope names `/layer1/layer1.0/conv1/Conv` → `layer1.0.conv1`;
 * convspec's own `conv1_Conv` → `conv1`; other names as they are.
 */
export function modulePath(origin: string): string {
  if (!origin.startsWith("/")) return origin.replace(/_[A-Z][A-Za-z]*$/, "");
  const parts = origin.split("/").filter((p) => p !== "");
  if (/^[A-Z][A-Za-z]*(_\d+)?$/.test(parts[parts.length - 1] ?? "")) parts.pop();
  // Each scope is named relative to its parent or in full (`features.1`, then `conv`, `conv.0`).
  let path = "";
  let last = "";
  for (const p of parts) {
    if (path === "" || p.startsWith(path + ".")) path = p;
    else if (last !== "" && p.startsWith(last + ".")) path = path.slice(0, path.length - last.length) + p;
    else path = `${path}.${p}`;
    last = p;
  }
  return path;
}

/** A label from a node name when it says something (not `Conv_12`, `conv2d_3`, `onnx::…`, a bare number). */
export function labelOf(origin: string): string | undefined {
  const path = modulePath(origin);
  if (path === "" || /^(onnx::|node_)|^[A-Za-z]+_\d+$|^\d+$/.test(path) || path.includes("::") || /^\d/.test(path)) return undefined;
  return toIdentifier(path);
}

/** An item for one step outside any block (inputs are step ids). */
export function stepItem(s: Step, label: string | undefined): Item {
  return { ...itemOf(s, s.args), ...(label ? { label } : {}) };
}

/** A step as an item with the given arguments: a merge, a split part, a param, or a call. */
export function itemOf(s: Step, args: readonly Arg[]): Item {
  const merge = isMerge(s.call);
  const extra = { ...(s.part ? { part: s.part } : {}), ...(s.call === "param" ? { param: s.name ?? "p" } : {}) };
  if (s.call === "param") return { id: s.id, text: argsText(args)[0]!, merge: false, inputs: s.inputs, ...extra };
  const base = merge ? { text: s.call, mergeArgs: argsText(args) } : { text: callText(s.call, args) };
  return { id: s.id, ...base, merge, inputs: s.inputs, ...extra };
}
