/** Layout changes: flatten and reshape (no arithmetic, no parameters). */
import { diag } from "../../diagnostics/diagnostic.js";
import { messages } from "../../diagnostics/messages.js";
import type { LayerNode } from "../../graph/ir.js";
import type { Tensor } from "../../exec/tensor.js";
import { ExecError, prod } from "../../exec/kernels/util.js";
import { int } from "../../onnx/emit.js";
import { copyExec } from "../exec.js";
import type { LayerSchema } from "../schema.js";
import { numel, showShape, type Family, type LayerRules, type Shape } from "../types.js";

export const flattenSchema: LayerSchema = {
  family: "flatten",
  summary: "flatten every non-batch axis into one",
  kinds: { flatten: { kind: "flatten" } },
  args: [],
};

export const reshapeSchema: LayerSchema = {
  family: "reshape",
  summary: "reshape the non-batch axes (one -1 is inferred)",
  kinds: { reshape: { kind: "reshape" } },
  args: [{ name: "shape", type: { t: "shape" } }],
};

// ── analysis rules ────────────────────────────────────────────────────────────

/** Flatten: [∏ shape]; each output unit keeps its field. */
export const flattenRules: LayerRules = {
  shape(ctx) {
    const n = numel(ctx.inputs[0]!.shape);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
      ctx.diags.push(diag(messages.sizeTooLarge, ctx.node.span, { layer: ctx.node.label, size: n.toString() }));
      return undefined;
    }
    return [Number(n)];
  },
};

/** Reshape to the given dims, one -1 inferred; the element count must not change. */
export const reshapeRules: LayerRules = {
  shape(ctx) {
    const x = ctx.inputs[0]!.shape;
    const target = ctx.node.args.shape as number[];
    const total = numel(x);
    const known = numel(target.filter((d) => d !== -1));
    const fail = () => {
      ctx.diags.push(diag(messages.reshapeMismatch, ctx.node.span, { layer: ctx.node.label, shape: showShape(x), count: total.toString(), target: showShape(target) }, {
        hint: target.includes(-1) ? `${total} is not a multiple of ${known}` : `the target holds ${known} elements`,
      }));
      return undefined;
    };
    if (!target.includes(-1)) return known === total ? target : fail();
    if (total % known !== 0n) return fail();
    return target.map((d) => (d === -1 ? Number(total / known) : d));
  },
  /**
   * A reshape that changes the spatial sizes moves elements between positions (YOLOv2's
   * passthrough written as a reshape, a flat vector reshaped onto a grid): its units' inputs
   * are no window around them, so the field is marked not spatial, with the reason.
   */
  rf(ctx, out) {
    const rf = ctx.inputs[0]!.rf;
    if (out.length < 2 || (rf.global && rf.whole)) return rf;
    const why = scrambles(ctx.inputs[0]!.shape, out);
    return why ? { ...rf, notSpatial: `${ctx.node.label}: ${why}` } : rf;
  },
};

/** The reason a reshape from `x` to `out` scrambles positions, or undefined when it keeps them. */
function scrambles(x: Shape, out: Shape): string | undefined {
  if (x.length < 2) return `it arranges a flat vector of ${x[0]} into [${out.join(", ")}]`;
  const same = out.length === x.length && out.slice(1).every((n, a) => n === x[a + 1]);
  return same ? undefined : `it moves units between positions ([${x.join(", ")}] to [${out.join(", ")}])`;
}

// ── execution ─────────────────────────────────────────────────────────────────

/** The target shape with its −1 resolved from the actual input (the kernel's own reading). */
function reshapeTo(node: LayerNode, x: Tensor): number[] {
  const dims = (node.args.shape as number[]).slice();
  const size = prod(x.shape.slice(1));
  const known = prod(dims.filter((d) => d !== -1));
  const hole = dims.indexOf(-1);
  if (hole >= 0) dims[hole] = size / known;
  if (prod(dims) !== size || !Number.isInteger(dims[hole] ?? 0)) throw new ExecError(`cannot reshape [${x.shape.slice(1).join(", ")}] to [${(node.args.shape as number[]).join(", ")}]`);
  return [x.shape[0]!, ...dims];
}

export const flatten: Family = {
  schema: flattenSchema, rules: flattenRules, probe: {},
  exec: copyExec((_n, x) => [x.shape[0]!, prod(x.shape.slice(1))]),
  onnx: (c) => c.b.node("Flatten", [c.ins[0]!], { axis: int(1) }, c.node.label),
};

export const reshape: Family = {
  schema: reshapeSchema, rules: reshapeRules, exec: copyExec(reshapeTo),
  probe: {},
  onnx: (c) => c.b.node("Reshape", [c.ins[0]!, c.b.int64s([0, ...c.outShape])], {}, c.node.label),
};
