/**
 * Reads an ONNX ModelProto (github.com/onnx/onnx, onnx/onnx.proto; field numbers below are
 * that file's) into the few facts the importer needs: nodes, attributes, initializer dims,
 * the values of small constants, and the graph's inputs and outputs. A weight's raw_data is
 * never decoded — only its length is checked against the dims — and an initializer whose data
 * lives in an external file is accepted from its dims alone.
 */
import { eachField, expectWire, float32, int64, pushFloats, pushInts, text, WIRE, WireError, type Field } from "./wire.js";

/** Constants with at most this many elements have their values decoded (shapes, pads, scalars). */
export const SMALL_TENSOR = 4096;

/** The most dims a tensor, attributes a node, or nodes a graph may have before the file is refused. */
const MAX_DIMS = 64;
const MAX_ATTR_VALUES = 1 << 16;

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly bigint[];
  readonly dataType: number;
  /** Decoded values of a small tensor (≤ SMALL_TENSOR elements), when its data is in the file. */
  readonly values?: readonly number[];
  /** True when the data is in an external file (which is not read). */
  readonly external: boolean;
}

export type OnnxAttr =
  | { readonly kind: "int"; readonly i: bigint }
  | { readonly kind: "float"; readonly f: number }
  | { readonly kind: "string"; readonly s: string }
  | { readonly kind: "ints"; readonly ints: readonly bigint[] }
  | { readonly kind: "floats"; readonly floats: readonly number[] }
  | { readonly kind: "tensor"; readonly t: OnnxTensor }
  | { readonly kind: "other" };

export interface OnnxNode {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, OnnxAttr>;
}

/** A graph input or output: its name and shape (a string for a symbolic dim, undefined if unknown). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly shape?: readonly (number | string)[];
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Version of the default ("" / "ai.onnx") operator set. */
  readonly opset: number;
  readonly producer: string;
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** TensorProto.DataType values whose element sizes the reader knows. */
const ELEM_BYTES: Readonly<Record<number, number>> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** Element count of dims (bigint: a corrupt dim must not overflow). */
export function numel(dims: readonly bigint[]): bigint {
  return dims.reduce((a, d) => a * d, 1n);
}

function decodeRaw(buf: Uint8Array, f: Field, dataType: number, n: number): number[] | undefined {
  const view = new DataView(buf.buffer, buf.byteOffset + f.start, f.end - f.start);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (dataType === 1) out.push(view.getFloat32(4 * i, true));
    else if (dataType === 7) out.push(Number(view.getBigInt64(8 * i, true)));
    else if (dataType === 6) out.push(view.getInt32(4 * i, true));
    else if (dataType === 11) out.push(view.getFloat64(8 * i, true));
    else if (dataType === 9 || dataType === 2) out.push(view.getUint8(i));
    else return undefined;
  }
  return out;
}

/** TensorProto: 1 dims, 2 data_type, 4 float_data, 5 int32_data, 7 int64_data, 8 name, 9 raw_data, 10 double_data, 13 external_data, 14 data_location. */
export function readTensor(buf: Uint8Array, start: number, end: number): OnnxTensor {
  const dims: bigint[] = [];
  let dataType = 0;
  let name = "";
  let raw: Field | undefined;
  const floats: number[] = [];
  const ints: bigint[] = [];
  let external = false;
  eachField(buf, start, end, (f) => {
    if (f.no === 1) pushInts(buf, f, dims, MAX_DIMS);
    else if (f.no === 2) dataType = Number(int64(f));
    else if (f.no === 4) pushFloats(buf, f, floats, SMALL_TENSOR);
    else if (f.no === 5 || f.no === 7) pushInts(buf, f, ints, SMALL_TENSOR);
    else if (f.no === 8) name = text(buf, f);
    else if (f.no === 9) (expectWire(f, WIRE.bytes), (raw = f));
    else if (f.no === 13) external = true;
    else if (f.no === 14) external ||= int64(f) === 1n;
  });
  if (dims.some((d) => d < 0n)) throw new WireError(`initializer "${name}" has a negative dim [${dims.join(", ")}]`, start);
  const n = numel(dims);
  const tensor = { name, dims, dataType, external };
  const bytes = ELEM_BYTES[dataType];
  if (raw !== undefined && bytes !== undefined && raw.end > raw.start && BigInt(raw.end - raw.start) !== n * BigInt(bytes)) {
    throw new WireError(`initializer "${name}" has ${raw.end - raw.start} bytes of data for dims [${dims.join(", ")}]`, raw.start);
  }
  if (n > BigInt(SMALL_TENSOR)) return tensor;
  const count = Number(n);
  if (raw !== undefined && raw.end - raw.start > 0) {
    const values = decodeRaw(buf, raw, dataType, count);
    return values ? { ...tensor, values } : tensor;
  }
  if (floats.length === count && count > 0) return { ...tensor, values: floats };
  if (ints.length === count && count > 0) return { ...tensor, values: ints.map(Number) };
  return tensor;
}

