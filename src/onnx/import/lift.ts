/**
 * Lifts repeated sub-graphs into parametrised blocks. The step DAG is cut at every step after
 * which it is the only live tensor; a piece between two cuts with more than one step is a
 * block candidate. Pieces are hashed by structure with every integer width, kernel, stride,
 * padding and group count taken out as a slot; pieces with equal hashes share a block whose
 * parameters are the slots that vary (a slot equal to, a multiple of, or (k − 1)/2 of an
 * earlier one is written as that expression: `width * 4`, `(k - 1) / 2`).
 */
import { argText, isMerge, itemOf, labelOf, modulePath, stepItem, type Arg, type ArgValue, type Item, type Step } from "./steps.js";

export interface BlockParam {
  readonly name: string;
  readonly default?: number;
}

export interface BlockDef {
  readonly name: string;
  readonly params: readonly BlockParam[];
  readonly items: readonly Item[];
  readonly entry: number;
  readonly exit: number;
}

/** Shape-keeping, parameter-free steps a branching piece takes after its merge (ShuffleNet's shuffle too). */
const ACTIVATIONS = new Set(["relu", "relu6", "silu", "gelu", "sigmoid", "hardswish", "hardsigmoid", "tanh", "leaky_relu", "elu", "mish", "softplus", "channel_shuffle"]);

/** Calls whose list arguments hold widths or amounts, each integer a slot: a param's dims, crop and pad amounts. */
const LIST_ROLE: Readonly<Record<string, string>> = { param: "c", crop: "p", pad: "p" };

/** A value with every number replaced by f's result. */
function mapLeaves(v: ArgValue, f: (n: number) => ArgValue): ArgValue {
  return typeof v === "number" ? f(v) : typeof v === "string" ? v : v.map((x) => mapLeaves(x, f));
}

/** Defaults of the conv arguments a slot may take (filled in before hashing, dropped when written). */
const CONV_DEFAULTS: Readonly<Record<string, number>> = { stride: 1, padding: 0, groups: 1 };

/** The name a slot's parameter gets, by the argument it fills. */
function role(call: string, a: Arg, pos: number): string | undefined {
  if (typeof a.value !== "number" || !Number.isInteger(a.value)) return undefined;
  if (a.key === undefined) return pos === 0 ? (/^(conv|deconv|dense)/.test(call) ? "c" : "k") : pos === 1 ? "k" : undefined;
  return { stride: "stride", padding: "p", groups: "g", dilation: "d" }[a.key];
}

const CONV = /^(de)?conv\dd$/;

/** Keyed arguments in one order, so equal calls hash equal. */
const KEY_ORDER = ["stride", "padding", "dilation", "output_padding", "groups"];

/** A conv's arguments with the slot defaults filled in and keys in KEY_ORDER. */
function normalized(s: Step): Arg[] {
  if (!CONV.test(s.call)) return s.args;
  const args = [...s.args];
  for (const [k, v] of Object.entries(CONV_DEFAULTS)) if (!args.some((a) => a.key === k)) args.push({ key: k, value: v });
  const rank = (a: Arg) => (a.key === undefined ? -1 : KEY_ORDER.includes(a.key) ? KEY_ORDER.indexOf(a.key) : KEY_ORDER.length);
  return args.map((a, i) => ({ a, i })).sort((p, q) => rank(p.a) - rank(q.a) || p.i - q.i).map((p) => p.a);
}

interface Piece {
  readonly entry: number;
  readonly exit: number;
  readonly steps: readonly Step[];
  readonly hash: string;
  readonly slots: readonly number[];
  readonly roles: readonly string[];
}

/** Cut points: steps after which they alone are live (and every later step depends on them). */
function cuts(steps: readonly Step[], outputs: readonly number[]): number[] {
  const last = new Array<number>(steps.length).fill(-1);
  for (const s of steps) for (const i of s.inputs) last[i] = Math.max(last[i]!, s.id);
  for (const o of outputs) last[o] = Infinity;
  const endsAt = new Map<number, number>();
  for (const l of last) if (l !== -1 && l !== Infinity) endsAt.set(l, (endsAt.get(l) ?? 0) + 1);
  const out: number[] = [];
  let live = 0;
  for (const s of steps) {
    live -= endsAt.get(s.id) ?? 0;
    if (last[s.id] !== -1) live++;
    if (live === 1 && last[s.id] !== -1) out.push(s.id);
  }
  return out;
}

