/**
 * The graph as the pattern pass (patterns.ts) reads it: producers and readers of every tensor,
 * constants, and the synthetic `convspec.*` node a match puts in place of what it replaces.
 */
import type { OnnxAttr, OnnxModel, OnnxNode, OnnxTensor } from "./model.js";

export class PatternGraph {
  readonly producer = new Map<string, OnnxNode>();
  readonly readers = new Map<string, OnnxNode[]>();
  readonly outputs: Set<string>;

  constructor(readonly model: OnnxModel) {
    for (const n of model.nodes) {
      for (const o of n.outputs) this.producer.set(o, n);
      for (const i of n.inputs) if (!this.readers.get(i)?.push(n)) this.readers.set(i, [n]);
    }
    this.outputs = new Set(model.outputs.map((o) => o.name));
  }

  /** The single node reading `t` (and `t` is no graph output), if it has op type `op`. */
  only(t: string, op: string): OnnxNode | undefined {
    const rs = this.readers.get(t) ?? [];
    return rs.length === 1 && rs[0]!.opType === op && !this.outputs.has(t) ? rs[0] : undefined;
  }

  /** The single node reading `t` for its values (Shape readers aside), if it has op type `op`. */
  onlyData(t: string, op: string): OnnxNode | undefined {
    const rs = this.dataReaders(t);
    return rs.length === 1 && rs[0]!.opType === op && !this.outputs.has(t) ? rs[0] : undefined;
  }

  /** The node computing `t`, if it has op type `op`. */
  from(t: string, op: string): OnnxNode | undefined {
    const p = this.producer.get(t);
    return p?.opType === op ? p : undefined;
  }

  /** A scalar constant (initializer or Constant node). */
  scalar(t: string): number | undefined {
    const init = this.model.initializers.get(t);
    if (init?.values?.length === 1) return init.values[0];
    const c = this.from(t, "Constant")?.attrs.get("value");
    return c?.kind === "tensor" && c.t.values?.length === 1 ? c.t.values[0] : undefined;
  }

  /** The initializer `t` is, directly or through Identity (PyTorch shares equal initializers that way). */
  init(t: string): OnnxTensor | undefined {
    const id = this.from(t, "Identity");
    return this.model.initializers.get(t) ?? (id ? this.init(id.inputs[0]!) : undefined);
  }

  /** The readers of `t` that compute data (not its Shape). */
  dataReaders(t: string): readonly OnnxNode[] {
    return (this.readers.get(t) ?? []).filter((r) => r.opType !== "Shape");
  }

  /** A constant's values (initializer, or Constant node's tensor or ints). */
  consts(t: string): readonly number[] | undefined {
    const init = this.model.initializers.get(t);
    if (init) return init.values;
    const c = this.from(t, "Constant");
    const a = c?.attrs.get("value") ?? c?.attrs.get("value_ints") ?? c?.attrs.get("value_floats");
    return a?.kind === "tensor" ? a.t.values : a?.kind === "ints" ? a.ints.map(Number) : a?.kind === "floats" ? a.floats : undefined;
  }

  /** An int list attribute, or else the constant input i (attributes before opset 10/13/18, inputs after). */
  intsOf(n: OnnxNode, attr: string, i: number): readonly number[] | undefined {
    const a = n.attrs.get(attr);
    if (a?.kind === "ints") return a.ints.map(Number);
    return (n.inputs[i] ?? "") === "" ? undefined : this.consts(n.inputs[i]!);
  }

  /** The other input of a two-input node. */
  other(n: OnnxNode, t: string): string | undefined {
    return n.inputs[0] === t ? n.inputs[1] : n.inputs[1] === t ? n.inputs[0] : undefined;
  }
}

export interface Match {
  readonly replaced: readonly OnnxNode[];
  readonly node: OnnxNode;
}

export interface Pattern {
  readonly anchor: string;
  match(g: PatternGraph, n: OnnxNode): Match | undefined;
}

export function synth(op: string, inputs: string[], output: string | string[], name: string, attrs: [string, OnnxAttr][] = []): OnnxNode {
  return { opType: `convspec.${op}`, domain: "convspec", name, inputs, outputs: typeof output === "string" ? [output] : output, attrs: new Map(attrs) };
}

export const intAttr = (v: number): OnnxAttr => ({ kind: "int", i: BigInt(v) });

export const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-4 * Math.abs(b);

