/**
 * Hostile inputs for the front end, shared by the property tests (test/fuzz/) and the long fuzz
 * run (bench/fuzz.ts): token-level mutations of the zoo specs, random token streams, and one
 * checker that runs parse → compile → analyze and reports what went wrong as data.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { parseText } from "../src/ast/build.js";
import { compile } from "../src/graph/compile.js";
import { analyze } from "../src/analysis/analyze.js";
import type { Diagnostic, Span } from "../src/diagnostics/diagnostic.js";

/** Every .cnn under `dir`, by path relative to it (so `use "lib/x.cnn"` resolves in memory). */
export function loadCorpus(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".cnn")) out.set(relative(dir, full), readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** Every layer family once, so that mutations reach every family's numbers (no zoo model has a deconv). */
export const FAMILIES_SPEC = `# Every layer family once, so the fuzz mutates every family's numbers (not a zoo model).
block gate(c) {
  input x
  s = x -> global_avgpool -> conv2d(c, 1) -> sigmoid
  output mul(x, s)
}
model families {
  input image: [3, 32, 32]
  a = image -> conv2d(8, 3, stride=1, padding=1, dilation=1, groups=1) -> batchnorm -> relu
  b = image -> deconv2d(8, 4, stride=2, padding=1) -> avgpool(2) -> layernorm(axes=all) -> leaky_relu(0.1)
  c = image -> pad(1, mode=reflect) -> conv2d(8, 3) -> lrn(size=5) -> elu
  d = image -> upsample(2) -> maxpool(2, stride=2) -> conv2d(8, 1) -> gelu
  e = image -> zeropad([[0, 1], [1, 0]]) -> lppool(2, stride=1) -> conv2d(8, 1) -> hardswish
  f = image -> conv2d(8, 3, padding=1) -> groupnorm(4) -> instancenorm(affine=true) -> layernorm(axes=[0, -1]) -> attention(2, qkv_bias=false)
  m = add(a, b, c, f)
  output concat(m, d, e)
    -> gate(24)
    -> channel_maxpool(2) -> adaptive_avgpool([6, 6]) -> adaptive_maxpool(3)
    -> conv(4, 1) -> identity -> dropout(0.5)
    -> reshape([12, -1]) -> flatten -> dense(10) -> softmax
  assert shape(output) == [10]
}
`;

/** The ConvSpec 1.1 language constructs once: expressions, named outputs, param/buffer, allow, channel_shuffle, concat along an axis. */
export const LANG_1_1_SPEC = `# ConvSpec 1.1: expressions, named outputs, learnable tensors, allow (not a zoo model).
block scale(c, w=make_divisible(c * 0.75, 8)) {
  allow CS3012
  input x
  param gamma: [w, 1, 1]
  buffer shift: [w, 1, 1]
  y = x -> conv2d(w, 3, padding=max(1, 3 // 2)) -> relu
  z = mul(y, gamma)
  output add(z, shift)
}
model lang11 {
  input image: [3, 32, 32]
  c3 = image -> conv2d(16, 3, stride=2, padding=1) -> scale(32)
  output p3 = c3 -> conv2d(8, 1)
  output p4 = c3 -> maxpool(2) -> conv2d(min(8, 64 % 10 + 4), ceil(0.5))
    -> channel_shuffle(floor(4.5) // 2) -> layernorm(axes=[0, 1]) -> conv2d(8, 3, padding=1)
  output p5 = concat(c3, c3, axis=-1)
  assert shape(p3) == [8, 16, 16]
  assert shape(p4) == [8, 8, 8]
  assert params // 2 > round(2.5)
}
`;

/** The layers that slice, regroup and resize (ConvSpec 1.1), with like= and a split binding. */
export const REGROUPING_SPEC = `# slice, split, select, permute, pixel shuffles, crops and resizes, so the fuzz mutates them too.
model regrouping {
  input image: [4, 24, 24]
  s = image -> conv2d(8, 3) -> relu
  d = s -> maxpool(2) -> conv2d(16, 3) -> pixel_shuffle(2)
  c = s -> center_crop(like=d)
  a, b = c -> split([3, 5])
  p = d -> global_avgpool -> conv2d(4, 1) -> resize(like=d, mode=bilinear)
  t = b -> slice(-4, 100, step=2) -> permute([0, 2, 1]) -> crop([[1, 1], 1]) -> pad(1)
  u = a -> pixel_unshuffle(2) -> upsample(1.5, mode=bilinear) -> resize(size=[20, 20], mode=bicubic) -> center_crop(18)
  w, z = p -> split(2, axis=-1)
  q = concat(w, z, axis=-1)
  output concat(t, d, q, u) -> resize(scale=[0.5, 0.75]) -> select(0, axis=1) -> flatten -> dense(10)
}
`;

/** The fuzz corpus: the zoo (with its lib/ files, for `use`), the every-family specs and the 1.1 constructs. */
export function fuzzCorpus(specsDir: string): Map<string, string> {
  const corpus = loadCorpus(specsDir);
  corpus.set("families.cnn", FAMILIES_SPEC);
  corpus.set("lang11.cnn", LANG_1_1_SPEC);
  corpus.set("regrouping.cnn", REGROUPING_SPEC);
  return corpus;
}

/** Numbers that have broken parsers before: zero, negatives, overflow, unsafe integers, junk. */
export const NASTY_NUMBERS = [
  "0", "-1", "1e30", "9007199254740993", "9_007_199_254_740_993", "NaN", "Infinity", "-0", "1e", "1e-400",
  "0x10", "1__0", "1_", "1.5.5", "0.0000001", "1e308", "99999999999999999999999999999999999999999", "1T", "1GiB", "007",
];

/** Characters and strings a lexer should survive. */
export const NASTY_TEXT = [
  "\u0000", "é", "😀", "\ud800", "\udc00", "\ufeff", "\u202e", "\r", "\t", "\\", "\"", "#", "\n->", "$", "`", "→", "∗", "\u00a0",
];

/** Tokens of the language, for random streams and insertions. */
export const VOCABULARY = [
  "model", "block", "input", "output", "assert", "use", "as", "true", "false", "x", "y", "m", "b", "relu", "conv2d",
  "dense", "maxpool", "add", "concat", "flatten", "shape", "params", "1", "3", "64", "0.5", "\"lib/vgg.cnn\"", "->",
  "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "%", "(", ")", "[", "]", "{", "}", ",", ":", "\n", "# c\n",
  "param", "buffer", "allow", "CS3012", "//", "make_divisible", "min", "floor", "nn.Conv2d",
  "max", "ceil", "round", "axis", "axes", "like", "size", "scale", "mode", "all", "split", "select", "slice", "crop",
  "center_crop", "resize", "upsample", "pixel_shuffle", "pixel_unshuffle", "permute", "channel_shuffle", "attention",
  "groupnorm", "instancenorm", "layernorm", "a, b =", "bilinear", "[0, 1]", "-1", "2.5",
];

/** Splits text into tokens, whitespace and comments included, so that joining gives it back. */
export function tokenize(text: string): string[] {
  return text.match(/\s+|#[^\n]*|[A-Za-z_]\w*|\d[\w.]*|->|==|!=|<=|>=|"[^"\n]*"?|[\s\S]/g) ?? [];
}

export type Mutation =
  | { readonly op: "delete" | "duplicate"; readonly at: number }
  | { readonly op: "swap"; readonly at: number; readonly with: number }
  | { readonly op: "number"; readonly at: number; readonly value: string }
  | { readonly op: "longName"; readonly at: number; readonly length: number }
  | { readonly op: "insert"; readonly at: number; readonly text: string }
  | { readonly op: "nest"; readonly at: number; readonly depth: number; readonly open: string }
  | { readonly op: "truncate"; readonly at: number };

const position = fc.nat({ max: 1 << 20 });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom("delete" as const, "duplicate" as const), at: position }),
  fc.record({ op: fc.constant("swap" as const), at: position, with: position }),
  fc.record({ op: fc.constant("number" as const), at: position, value: fc.constantFrom(...NASTY_NUMBERS) }),
  fc.record({ op: fc.constant("longName" as const), at: position, length: fc.constantFrom(64, 1000, 20_000) }),
  fc.record({ op: fc.constant("insert" as const), at: position, text: fc.constantFrom(...NASTY_TEXT, ...VOCABULARY, " * 1000", " * 1000000") }),
  fc.record({ op: fc.constant("nest" as const), at: position, depth: fc.integer({ min: 1, max: 300 }), open: fc.constantFrom("(", "[", "{", "-", "1 + ") }),
  fc.record({ op: fc.constant("truncate" as const), at: position }),
);