function piece(steps: readonly Step[], entry: number): Piece | undefined {
  const local = new Map<number, number>(steps.map((s, i) => [s.id, i]));
  const slots: number[] = [];
  const roles: string[] = [];
  const shape: unknown[] = [];
  for (const s of steps) {
    const ins = s.inputs.map((i) => (i === entry ? "x" : local.get(i)));
    if (ins.some((i) => i === undefined)) return undefined; // reads a tensor from outside the piece
    const args = normalized(s).map((a, pos) => {
      const listRole = LIST_ROLE[s.call];
      if (listRole !== undefined && Array.isArray(a.value)) {
        return [a.key, mapLeaves(a.value, (n) => (Number.isInteger(n) ? (slots.push(n), roles.push(listRole), "#") : n))];
      }
      const r = role(s.call, a, pos);
      if (r === undefined) return [a.key, a.value];
      slots.push(a.value as number);
      roles.push(r);
      return [a.key, "#"];
    });
    shape.push([s.call, args, ins, s.part?.index ?? null]);
  }
  return { entry, exit: steps[steps.length - 1]!.id, steps, hash: JSON.stringify(shape), slots, roles };
}

/** Each slot as an expression over the block's parameters, and the parameters it needs. */
function parametrise(group: readonly Piece[]): { exprs: string[]; params: BlockParam[]; values: number[][] } {
  const n = group[0]!.slots.length;
  const col = (j: number) => group.map((p) => p.slots[j]!);
  const exprs: string[] = [];
  const params: BlockParam[] = [];
  const values: number[][] = group.map(() => []);
  const owner: { name: string; j: number }[] = [];
  const used = new Map<string, number>();
  for (let j = 0; j < n; j++) {
    const v = col(j);
    if (group.length === 1 || v.every((x) => x === v[0])) {
      exprs.push(String(v[0]));
      continue;
    }
    const rel = owner.map((o) => ({ o, u: col(o.j) })).map(({ o, u }) => {
      if (u.every((x, i) => x === v[i])) return o.name;
      const k = v[0]! / u[0]!;
      if (Number.isInteger(k) && k > 1 && u.every((x, i) => x * k === v[i])) return `${o.name} * ${k}`;
      const q = u[0]! / v[0]!;
      if (Number.isInteger(q) && q > 1 && u.every((x, i) => x === v[i]! * q)) return `${o.name} / ${q}`;
      if (group[0]!.roles[j] === "p" && u.every((x, i) => (x - 1) / 2 === v[i])) return `(${o.name} - 1) / 2`;
      return undefined;
    });
    const found = rel.find((r) => r !== undefined);
    if (found) {
      exprs.push(found);
      continue;
    }
    const base = group[0]!.roles[j]!;
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    const name = count === 1 ? base : `${base}${count}`;
    owner.push({ name, j });
    exprs.push(name);
    // A default when one value covers more than half of the calls (stride 1, say).
    const tally = new Map<number, number>();
    for (const x of v) tally.set(x, (tally.get(x) ?? 0) + 1);
    const [top, times] = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]!;
    params.push(times * 2 > v.length && base !== "c" ? { name, default: top } : { name });
    v.forEach((x, i) => values[i]!.push(x));
  }
  // Parameters with defaults after those without (a call may then leave them out).
  const order = params.map((q, k) => ({ q, k })).sort((a, b) => Number(a.q.default !== undefined) - Number(b.q.default !== undefined) || a.k - b.k);
  return { exprs, params: order.map((o) => o.q), values: values.map((v) => order.map((o) => v[o.k]!)) };
}

/** The body of a block: the piece's steps with their slots written as the expressions. */
function blockItems(p: Piece, exprs: readonly string[]): Item[] {
  let k = 0;
  return p.steps.map((s) => {
    const args = normalized(s)
      .map((a, pos): Arg => {
        if (LIST_ROLE[s.call] !== undefined && Array.isArray(a.value)) return { ...a, value: mapLeaves(a.value, (n) => (Number.isInteger(n) ? exprs[k++]! : n)) };
        return role(s.call, a, pos) === undefined ? a : { ...a, value: exprs[k++]! as ArgValue };
      })
      .filter((a) => !(CONV.test(s.call) && a.key !== undefined && a.key in CONV_DEFAULTS && argText(a.value) === String(CONV_DEFAULTS[a.key])));
    return itemOf(s, args);
  });
}

function blockName(p: Piece, taken: Set<string>): string {
  const calls = new Set(p.steps.map((s) => s.call));
  const base = calls.has("concat") ? "branches" : calls.has("add") ? "residual" : calls.has("mul") ? "gated" : "unit";
  for (let i = 1; ; i++) {
    const n = i === 1 ? base : `${base}${i}`;
    if (!taken.has(n)) return (taken.add(n), n);
  }
}

