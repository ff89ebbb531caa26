/**
 * Writes the imported step DAG as ConvSpec a person would write: the graph is cut where one
 * tensor alone is live (an articulation of the main path); a piece between two cuts that
 * branches becomes a block call, pieces with the same structure up to their integer
 * arguments (widths, strides, kernels, groups) share one parametrised block (lift.ts), runs of
 * equal calls become `* N`, and layers keep their ONNX module names as `as` labels.
 */
import { minOf, pushAll } from "../../util/array.js";
import { liftBlocks, type BlockDef } from "./lift.js";
import { labelOf, modulePath, stepItem, type Item } from "./steps.js";

export { labelOf, modulePath, stepItem, type Item };
import { toIdentifier, type Step } from "./steps.js";

/** Names for bound tensors inside a body: y, s, a, b, … (x is the input); `claim` takes a preferred name or a numbered one. */
function nameGen(taken: Set<string>): { fresh: () => string; claim: (pref: string) => string } {
  const pool = ["y", "s", ..."abcdefghijklmnopqrtuvwz"];
  let i = 0;
  const fresh = () => {
    for (;;) {
      const n = i < pool.length ? pool[i]! : `t${i - pool.length + 1}`;
      i++;
      if (!taken.has(n)) return (taken.add(n), n);
    }
  };
  const claim = (pref: string) => {
    for (let k = 1; ; k++) {
      const n = k === 1 ? pref : `${pref}_${k}`;
      if (!taken.has(n)) return (taken.add(n), n);
    }
  };
  return { fresh, claim };
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
 * `exits` the items the body outputs, each with its output name (none: the one `output`).
 * Items must be in topological order. A `param` item is a declaration; a split's parts are
 * bound together on one line, `a, b = x -> split(2)`.
 */
export function writeBody(items: readonly Item[], named: Map<number, string>, exits: ReadonlyMap<number, string | undefined>, indent: string): string[] {
  const readers = new Map<number, Item[]>();
  const byId = new Map<number, Item>();
  for (const it of items) {
    byId.set(it.id, it);
    for (const i of it.inputs) readers.set(i, [...(readers.get(i) ?? []), it]);
  }
  const taken = new Set(named.values());
  for (const n of exits.values()) if (n !== undefined) taken.add(n);
  const { fresh, claim } = nameGen(taken);
  // v continues u's chain when v is a one-input layer and u's only reader, and u is no named
  // input, split part, param or output (an output another layer reads ends its chain, named).
  const continues = (v: Item): boolean => {
    const u = v.inputs.length === 1 ? byId.get(v.inputs[0]!) : undefined;
    return !v.merge && !v.part && !v.param && v.inputs.length === 1 && (readers.get(v.inputs[0]!)?.length ?? 0) === 1 && !named.has(v.inputs[0]!) && !exits.has(v.inputs[0]!) && !u?.part && !u?.param;
  };
  const next = new Map<number, Item>();
  for (const it of items) if (continues(it)) next.set(it.inputs[0]!, it);
  const lines: string[] = [];
  const tail = new Map<number, string[]>();
  const stepText = (it: Item) => (it.label ? `${it.text} as ${it.label}` : it.text);
  for (const start of items) {
    if (named.has(start.id) || continues(start) || (start.part && start.id !== minOf(start.part.ids))) continue;
    if (start.param !== undefined) {
      const name = claim(start.param);
      named.set(start.id, name);
      lines.push(`${indent}param ${name}: ${start.text}`);
      continue;
    }
    const operands = [...start.inputs.map((i) => named.get(i)!), ...(start.mergeArgs ?? [])];
    const head = start.merge ? stepText({ ...start, text: `${start.text}(${operands.join(", ")})` }) : named.get(start.inputs[0]!)!;
    const steps = start.merge ? [] : [stepText(start)];
    if (start.part) {
      const ids = start.part.ids;
      const names = ids.map(() => fresh());
      ids.forEach((id, k) => named.set(id, names[k]!));
      pushAll(lines, chainLines(`${names.join(", ")} = ${head}`, steps, indent));
      for (const [k, id] of ids.entries()) if (exits.has(id)) tail.set(id, [`${indent}output ${exits.get(id) === undefined ? names[k] : `${exits.get(id)} = ${names[k]}`}`]);
      continue;
    }
    let last = start;
    for (let n = next.get(start.id); n; n = next.get(n.id)) {
      steps.push(stepText(n));
      last = n;
    }
    if (exits.has(last.id)) {
      const name = exits.get(last.id);
      if (name !== undefined) named.set(last.id, name);
      const chain = chainLines(name === undefined ? `output ${head}` : `output ${name} = ${head}`, steps, indent);
      // An output nothing else reads is written last, in the graph's order of outputs.
      if (readers.has(last.id)) pushAll(lines, chain);
      else tail.set(last.id, chain);
    } else {
      const name = fresh();
      named.set(last.id, name);
      pushAll(lines, chainLines(`${name} = ${head}`, steps, indent));
    }
  }
  for (const id of exits.keys()) pushAll(lines, tail.get(id) ?? []);
  return lines;
}

/** The whole spec: lifted blocks first, then the model; one output is `output`, several are named. */
export function writeSpec(steps: readonly Step[], outputs: readonly { id: number; name: string }[], meta: { name: string; source: string }): string {
  const { blocks, items } = liftBlocks(steps, outputs.map((o) => o.id));
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
  const exits = new Map<number, string | undefined>();
  for (const o of outputs) {
    if (outputs.length === 1) exits.set(o.id, undefined);
    else {
      let n = toIdentifier(o.name) ?? "out";
      for (let k = 2; taken.has(n) || n === "output"; k++) n = `${toIdentifier(o.name) ?? "out"}_${k}`;
      taken.add(n);
      exits.set(o.id, n);
    }
  }
  pushAll(out, writeBody(items, named, exits, "  "));
  out.push("}");
  return out.join("\n") + "\n";
}

function blockText(b: BlockDef): string[] {
  const params = b.params.map((p) => (p.default === undefined ? p.name : `${p.name}=${p.default}`));
  const named = new Map<number, string>([[b.entry, "x"]]);
  return [`block ${b.name}(${params.join(", ")}) {`, "  input x", ...writeBody(b.items, named, new Map([[b.exit, undefined]]), "  "), "}"];
}

