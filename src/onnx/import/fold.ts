/**
 * Constant folding of the shape arithmetic exporters write (ONNX operator semantics,
 * github.com/onnx/onnx/blob/main/docs/Operators.md): Shape → Gather → Unsqueeze → Concat →
 * Reshape for `flatten`/`view`, ConstantOfShape/Slice/Transpose/Reshape/Cast for reflect-pad
 * amounts, and element-wise arithmetic on such constants. A node folds when every input it
 * reads is a known constant (Shape needs only its input's shape); its outputs become constants.
 */
import { pushAll } from "../../util/array.js";
import { SMALL_TENSOR, type OnnxNode } from "./model.js";
import { attrInt, attrInts, posAxis, type Walk } from "./walk.js";

interface C {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

type Folder = (ins: readonly (C | undefined)[], node: OnnxNode, w: Walk) => C | undefined;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** NumPy broadcasting of two constants through f. */
function broadcast(a: C, b: C, f: (x: number, y: number) => number): C | undefined {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array<number>(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array<number>(r - b.shape.length).fill(1), ...b.shape];
  const shape: number[] = [];
  for (let i = 0; i < r; i++) {
    if (pa[i] !== pb[i] && pa[i] !== 1 && pb[i] !== 1) return undefined;
    shape.push(Math.max(pa[i]!, pb[i]!));
  }
  const n = size(shape);
  if (n > SMALL_TENSOR) return undefined;
  const [sa, sb, so] = [strides(pa), strides(pb), strides(shape)];
  const values: number[] = [];
  for (let k = 0; k < n; k++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < r; d++) {
      const c = Math.floor(k / so[d]!) % shape[d]!;
      if (pa[d] !== 1) ia += c * sa[d]!;
      if (pb[d] !== 1) ib += c * sb[d]!;
    }
    values.push(f(a.values[ia]!, b.values[ib]!));
  }
  return { shape, values };
}

const binary = (f: (x: number, y: number) => number): Folder => (ins) => (ins[0] && ins[1] ? broadcast(ins[0], ins[1], f) : undefined);
const unary = (f: (x: number) => number): Folder => (ins) => (ins[0] ? { shape: ins[0].shape, values: ins[0].values.map(f) } : undefined);

/** Axes from the attribute (before opset 13) or the second input (from 13). */
function axesOf(node: OnnxNode, ins: readonly (C | undefined)[]): number[] | undefined {
  return attrInts(node, "axes") ?? ins[1]?.values.slice();
}

function transpose(x: C, perm: readonly number[]): C {
  const shape = perm.map((p) => x.shape[p]!);
  const si = strides(x.shape);
  const so = strides(shape);
  const values: number[] = [];
  for (let k = 0; k < x.values.length; k++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += (Math.floor(k / so[d]!) % shape[d]!) * si[perm[d]!]!;
    values.push(x.values[src]!);
  }
  return { shape, values };
}

/** Slice of a constant along its axes (start/end clamped as ONNX does, negative steps too). */
function slice(x: C, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps: readonly number[]): C | undefined {
  let cur = x;
  for (let j = 0; j < starts.length; j++) {
    const ax = posAxis(axes[j] ?? j, cur.shape.length);
    const n = cur.shape[ax];
    if (n === undefined) return undefined;
    const step = steps[j] ?? 1;
    if (step === 0) return undefined;
    const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
    const s = step > 0 ? norm(starts[j]!, 0, n) : norm(starts[j]!, -1, n - 1);
    const e = step > 0 ? norm(ends[j]!, 0, n) : norm(ends[j]!, -1, n - 1);
    const idx: number[] = [];
    for (let i = s; step > 0 ? i < e : i > e; i += step) idx.push(i);
    const outer = size(cur.shape.slice(0, ax));
    const inner = size(cur.shape.slice(ax + 1));
    const values: number[] = [];
    for (let o = 0; o < outer; o++) for (const i of idx) for (let k = 0; k < inner; k++) values.push(cur.values[(o * n + i) * inner + k]!);
    cur = { shape: cur.shape.map((d, a) => (a === ax ? idx.length : d)), values };
  }
  return cur;
}

/** Reshape target with ONNX's 0 (copy) and −1 (infer) resolved against `from`; undefined if impossible. */
export function resolveShape(from: readonly number[], target: readonly number[]): number[] | undefined {
  const out = target.map((d, i) => (d === 0 ? from[i]! : d));
  const known = size(out.filter((d) => d !== -1));
  const total = size(from);
  const infer = out.filter((d) => d === -1).length;
  if (infer > 1 || out.some((d) => d === undefined || d < -1) || known === 0) return undefined;
  if (infer === 1) {
    if (total % known !== 0) return undefined;
    return out.map((d) => (d === -1 ? total / known : d));
  }
  return known === total ? out : undefined;
}