/** The common leading dotted components of module paths (`layer1.0`, `layer1.1` → `layer1`). */
function commonPath(paths: readonly string[]): string {
  if (paths.length === 0) return "";
  const split = paths.map((p) => p.split("."));
  const out: string[] = [];
  for (let i = 0; split.every((s) => s[i] !== undefined && s[i] === split[0]![i]); i++) out.push(split[0]![i]!);
  return out.join(".");
}

/** The module a step belongs to, two levels deep (`features.2` of `features.2.conv.0.0`), if its name says. */
function unitOf(s: Step): string | undefined {
  const parts = modulePath(s.origin).split(".");
  return parts.length >= 3 ? parts.slice(0, 2).join(".") : undefined;
}

/**
 * Chains of steps from one module (MobileNet's inverted residual without its shortcut, say)
 * between the branching pieces; kept only when the same structure occurs twice or more.
 */
function linearPieces(steps: readonly Step[], cut: readonly number[], inPiece: ReadonlyMap<number, Piece>): Piece[] {
  const found: Piece[] = [];
  let run: number[] = [];
  const flush = () => {
    const p = run.length > 1 ? piece(run.map((id) => steps[id]!), steps[run[0]!]!.inputs[0]!) : undefined;
    if (p) found.push(p);
    run = [];
  };
  for (let c = 1; c < cut.length; c++) {
    const s = steps[cut[c]!]!;
    const unit = cut[c]! - cut[c - 1]! === 1 && !inPiece.has(s.id) && !isMerge(s.call) ? unitOf(s) : undefined;
    if (unit === undefined || (run.length > 0 && unitOf(steps[run[0]!]!) !== unit)) flush();
    if (unit !== undefined) run.push(s.id);
  }
  flush();
  const count = new Map<string, number>();
  for (const p of found) count.set(p.hash, (count.get(p.hash) ?? 0) + 1);
  return found.filter((p) => count.get(p.hash)! > 1);
}

/** Blocks for the repeated pieces, and the model body's items (steps and block calls, runs folded). */
export function liftBlocks(steps: readonly Step[], outputs: readonly number[]): { blocks: BlockDef[]; items: Item[] } {
  const cut = cuts(steps, outputs);
  const inPiece = new Map<number, Piece>();
  const pieces: Piece[] = [];
  for (let c = 1; c < cut.length; c++) {
    if (cut[c]! - cut[c - 1]! === 1) continue;
    // A branching piece takes the activations right after its merge (`add(y, x) -> relu`),
    while (c + 1 < cut.length && cut[c + 1]! - cut[c]! === 1 && ACTIVATIONS.has(steps[cut[c + 1]!]!.call)) cut.splice(c, 1);
    // and the steps just before it from the same module (SqueezeNet's squeeze before its expand branches).
    const own = commonPath(steps.slice(cut[c - 1]! + 1, cut[c]! + 1).map((x) => modulePath(x.origin)));
    while (own !== "" && c >= 2 && cut[c - 1]! - cut[c - 2]! === 1 && !isMerge(steps[cut[c - 1]!]!.call) && modulePath(steps[cut[c - 1]!]!.origin).startsWith(own + ".")) {
      cut.splice(c - 1, 1);
      c--;
    }
    const body = steps.slice(cut[c - 1]! + 1, cut[c]! + 1);
    // A lone merge with a param operand (a ViT's position embedding) stays in the body.
    const p = body.filter((x) => x.call !== "param").length > 1 ? piece(body, cut[c - 1]!) : undefined;
    if (!p) continue;
    pieces.push(p);
    for (const s of body) inPiece.set(s.id, p);
  }
  for (const p of linearPieces(steps, cut, inPiece)) {
    pieces.push(p);
    for (const s of p.steps) inPiece.set(s.id, p);
  }
  const groups = new Map<string, Piece[]>();
  for (const p of pieces) groups.set(p.hash, [...(groups.get(p.hash) ?? []), p]);
  const blocks: BlockDef[] = [];
  const callOf = new Map<Piece, string>();
  const names = new Set<string>();
  for (const group of groups.values()) {
    const { exprs, params, values } = parametrise(group);
    const name = blockName(group[0]!, names);
    blocks.push({ name, params, items: blockItems(group[0]!, exprs), entry: group[0]!.entry, exit: group[0]!.exit });
    group.forEach((p, i) => {
      const args = params.flatMap((q, k) => (q.default === undefined ? [String(values[i]![k])] : values[i]![k] === q.default ? [] : [`${q.name}=${values[i]![k]}`]));
      callOf.set(p, args.length === 0 ? name : `${name}(${args.join(", ")})`);
    });
  }
  return { blocks, items: foldPeriods(modelItems(steps, inPiece, callOf), blocks, names) };
}

