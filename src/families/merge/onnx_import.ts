/**
 * Reading ONNX back: Add and Mul (of two data tensors; of one number as `mul(y, 0.2)`; of a
 * learned tensor as a `param` operand; of a [C] constant after a bias-less dense or conv as that
 * layer's bias), Concat.
 */
import { axisArgs, logicalAxis } from "../../onnx/import/read.js";
import { attrInt, posAxis, type FamilyReads, type OpImport } from "../../onnx/import/walk.js";
import { conv } from "../conv/family.js";
import { dense } from "../dense/family.js";
import { lookupLayer } from "../registry.js";
import { concat, elementwise } from "./family.js";

/** The layers whose bias a following Add of a [C] constant is. */
const BIAS_TAKERS = new Set([conv.schema, dense.schema]);

/** Broadcast shape of two data shapes (NumPy rules), or undefined. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** Add/Mul of two data tensors → add/mul; Add of a [C] constant to a bias-less dense or conv → that layer's bias. */
function merge(call: "add" | "mul"): OpImport {
  return (w, node) => {
    const a = w.data(node, 0);
    const b = w.data(node, 1);
    if (a && b) {
      const shape = broadcastShape(a.shape, b.shape);
      if (!shape || a.layout !== b.layout) return w.unmapped(node, "operands that do not broadcast");
      return void w.emit(node, call, [], [a.step, b.step], shape, a.layout);
    }
    const x = a ?? b;
    const cName = node.inputs[a ? 1 : 0]!;
    const c = w.val(cName);
    if (!x || !c) return w.unmapped(node, "it has no data operand");
    const s = w.steps[x.step]!;
    const channels = s.shape[0];
    const perChannel = c.shape !== undefined && c.shape.filter((d) => d !== 1).length === 1 && c.shape.includes(channels!);
    const biasless = s.args.some((g) => g.key === "bias" && g.value === "false") && w.uses.get(node.inputs[a ? 0 : 1]!) === 1;
    const schema = lookupLayer(s.call)?.schema;
    if (call === "add" && perChannel && biasless && schema !== undefined && BIAS_TAKERS.has(schema)) {
      s.args = s.args.filter((g) => g.key !== "bias");
      return w.alias(node, x);
    }
    // Adding zeros or multiplying by ones (after the bias check: a zero bias is still a parameter).
    if (c.values?.every((v) => v === (call === "add" ? 0 : 1))) return w.alias(node, x);
    // One number (a scalar, or one value no wider than x): `mul(y, 0.2)`, an extension beyond 1.1.
    const k = c.values?.length === 1 && (c.shape ?? []).length <= x.shape.length ? c.values[0]! : undefined;
    if (k !== undefined && Number.isFinite(k)) return void w.emit(node, call, [{ value: k }], [x.step], x.shape, x.layout);
    // A learned tensor (ConvNeXt's layer scale, a ViT's position embedding): a `param` operand.
    const p = c.init && c.shape && c.shape.reduce((m, d) => m * d, 1) > 1 ? w.param(cName, x) : undefined;
    if (p) {
      const shape = broadcastShape(x.shape, p.shape);
      if (shape) return void w.emit(node, call, [], a ? [x.step, p.step] : [p.step, x.step], shape, x.layout);
    }
    w.unmapped(node, `it ${call === "add" ? "adds" : "multiplies by"} a constant tensor [${c.shape?.join(", ") ?? "?"}]; ConvSpec has no layer with a learned ${call === "add" ? "offset" : "scale"} of that shape`);
  };
}

/** Concat of data tensors and initializers (params, as a ViT's class token) along a non-batch axis. */
const readConcat: OpImport = (w, node) => {
  const data = node.inputs.map((_, i) => w.data(node, i));
  const like = data.find((d) => d !== undefined);
  if (!like) return w.unmapped(node, "it joins no data tensor");
  const xs = node.inputs.map((name, i) => data[i] ?? w.param(name, like));
  if (xs.some((x) => !x) || xs.some((x) => (x!.layout ?? "first") !== (like.layout ?? "first") || x!.shape.length !== like.shape.length)) {
    return w.unmapped(node, "it joins constants or tensors of different layouts");
  }
  const shapes = xs.map((x) => x!.shape);
  const r = like.shape.length;
  const axis = posAxis(attrInt(node, "axis", 1), r);
  if (!(axis > 0 && axis < r)) return w.unmapped(node, `axis ${axis} is the batch axis or outside rank ${r}`);
  const shape = shapes[0]!.map((d, i) => (i === axis ? shapes.reduce((s, x) => s + x[i]!, 0) : d));
  w.emit(node, "concat", axisArgs(logicalAxis(axis, r, like.layout)), xs.map((x) => x!.step), shape, like.layout);
};

export const elementwiseReads: FamilyReads = { family: elementwise, ops: [{ op: "Add", read: merge("add") }, { op: "Mul", read: merge("mul") }] };
export const concatReads: FamilyReads = { family: concat, ops: [{ op: "Concat", read: readConcat }] };
