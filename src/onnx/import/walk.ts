/**
 * The state of one import while the graph is walked in node order: every tensor's `Val`, the
 * steps emitted so far, and the diagnostics. Op readers (the families' onnx_import.ts, listed
 * in ops.ts) read and write it only through the methods here.
 */
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { Family } from "../../families/types.js";
import type { OnnxAttr, OnnxModel, OnnxNode } from "./model.js";
import { toIdentifier, type Arg, type Layout, type Step, type Val } from "./steps.js";

/** Reads one node: emits ConvSpec steps, folds it away, or refuses it with a coded diagnostic (`w.unmapped`). */
export type OpImport = (w: Walk, node: OnnxNode) => void;

/** How one ONNX op type (or one `convspec.*` pattern node) is read back. */
export interface OpRead {
  readonly op: string;
  readonly read: OpImport;
}

/**
 * A family's import face, in src/families/<folder>/onnx_import.ts beside the family's emitter:
 * the op types it reads back and how. src/families/onnx_import.ts lists them; only the
 * importer loads that list, so the analyzer never loads the readers.
 */
export interface FamilyReads {
  readonly family: Family;
  readonly ops: readonly OpRead[];
}

export class Walk {
  readonly vals = new Map<string, Val>();
  readonly steps: Step[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Output tensors consumed by how many nodes (and graph outputs). */
  readonly uses = new Map<string, number>();
  /** The one-axis slice steps written so far per sliced tensor (the parts of a split, once all are in). */
  readonly sliceGroups = new Map<string, number[]>();
  /** Convs whose bias initializer is an exporter constant (PyTorch names folded ones `onnx::Conv_N`). */
  foldedBiases = 0;

  private readonly readers = new Map<string, OnnxNode[]>();

  constructor(readonly model: OnnxModel) {
    for (const n of model.nodes) {
      for (const i of n.inputs) {
        this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
        if (!this.readers.get(i)?.push(n)) this.readers.set(i, [n]);
      }
    }
    for (const o of model.outputs) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1);
  }

  /** The nodes that read a tensor. */
  consumers(name: string): readonly OnnxNode[] {
    return this.readers.get(name) ?? [];
  }

  get opset(): number {
    return this.model.opset;
  }

  val(name: string): Val | undefined {
    return name === "" ? undefined : this.vals.get(name);
  }

  set(name: string, v: Val): void {
    this.vals.set(name, v);
  }

  /** Adds a step computing `out` from data inputs; returns its id. */
  emit(node: OnnxNode, call: string, args: Arg[], inputs: readonly number[], shape: readonly number[], layout: Layout = "first", out = node.outputs[0]!): number {
    const id = this.steps.length;
    // A channels-last tensor's step holds the logical channels-first shape.
    this.steps.push({ id, call, args, inputs, origin: node.name || out, shape: this.logical(shape, layout) });
    this.set(out, { step: id, shape, layout });
    return id;
  }

  /** A stored shape (batch first) as a step holds it: without the batch, channels first. */
  logical(shape: readonly number[], layout: Layout = "first"): number[] {
    return layout === "last" ? [shape[shape.length - 1]!, ...shape.slice(1, -1)] : shape.slice(1);
  }

  /** The node's input tensor i when it is a data tensor (computed by a step). */
  data(node: OnnxNode, i: number): (Val & { step: number; shape: readonly number[] }) | undefined {
    const v = this.val(node.inputs[i] ?? "");
    return v?.step !== undefined && v.shape !== undefined ? (v as Val & { step: number; shape: readonly number[] }) : undefined;
  }

  /** The node's input i as constant values, if known. */
  consts(node: OnnxNode, i: number): readonly number[] | undefined {
    return this.val(node.inputs[i] ?? "")?.values;
  }

  /** Adds a step with no ONNX node of its own (a param, a layout permute); returns its id. */
  private push(call: string, args: Arg[], inputs: readonly number[], origin: string, shape: readonly number[], name?: string): number {
    const id = this.steps.length;
    this.steps.push({ id, call, args, inputs, origin, shape, ...(name !== undefined ? { name } : {}) });
    return id;
  }

  /**
   * A channels-last tensor as a `permute` step to the order it is stored in (N…C), so an op
   * that reads the stored order (a Reshape, a model output) sees it; a channels-first one as it is.
   */
  materialize(name: string, v: Val & { step: number }): number {
    if (v.layout !== "last" || !v.shape) return v.step;
    const r = v.shape.length - 1;
    const id = this.push("permute", [{ value: [...Array.from({ length: r - 1 }, (_, i) => i + 1), 0] }], [v.step], name, v.shape.slice(1));
    this.set(name, { step: id, shape: v.shape, layout: "first" });
    return id;
  }