function modelItems(steps: readonly Step[], inPiece: ReadonlyMap<number, Piece>, callOf: ReadonlyMap<Piece, string>): Item[] {
  const labels = new Set<string>();
  const unique = (l: string | undefined) => (l === undefined || labels.has(l) ? undefined : (labels.add(l), l));
  const items: (Item & { path?: string; count?: number })[] = [];
  const meaningful = (s: Step) => /^(conv|deconv|dense|maxpool|avgpool|lppool|global|adaptive|upsample)/.test(s.call);
  for (const s of steps) {
    if (s.call === "input") continue;
    const p = inPiece.get(s.id);
    if (!p) {
      items.push(stepItem(s, meaningful(s) ? unique(labelOf(s.origin)) : undefined));
      continue;
    }
    if (s.id !== p.exit) continue;
    const path = commonPath(p.steps.map((x) => modulePath(x.origin)).filter((x) => x !== ""));
    const prev = items[items.length - 1];
    const text = callOf.get(p)!;
    if (prev && prev.text === text && prev.id === p.entry && !prev.merge) {
      // a run: the same call again on the previous call's output
      items[items.length - 1] = { ...prev, id: s.id, count: (prev.count ?? 1) + 1, path: commonPath([prev.path ?? "", path]) };
      continue;
    }
    items.push({ id: s.id, text, merge: false, inputs: [p.entry], path });
  }
  const paths = items.map((it) => it.path ?? modulePath(steps[it.id]?.origin ?? ""));
  // A run's common path labels it only when it names nothing else but the call just before
  // (`layer1` after `layer1.0`), not a whole backbone (`features`).
  const ownPath = (k: number) => {
    const p = items[k]!.path!;
    return !items[k]!.count || paths.every((q, j) => j === k || j === k - 1 || !q.startsWith(p + "."));
  };
  return items.map((it, k) => {
    if (it.path === undefined) return it;
    const label = ownPath(k) ? unique(labelOf(it.path)) : undefined;
    const text = it.count ? `${it.text} * ${it.count}` : it.text;
    return { id: it.id, text, merge: false, inputs: it.inputs, ...(label ? { label } : {}) };
  });
}

/**
 * A run of the same sequence of two or three calls, repeated (a ViT's attention and MLP
 * residuals, layer after layer), becomes one block holding the sequence, called `* N`.
 */
function foldPeriods(items: readonly Item[], blocks: BlockDef[], names: Set<string>): Item[] {
  const out: Item[] = [];
  // Only calls of lifted blocks (a layer sequence such as conv -> relu stays written out).
  const lifted = new Set(blocks.map((b) => b.name));
  const plain = (it: Item | undefined) => it !== undefined && !it.merge && !it.text.includes(" * ") && lifted.has(it.text.replace(/\(.*$/, ""));
  const chains = (k: number) => plain(items[k]) && items[k]!.inputs.length === 1 && items[k]!.inputs[0] === items[k - 1]?.id;
  const known = new Map<string, string>();
  for (let i = 0; i < items.length; ) {
    let done = false;
    for (const p of [2, 3]) {
      const same = (k: number) => items[k]?.text === items[i + ((k - i) % p)]!.text && chains(k);
      let n = 1;
      while (Array.from({ length: p }, (_, j) => i + n * p + j).every(same)) n++;
      const first = items.slice(i, i + p);
      if (n < 2 || !plain(items[i]) || !first.slice(1).every((_, j) => chains(i + 1 + j)) || new Set(first.map((f) => f.text)).size < p) continue;
      const key = first.map((f) => f.text).join(" -> ");
      let name = known.get(key);
      if (name === undefined) {
        for (let k = 1; ; k++) {
          name = k === 1 ? "layer" : `layer${k}`;
          if (!names.has(name)) break;
        }
        names.add(name);
        known.set(key, name);
        const entry = items[i]!.inputs[0]!;
        const body = first.map((f, j) => ({ id: f.id, text: f.text, merge: false, inputs: [j === 0 ? entry : first[j - 1]!.id] }));
        blocks.push({ name, params: [], items: body, entry, exit: first[p - 1]!.id });
      }
      out.push({ id: items[i + n * p - 1]!.id, text: `${name} * ${n}`, merge: false, inputs: items[i]!.inputs });
      i += n * p;
      done = true;
      break;
    }
    if (!done) out.push(items[i++]!);
  }
  return out;
}