const CLOSE: Record<string, string> = { "(": ")", "[": "]", "{": "}", "-": "", "1 + ": "" };

/** Applies one mutation to a token list (positions wrap around its length). */
function mutate(tokens: string[], m: Mutation): string[] {
  const n = tokens.length;
  if (n === 0) return m.op === "insert" ? [m.text] : tokens;
  const i = m.at % n;
  const t = [...tokens];
  switch (m.op) {
    case "delete":
      t.splice(i, 1);
      break;
    case "duplicate":
      t.splice(i, 0, t[i]!);
      break;
    case "swap": {
      const j = m.with % n;
      [t[i], t[j]] = [t[j]!, t[i]!];
      break;
    }
    case "number": {
      const k = t.findIndex((x, idx) => idx >= i && /^\d/.test(x));
      t[k === -1 ? i : k] = m.value;
      break;
    }
    case "longName": {
      const k = t.findIndex((x, idx) => idx >= i && /^[A-Za-z_]/.test(x));
      t[k === -1 ? i : k] = "n".repeat(m.length);
      break;
    }
    case "insert":
      t.splice(i, 0, m.text);
      break;
    case "nest":
      t.splice(i, 1, m.open.repeat(m.depth) + t[i]! + CLOSE[m.open]!.repeat(m.depth));
      break;
    case "truncate":
      return t.slice(0, i);
  }
  return t;
}