export const folders: Readonly<Record<string, Folder>> = {
  Identity: (ins) => ins[0],
  Cast: (ins) => ins[0],
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Mul: binary((x, y) => x * y),
  Div: binary((x, y) => (Number.isInteger(x) && Number.isInteger(y) && y !== 0 ? Math.trunc(x / y) : x / y)),
  Pow: binary((x, y) => x ** y),
  Max: binary(Math.max),
  Min: binary(Math.min),
  Equal: binary((x, y) => Number(x === y)),
  // Where(c, a, b) = c ? a : b, broadcast as (c · a) paired with b.
  Where: (ins) => {
    const [c, a, b] = ins;
    const ca = c && a ? broadcast(c, a, (x, y) => (x !== 0 ? y : NaN)) : undefined;
    return ca && b ? broadcast(ca, b, (x, y) => (Number.isNaN(x) ? y : x)) : undefined;
  },
  Sqrt: unary(Math.sqrt),
  Neg: unary((x) => -x),
  Abs: unary(Math.abs),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Reciprocal: unary((x) => 1 / x),
  Shape: (_ins, node, w) => {
    const s = w.val(node.inputs[0]!)?.shape;
    if (!s) return undefined;
    const start = posAxis(attrInt(node, "start", 0), s.length);
    const end = posAxis(attrInt(node, "end", s.length), s.length);
    const values = s.slice(Math.max(0, start), Math.min(s.length, end));
    return { shape: [values.length], values };
  },
  Gather: (ins, node) => {
    const [x, idx] = ins;
    if (!x || !idx) return undefined;
    const ax = posAxis(attrInt(node, "axis", 0), x.shape.length);
    if (ax !== 0) return undefined;
    const n = x.shape[0]!;
    const inner = size(x.shape.slice(1));
    const values: number[] = [];
    for (const i of idx.values) {
      const r = i < 0 ? i + n : i;
      if (r < 0 || r >= n) return undefined;
      pushAll(values, x.values.slice(r * inner, (r + 1) * inner));
    }
    return { shape: [...idx.shape, ...x.shape.slice(1)], values };
  },
  Unsqueeze: (ins, node) => {
    const x = ins[0];
    const axes = axesOf(node, ins);
    if (!x || !axes) return undefined;
    const r = x.shape.length + axes.length;
    const pos = new Set(axes.map((a) => posAxis(a, r)));
    const shape: number[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) shape.push(pos.has(i) ? 1 : x.shape[k++]!);
    return { shape, values: x.values };
  },
  Squeeze: (ins, node) => {
    const x = ins[0];
    if (!x) return undefined;
    const axes = (axesOf(node, ins) ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => posAxis(a, x.shape.length));
    return { shape: x.shape.filter((_, i) => !axes.includes(i)), values: x.values };
  },
  Concat: (ins, node) => {
    if (ins.some((c) => !c)) return undefined;
    const cs = ins as C[];
    const ax = posAxis(attrInt(node, "axis", 0), cs[0]!.shape.length);
    if (ax !== 0) return undefined;
    const values = cs.flatMap((c) => c.values);
    return { shape: [cs.reduce((a, c) => a + (c.shape[0] ?? 1), 0), ...cs[0]!.shape.slice(1)], values };
  },
  Reshape: (ins) => {
    const [x, t] = ins;
    const shape = x && t ? resolveShape(x.shape, t.values) : undefined;
    return x && shape ? { shape, values: x.values } : undefined;
  },
  Transpose: (ins, node) => {
    const x = ins[0];
    if (!x) return undefined;
    return transpose(x, attrInts(node, "perm") ?? x.shape.map((_, i) => x.shape.length - 1 - i));
  },
  Slice: (ins, node) => {
    const x = ins[0];
    if (!x) return undefined;
    const starts = attrInts(node, "starts") ?? ins[1]?.values;
    const ends = attrInts(node, "ends") ?? ins[2]?.values;
    if (!starts || !ends) return undefined;
    const axes = attrInts(node, "axes") ?? ins[3]?.values ?? starts.map((_, i) => i);
    return slice(x, starts, ends, axes, ins[4]?.values ?? []);
  },
  ConstantOfShape: (ins, node) => {
    const s = ins[0];
    if (!s || size(s.values) > SMALL_TENSOR) return undefined;
    const a = node.attrs.get("value");
    const v = a?.kind === "tensor" ? (a.t.values?.[0] ?? 0) : 0;
    return { shape: s.values, values: new Array<number>(size(s.values)).fill(v) };
  },
  Range: (ins) => {
    const [s, l, d] = ins.map((c) => c?.values[0]);
    if (s === undefined || l === undefined || d === undefined || d === 0) return undefined;
    const n = Math.max(0, Math.ceil((l - s) / d));
    if (n > SMALL_TENSOR) return undefined;
    return { shape: [n], values: Array.from({ length: n }, (_, i) => s + i * d) };
  },
};

/** Folds the node when all it reads is constant; true when its output became a constant. */
export function fold(w: Walk, node: OnnxNode): boolean {
  const f = folders[node.opType];
  if (!f || node.domain !== "" && node.domain !== "ai.onnx") return false;
  const ins = node.inputs.map((name) => {
    const v = w.val(name);
    return v?.values !== undefined && v.step === undefined ? { shape: v.shape ?? [v.values.length], values: v.values } : undefined;
  });
  // Shape reads only its input's shape; every other op needs constant inputs ("" = omitted).
  if (node.opType !== "Shape" && node.inputs.some((name, i) => name !== "" && ins[i] === undefined)) return false;
  const out = f(ins, node, w);
  if (!out || out.values.length !== size(out.shape)) return false;
  w.set(node.outputs[0]!, { shape: out.shape, values: out.values });
  return true;
}
