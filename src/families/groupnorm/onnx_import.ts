/**
 * Reading ONNX back: InstanceNormalization → instancenorm, and GroupNorm as PyTorch and convspec
 * export it (Reshape [N, G, −1] → InstanceNormalization with scale 1, bias 0 → Reshape back
 * [→ Mul γ → Add β], which patterns.ts puts as one `convspec.groupnorm` node) → groupnorm.
 *
 * ONNX marks nothing trainable, so the scale and shift say it by how they are stored, as
 * PyTorch writes them: initializers are weights (`affine=True`: γ, β, 2·C params), constants
 * of 1 and 0 (`Constant` nodes: `affine=False`) are not.
 */
import { resolveShape } from "../../onnx/import/fold.js";
import type { Arg, Val } from "../../onnx/import/steps.js";
import { attrFloat, attrInt, type FamilyReads, type OpImport, type Walk } from "../../onnx/import/walk.js";
import type { OnnxNode } from "../../onnx/import/model.js";
import { groupnorm, instancenorm } from "./family.js";

const show = (v: Val | undefined) => (v?.shape ? `[${v.shape.join(", ")}]` : "unknown");

/**
 * γ and β of `c` channels: "weights" when both are initializers of c elements shaped as `fits`
 * allows, "unit" when both are constants all 1 and all 0 (of one element when `scalarUnit`),
 * otherwise the reason neither holds.
 */
function affineOf(w: Walk, names: readonly string[], c: number, fits: (dims: readonly number[]) => boolean, scalarUnit = false): "weights" | "unit" | string {
  const vals = names.map((n) => w.val(n));
  const [g, b] = vals;
  if (!g || !b) return `its scale or shift (${names.map((n) => `"${n}"`).join(", ")}) is neither an initializer nor a constant`;
  if (g.step !== undefined || b.step !== undefined) return "its scale or shift is computed from the data, not stored";
  const weight = (v: Val) => v.init !== undefined && w.model.initializers.get(v.init.name) === v.init;
  // PyTorch's GroupNorm(affine=False) multiplies by a constant 1 of shape [1, 1, 1], which broadcasts.
  const fitting = (v: Val) => v.shape !== undefined && ((fits(v.shape) && v.shape.reduce((a, d) => a * d, 1) === c) || (scalarUnit && !weight(v) && v.shape.every((d) => d === 1)));
  if (!fitting(g) || !fitting(b)) return `scale ${show(g)} and shift ${show(b)} are not one value per channel of ${c}`;
  if (weight(g) && weight(b)) return "weights";
  if (weight(g) || weight(b)) return "one of scale and shift is a weight, the other a constant: affine counts both or neither";
  if (g.values?.every((v) => v === 1) && b.values?.every((v) => v === 0)) return "unit";
  return "its constant scale and shift are not 1 and 0 (a frozen affine has no ConvSpec spelling)";
}

function epsArg(node: OnnxNode): Arg[] {
  const eps = attrFloat(node, "epsilon", 1e-5);
  return Math.abs(eps - 1e-5) > 1e-9 ? [{ key: "eps", value: eps }] : [];
}

/** InstanceNormalization over each channel's positions; γ and β are [C]. */
const readInstancenorm: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last" || x.shape.length < 3) return w.unmapped(node, "its input is not a channels-first [N, C, ...] map with a spatial axis");
  const c = x.shape[1]!;
  const affine = affineOf(w, [node.inputs[1] ?? "", node.inputs[2] ?? ""], c, (d) => d.length === 1);
  if (affine !== "weights" && affine !== "unit") return w.unmapped(node, affine);
  w.emit(node, "instancenorm", [...epsArg(node), ...(affine === "weights" ? [{ key: "affine", value: "true" }] : [])], [x.step], x.shape);
};

/**
 * `convspec.groupnorm` (patterns.ts): inputs x, the first Reshape's target, the second's, and
 * γ, β when a Mul and an Add follow. The targets must be [N, G, −1] and x's own shape, and G
 * must divide the channels (otherwise the Reshape mixes channels of different groups).
 */
const readGroupnorm: OpImport = (w, node) => {
  const x = w.data(node, 0);
  if (!x || x.layout === "last" || x.shape.length < 2) return w.unmapped(node, "its input is not a channels-first [N, C, ...] tensor");
  const groups = attrInt(node, "groups", 0);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const grouped = resolveShape(x.shape, w.consts(node, 1) ?? []);
  if (!grouped || grouped.length !== 3 || grouped[0] !== n || grouped[1] !== groups) return w.unmapped(node, `the first Reshape does not group [${x.shape.join(", ")}] as [N, ${groups}, -1]`);
  if (c % groups !== 0) return w.unmapped(node, `${groups} groups do not divide the ${c} channels, so each group mixes channels of two (groupnorm(groups) needs C divisible by groups)`);
  const back = resolveShape(grouped, w.consts(node, 2) ?? []);
  if (!back || back.join() !== x.shape.join()) return w.unmapped(node, `the second Reshape does not restore [${x.shape.join(", ")}]`);
  const args: Arg[] = [{ value: groups }, ...epsArg(node)];
  if ((node.inputs[3] ?? "") === "") args.push({ key: "affine", value: "false" });
  else {
    // PyTorch's γ, β are [C, 1, ...] (broadcast over the positions); [1, C, 1, ...] broadcasts the same.
    const perChannel = (d: readonly number[]) => d.length === x.shape.length - 1 && d.every((v, i) => v === (i === 0 ? c : 1));
    const fits = (d: readonly number[]) => perChannel(d) || (d.length === x.shape.length && d[0] === 1 && perChannel(d.slice(1)));
    const affine = affineOf(w, [node.inputs[3]!, node.inputs[4] ?? ""], c, fits, true);
    if (affine !== "weights" && affine !== "unit") return w.unmapped(node, affine);
    if (affine === "unit") args.push({ key: "affine", value: "false" });
  }
  w.emit(node, "groupnorm", args, [x.step], x.shape);
};

export const instancenormReads: FamilyReads = { family: instancenorm, ops: [{ op: "InstanceNormalization", read: readInstancenorm }] };
export const groupnormReads: FamilyReads = { family: groupnorm, ops: [{ op: "convspec.groupnorm", read: readGroupnorm }] };