  /** The node's input i as a channels-first data tensor (materialized when it is channels-last). */
  first(node: OnnxNode, i: number): (Val & { step: number; shape: readonly number[] }) | undefined {
    const v = this.data(node, i);
    if (!v || v.layout !== "last") return v;
    this.materialize(node.inputs[i]!, v);
    return this.data(node, i);
  }

  /**
   * An initializer a merge takes as an operand beside `data`, as a `param` step (one per
   * initializer, however many read it): its dims as stored, without a leading batch axis of 1,
   * reordered to channels-first beside a channels-last operand. Undefined when it is not an
   * initializer or does not broadcast that way.
   */
  param(name: string, data: Val & { shape: readonly number[] }): (Val & { step: number; shape: readonly number[] }) | undefined {
    const v = this.val(name);
    if (!v?.init || !v.shape) return undefined;
    if (v.step !== undefined) return v as Val & { step: number; shape: readonly number[] };
    const r = data.shape.length;
    let dims = [...v.shape];
    if (dims.length > r || (dims.length === r && dims[0] !== 1)) return undefined;
    if (dims.length === r) dims = dims.slice(1);
    let logical = dims;
    if (data.layout === "last") {
      dims = [...new Array<number>(r - 1 - dims.length).fill(1), ...dims];
      logical = [dims[r - 2]!, ...dims.slice(0, r - 2)];
    }
    const base = v.init.name.split(/[./:]/).filter((p) => p !== "").pop() ?? "";
    const id = this.push("param", [{ value: logical }], [], v.init.name, logical, /^(onnx|Mul|Add|Concat)_?\d*$/.test(base) ? "p" : (toIdentifier(base) ?? "p"));
    const val = { ...v, step: id, shape: [1, ...dims], layout: data.layout ?? "first" };
    this.set(name, val);
    return val;
  }

  /** Passes a data tensor through unchanged (Identity, Dropout at inference, a no-op Reshape). */
  alias(node: OnnxNode, from: Val, out = node.outputs[0]!): void {
    this.set(out, from);
  }

  /**
   * Refuses a node with CS4802 and stands something in for it so the rest still analyzes: a
   * parameter-free layer with the node's output shape when `shape` gives one that only divides
   * the channels (`channel_maxpool`), otherwise an identity on its first data input.
   */
  unmapped(node: OnnxNode, reason: string, shape?: readonly number[]): void {
    const shapes = node.inputs.map((i) => {
      const v = this.val(i);
      return v?.shape ? `[${v.shape.join(", ")}]` : v?.values ? "constant" : "?";
    });
    this.diagnostics.push(
      diag(messages.onnxUnmapped, undefined, { op: node.opType, node: node.name || node.outputs[0] || "?", shapes: shapes.join(", ") || "none", reason }, {
        hint: "the importer stands a parameter-free layer in for it (identity, or channel_maxpool where it only takes a share of the channels), so the layers after it still analyze; docs/onnx.md lists what imports",
      }),
    );
    const x = node.inputs.map((i) => this.val(i)).find((v) => v?.step !== undefined);
    if (x?.step === undefined || !x.shape) return;
    const c = x.shape[1]!;
    const k = shape && shape[1]! > 0 ? c / shape[1]! : 1;
    const onlyChannels = shape !== undefined && x.layout !== "last" && shape.length === x.shape.length && shape.every((d, i) => i === 1 || d === x.shape![i]);
    if (onlyChannels && Number.isInteger(k) && k > 1) this.emit(node, "channel_maxpool", [{ value: k }], [x.step], shape);
    else this.emit(node, "identity", [], [x.step], x.shape, x.layout);
    for (const o of node.outputs.slice(1)) this.set(o, this.val(node.outputs[0]!)!);
  }
}

// ── attribute helpers ────────────────────────────────────────────────────────

export function attrInt(node: OnnxNode, name: string, dflt: number): number {
  const a: OnnxAttr | undefined = node.attrs.get(name);
  return a?.kind === "int" ? Number(a.i) : dflt;
}

export function attrFloat(node: OnnxNode, name: string, dflt: number): number {
  const a = node.attrs.get(name);
  return a?.kind === "float" ? a.f : a?.kind === "int" ? Number(a.i) : dflt;
}

export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const a = node.attrs.get(name);
  return a?.kind === "ints" ? a.ints.map(Number) : a?.kind === "int" ? [Number(a.i)] : undefined;
}

export function attrString(node: OnnxNode, name: string, dflt: string): string {
  const a = node.attrs.get(name);
  return a?.kind === "string" ? a.s : dflt;
}

/** An axis counted from the end made positive, for a tensor of rank r. */
export function posAxis(a: number, r: number): number {
  return a < 0 ? a + r : a;
}