export function applyMutations(text: string, ms: readonly Mutation[]): string {
  let tokens = tokenize(text);
  for (const m of ms) tokens = mutate(tokens, m);
  return tokens.join("");
}

/** A random stream of language tokens and nasty characters. */
export const tokenStreamArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...VOCABULARY, ...VOCABULARY, ...NASTY_TEXT, ...NASTY_NUMBERS), { maxLength: 120 })
  .map((ts) => ts.join(" "));

/** A mutated zoo spec: which spec, and the mutations applied to it. */
export function mutatedSpecArb(names: readonly string[]): fc.Arbitrary<{ name: string; mutations: Mutation[] }> {
  return fc.record({ name: fc.constantFrom(...names), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) });
}

export interface CaseReport {
  /** Uncaught exceptions and out-of-range spans, as readable lines; empty when all is well. */
  readonly problems: string[];
  readonly crashed: boolean;
  readonly badSpans: number;
  readonly ms: number;
}

function spanProblem(s: Span, text: string | undefined): string | undefined {
  if (text === undefined) return `span in unknown file ${JSON.stringify(s.file)}`;
  const ok = Number.isInteger(s.start) && Number.isInteger(s.end) && 0 <= s.start && s.start <= s.end && s.end <= text.length;
  return ok ? undefined : `span ${s.start}..${s.end} outside ${s.file} (length ${text.length})`;
}

function checkSpans(ds: readonly Diagnostic[], sources: (f: string) => string | undefined, where: string, out: string[]): number {
  let bad = 0;
  for (const d of ds) {
    for (const s of [d.span, ...(d.related ?? []).map((r) => r.span)]) {
      const p = s && spanProblem(s, sources(s.file));
      if (p) {
        bad++;
        out.push(`${where}: ${d.code} ${p}`);
      }
    }
  }
  return bad;
}

/** Runs parse, compile and analyze on one text; reports crashes and bad spans, never throws. */
export function checkCase(file: string, text: string, resolve?: (path: string) => string | undefined): CaseReport {
  const problems: string[] = [];
  let badSpans = 0;
  let crashed = false;
  const t0 = performance.now();
  const stage = (name: string, run: () => void): void => {
    try {
      run();
    } catch (e) {
      crashed = true;
      problems.push(`${name} threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  };
  stage("parse", () => {
    const r = parseText(text, { file });
    badSpans += checkSpans(r.diagnostics, (f) => (f === file ? text : undefined), "parse", problems);
  });
  stage("compile+analyze", () => {
    const c = compile({ file, text }, { resolve });
    const sources = (f: string) => c.sources.get(f);
    badSpans += checkSpans(c.diagnostics, sources, "compile", problems);
    const a = analyze(c.graph, { sources });
    badSpans += checkSpans(a.diagnostics, sources, "analyze", problems);
  });
  return { problems, crashed, badSpans, ms: performance.now() - t0 };
}
