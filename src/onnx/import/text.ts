/**
 * Writes the imported step DAG as ConvSpec a person would write: the graph is cut where one
 * tensor alone is live (an articulation of the main path); a piece between two cuts that
 * branches becomes a block call, pieces with the same structure up to their integer
 * arguments (widths, strides, kernels, groups) share one parametrised block (lift.ts), runs of
 * equal calls become `* N`, and layers keep their ONNX module names as `as` labels.
 */
import { pushAll } from "../../util/array.js";
import { flatItems, liftBlocks, type BlockDef } from "./lift.js";
import { labelOf, modulePath, stepItem, type Item } from "./steps.js";

export { labelOf, modulePath, stepItem, type Item };
import { argsText, callText, isMerge, toIdentifier, type Step } from "./steps.js";

/** Names for bound tensors inside a body: y, s, a, b, … (x is the input). */
function nameGen(taken: Set<string>): () => string {
  const pool = ["y", "s", ..."abcdefghijklmnopqrtuvwz"];
  let i = 0;
  return () => {
    for (;;) {
      const n = i < pool.length ? pool[i]! : `t${i - pool.length + 1}`;
      i++;
      if (!taken.has(n)) return (taken.add(n), n);
    }
  };
}

/** Steps joined into lines of at most ~96 characters, continuation lines starting with `->`. */
function chainLines(head: string, steps: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  let cur = `${indent}${head}`;
  for (const s of steps) {
    if (cur.length + s.length + 4 > 96 && cur.trim() !== head) {
      lines.push(cur);
      cur = `${indent}  -> ${s}`;
    } else cur += ` -> ${s}`;
  }
  lines.push(cur);
  return lines;
}

/**
 * A DAG of items as chains and bindings. `named` holds the names of the inputs (entry tensors);
 * `exit` is the item the body outputs. Items must be in topological order.
 */
export function writeBody(items: readonly Item[], named: Map<number, string>, exit: number, indent: string, outputs?: ReadonlyMap<number, string>): string[] {
  const readers = new Map<number, Item[]>();
  for (const it of items) for (const i of it.inputs) readers.set(i, [...(readers.get(i) ?? []), it]);
  const fresh = nameGen(new Set([...named.values(), ...(outputs?.values() ?? [])]));
  // v continues u's chain when v is a one-input layer and u's only reader, and u is no named
  // input nor a named output (a chain ends at `output NAME = ...`, which later chains read by name).
  const continues = (v: Item): boolean => !v.merge && v.inputs.length === 1 && (readers.get(v.inputs[0]!)?.length ?? 0) === 1 && !named.has(v.inputs[0]!) && !outputs?.has(v.inputs[0]!);
  const next = new Map<number, Item>();
  for (const it of items) if (continues(it)) next.set(it.inputs[0]!, it);
  const lines: string[] = [];
  const stepText = (it: Item) => (it.label ? `${it.text} as ${it.label}` : it.text);
  for (const start of items) {
    if (named.has(start.id) || continues(start)) continue;
    const operands = [...start.inputs.map((i) => named.get(i)!), ...(start.mergeArgs ?? [])];
    const head = start.merge ? stepText({ ...start, text: `${start.text}(${operands.join(", ")})` }) : named.get(start.inputs[0]!)!;
    const steps = start.merge ? [] : [stepText(start)];
    let last = start;
    for (let n = next.get(start.id); n; n = next.get(n.id)) {
      steps.push(stepText(n));
      last = n;
    }
    const outName = outputs?.get(last.id);
    if (outName !== undefined) {
      named.set(last.id, outName);
      pushAll(lines, chainLines(`output ${outName} = ${head}`, steps, indent));
    } else if (!outputs && last.id === exit) pushAll(lines, chainLines(`output ${head}`, steps, indent));
    else {
      const name = fresh();
      named.set(last.id, name);
      pushAll(lines, chainLines(`${name} = ${head}`, steps, indent));
    }
  }
  return lines;
}

/**
 * The whole spec: lifted blocks first, then the model. Several outputs are written as
 * `output NAME = ...` each (names from `outputNames`), with no blocks lifted.
 */
export function writeSpec(steps: readonly Step[], outputs: readonly number[], meta: { name: string; source: string; outputNames?: readonly string[] }): string {
  const { blocks, items } = outputs.length > 1 ? { blocks: [], items: flatItems(steps) } : liftBlocks(steps, outputs[0]!);
  const out: string[] = [`# Imported from ${meta.source} by convspec import.`, ""];
  for (const b of blocks) {
    pushAll(out, blockText(b));
    out.push("");
  }
  const named = new Map<number, string>();
  const taken = new Set<string>();
  out.push(`model ${meta.name} {`);
  for (const s of steps) {
    if (s.call !== "input") continue;
    let n = toIdentifier(s.origin) ?? "";
    if (n === "" || taken.has(n)) n = `input${named.size + 1}`;
    taken.add(n);
    named.set(s.id, n);
    out.push(`  input ${n}: [${s.shape.join(", ")}]`);
  }
  const outNames = outputs.length > 1 ? outputNames(outputs, meta.outputNames ?? [], taken) : undefined;
  pushAll(out, writeBody(items, named, outputs[0]!, "  ", outNames));
  out.push("}");
  return out.join("\n") + "\n";
}

/** One identifier per output step, from the ONNX output names where they make one, unique. */
function outputNames(outputs: readonly number[], given: readonly string[], taken: Set<string>): Map<number, string> {
  const out = new Map<number, string>();
  outputs.forEach((id, k) => {
    let n = toIdentifier(given[k] ?? "") ?? `out${k + 1}`;
    if (taken.has(n) || n === "output") n = `out${k + 1}`;
    while (taken.has(n)) n = `${n}_`;
    taken.add(n);
    out.set(id, n);
  });
  return out;
}

function blockText(b: BlockDef): string[] {
  const params = b.params.map((p) => (p.default === undefined ? p.name : `${p.name}=${p.default}`));
  const named = new Map<number, string>([[b.entry, "x"]]);
  return [`block ${b.name}(${params.join(", ")}) {`, "  input x", ...writeBody(b.items, named, b.exit, "  "), "}"];
}

