/**
 * A small ONNX graph builder: nodes, initializers and typed attributes, with unique tensor
 * names; `model()` yields the plain-object ModelProto that proto.ts encodes.
 */
import { AttrType, DataType } from "./proto.js";

import type { Attr } from "./attrs.js";

export { float, int, ints, str, type Attr } from "./attrs.js";

function encodeAttr(name: string, a: Attr): Record<string, unknown> {
  switch (a.t) {
    case "i": return { name, type: AttrType.INT, i: a.v };
    case "f": return { name, type: AttrType.FLOAT, f: a.v };
    case "s": return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.v) };
    case "ints": return { name, type: AttrType.INTS, ints: [...a.v] };
    case "floats": return { name, type: AttrType.FLOATS, floats: [...a.v] };
  }
}

function valueInfo(name: string, dims: readonly (number | string)[]): Record<string, unknown> {
  const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

/** Collects one ONNX graph. */
export class GraphBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly inits: Record<string, unknown>[] = [];
  private readonly inputs: Record<string, unknown>[] = [];
  private readonly outputs: Record<string, unknown>[] = [];
  private readonly used = new Set<string>();
  private readonly intConsts = new Map<string, string>();
  private counter = 0;

  /** A fresh tensor name derived from `base`. */
  fresh(base: string): string {
    let name = base.replace(/[^A-Za-z0-9_./-]/g, "_");
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns the name of its (first) output. */
  node(op: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, name?: string): string {
    const out = this.fresh(name ?? op.toLowerCase());
    const attribute = Object.entries(attrs).map(([k, a]) => encodeAttr(k, a));
    this.nodes.push({ input: [...inputs], output: [out], name: `${out}_${op}`, opType: op, attribute });
    return out;
  }

  /** Adds a float32 initializer (raw little-endian data). */
  floats(base: string, data: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.fresh(base);
    const f = data instanceof Float32Array ? data : Float32Array.from(data);
    const rawData = new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) as ArrayBuffer);
    this.inits.push({ name, dims: [...dims], dataType: DataType.FLOAT, rawData });
    return name;
  }

  /** An int64 vector initializer (shapes, pads, axes), shared between nodes that need the same one. */
  int64s(values: readonly number[]): string {
    const key = values.join(",");
    const known = this.intConsts.get(key);
    if (known) return known;
    const name = this.fresh(`const_i64_${this.intConsts.size}`);
    this.inits.push({ name, dims: [values.length], dataType: DataType.INT64, int64Data: [...values] });
    this.intConsts.set(key, name);
    return name;
  }

  /** A float32 scalar initializer. */
  scalar(value: number): string {
    return this.floats(`const_f_${String(value).replace(/[^0-9a-z]/gi, "_")}`, [value], []);
  }

  /** Declares a graph input of element type float. */
  input(name: string, dims: readonly (number | string)[]): string {
    const n = this.fresh(name);
    this.inputs.push(valueInfo(n, dims));
    return n;
  }

  /** Declares a graph output: tensor `from` under (a fresh form of) `name`, through an Identity node. */
  output(from: string, name: string, dims: readonly (number | string)[]): string {
    const out = this.node("Identity", [from], {}, name);
    this.outputs.push(valueInfo(out, dims));
    return out;
  }

  /** The ModelProto as a plain object. */
  model(graphName: string, opset: number, docString: string): Record<string, unknown> {
    return {
      // IR version 8 goes with opsets up to 18 (onnx/onnx docs/Versioning.md).
      irVersion: 8,
      producerName: "convspec",
      producerVersion: "0.1.0",
      docString,
      opsetImport: [{ domain: "", version: opset }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }
}