/** AttributeProto: 1 name, 2 f, 3 i, 4 s, 5 t, 7 floats, 8 ints, 20 type (graphs are not read). */
function readAttribute(buf: Uint8Array, start: number, end: number): [string, OnnxAttr] {
  let name = "";
  let type = 0;
  let attr: OnnxAttr = { kind: "other" };
  const ints: bigint[] = [];
  const floats: number[] = [];
  eachField(buf, start, end, (f) => {
    if (f.no === 1) name = text(buf, f);
    else if (f.no === 2) attr = { kind: "float", f: float32(buf, f) };
    else if (f.no === 3) attr = { kind: "int", i: int64(f) };
    else if (f.no === 4) attr = { kind: "string", s: text(buf, f) };
    else if (f.no === 5) (expectWire(f, WIRE.bytes), (attr = { kind: "tensor", t: readTensor(buf, f.start, f.end) }));
    else if (f.no === 7) pushFloats(buf, f, floats, MAX_ATTR_VALUES);
    else if (f.no === 8) pushInts(buf, f, ints, MAX_ATTR_VALUES);
    else if (f.no === 20) type = Number(int64(f));
  });
  // AttributeType: 6 FLOATS, 7 INTS; an empty list has only its type, and so has a zero
  // (1 FLOAT, 2 INT, 3 STRING: writers may leave a default value out).
  if (ints.length > 0 || type === 7) attr = { kind: "ints", ints };
  else if (floats.length > 0 || type === 6) attr = { kind: "floats", floats };
  else if (attr.kind === "other" && type === 1) attr = { kind: "float", f: 0 };
  else if (attr.kind === "other" && type === 2) attr = { kind: "int", i: 0n };
  else if (attr.kind === "other" && type === 3) attr = { kind: "string", s: "" };
  return [name, attr];
}

/** NodeProto: 1 input, 2 output, 3 name, 4 op_type, 5 attribute, 7 domain. */
function readNode(buf: Uint8Array, start: number, end: number): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attrs = new Map<string, OnnxAttr>();
  let name = "";
  let opType = "";
  let domain = "";
  eachField(buf, start, end, (f) => {
    if (f.no === 1) inputs.push(text(buf, f));
    else if (f.no === 2) outputs.push(text(buf, f));
    else if (f.no === 3) name = text(buf, f);
    else if (f.no === 4) opType = text(buf, f);
    else if (f.no === 5) {
      expectWire(f, WIRE.bytes);
      const [key, value] = readAttribute(buf, f.start, f.end);
      attrs.set(key, value);
    }
    else if (f.no === 7) domain = text(buf, f);
  });
  if (opType === "") throw new WireError(`node "${name}" has no op_type`, start);
  return { opType, domain, name, inputs, outputs, attrs };
}

/** ValueInfoProto 1 name, 2 type → TypeProto 1 tensor_type → 2 shape → 1 dim → 1 dim_value | 2 dim_param. */
function readValueInfo(buf: Uint8Array, start: number, end: number): OnnxValueInfo {
  let name = "";
  let shape: (number | string)[] | undefined;
  const sub = (f: Field, no: number, visit: (g: Field) => void): void => {
    if (f.no !== no) return;
    expectWire(f, WIRE.bytes);
    eachField(buf, f.start, f.end, visit);
  };
  eachField(buf, start, end, (f) => {
    if (f.no === 1) name = text(buf, f);
    sub(f, 2, (type) =>
      sub(type, 1, (tensor) =>
        sub(tensor, 2, (shp) => {
          shape ??= [];
          if (shp.no !== 1) return;
          let d: number | string = "?"; // a dim with neither value nor name is unknown
          sub(shp, 1, (dim) => {
            if (dim.no === 1) d = Number(int64(dim));
            else if (dim.no === 2) d = text(buf, dim);
          });
          shape.push(d);
          if (shape.length > MAX_DIMS) throw new WireError(`value "${name}" has more than ${MAX_DIMS} dims`, shp.start);
        }),
      ),
    );
  });
  return shape === undefined ? { name } : { name, shape };
}

/** GraphProto: 1 node, 2 name, 5 initializer, 11 input, 12 output. */
function readGraph(buf: Uint8Array, start: number, end: number) {
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  let name = "";
  eachField(buf, start, end, (f) => {
    if (f.no === 2) name = text(buf, f);
    if (![1, 5, 11, 12].includes(f.no)) return;
    expectWire(f, WIRE.bytes);
    if (f.no === 1) nodes.push(readNode(buf, f.start, f.end));
    else if (f.no === 5) {
      const t = readTensor(buf, f.start, f.end);
      initializers.set(t.name, t);
    } else if (f.no === 11) inputs.push(readValueInfo(buf, f.start, f.end));
    else outputs.push(readValueInfo(buf, f.start, f.end));
  });
  return { name, nodes, initializers, inputs, outputs };
}

/** ModelProto: 1 ir_version, 2 producer_name, 7 graph, 8 opset_import (1 domain, 2 version). Throws WireError. */
export function readModel(buf: Uint8Array): OnnxModel {
  let irVersion = 0;
  let opset = 0;
  let producer = "";
  let graph: ReturnType<typeof readGraph> | undefined;
  eachField(buf, 0, buf.length, (f) => {
    if (f.no === 1) irVersion = Number(int64(f));
    else if (f.no === 2) producer = text(buf, f);
    else if (f.no === 7) (expectWire(f, WIRE.bytes), (graph = readGraph(buf, f.start, f.end)));
    else if (f.no === 8) {
      expectWire(f, WIRE.bytes);
      let domain = "";
      let version = 0;
      eachField(buf, f.start, f.end, (g) => {
        if (g.no === 1) domain = text(buf, g);
        else if (g.no === 2) version = Number(int64(g));
      });
      if (domain === "" || domain === "ai.onnx") opset = version;
    }
  });
  if (graph === undefined) throw new WireError("the file has no graph (is it an ONNX model?)", 0);
  if (irVersion <= 0) throw new WireError("the file has no IR version (is it an ONNX model?)", 0);
  return { irVersion, opset, producer, graphName: graph.name, ...graph };
}
