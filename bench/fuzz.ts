/**
 * The long fuzz run (not part of `npm test`): mutated zoo specs, random token streams and
 * truncations through parse → compile → analyze, counting uncaught exceptions, out-of-range
 * spans and slow cases. Build first, then:  node dist/bench/fuzz.js [--cases N] [--seed S]
 * Exit code 1 when any case crashed, put a span outside its text, or took over a second.
 *
 * Cases run in a child process with a capped heap: a case that exhausts memory kills only the
 * child, is counted as a crash (with its text), and a new child resumes at the next case.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { applyMutations, checkCase, loadCorpus, mutatedSpecArb, tokenStreamArb } from "./fuzz-cases.js";

interface Options {
  readonly cases: number;
  readonly seed: number;
  readonly heapMb: number;
}

/** What the worker says about each case: before it runs (so a fatal case is known) and after. */
type Message =
  | { readonly t: "start"; readonly index: number; readonly label: string; readonly head: string }
  | { readonly t: "done"; readonly index: number; readonly ms: number; readonly crashed: boolean; readonly badSpans: number; readonly problem?: string };

function options(argv: readonly string[]): Options {
  const get = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i === -1) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${flag} needs a positive integer, got ${argv[i + 1]}`);
    return v;
  };
  return { cases: get("--cases", 100_000), seed: get("--seed", 20261122), heapMb: get("--heap-mb", 1024) };
}

/** Child side: runs cases `start`.. of the seeded sequence and reports each one. */
function runCases(opts: Options, start: number): void {
  const post = (m: Message) => process.send!(m);
  const corpus = loadCorpus(fileURLToPath(new URL("../../specs/", import.meta.url)));
  const resolve = (p: string) => corpus.get(p);
  const names = [...corpus.keys()];
  let index = 0;
  const one = (kind: string, file: string, text: string): void => {
    const i = index++;
    if (i < start) return; // already run by an earlier child
    post({ t: "start", index: i, label: `${kind} ${file} (${text.length} chars)`, head: JSON.stringify(text.slice(0, 160)) });
    const r = checkCase(file, text, resolve);
    post({ t: "done", index: i, ms: r.ms, crashed: r.crashed, badSpans: r.badSpans, ...(r.problems[0] ? { problem: r.problems[0] } : {}) });
  };
  // A fifth truncations (every offset of the zoo, round-robin), the rest fast-check cases:
  // three mutated specs to every random token stream.
  const truncations = Math.floor(opts.cases / 5);
  const offsets = names.flatMap((n) => Array.from({ length: corpus.get(n)!.length + 1 }, (_, i) => [n, i] as const));
  for (let i = 0; i < truncations; i++) {
    const [n, at] = offsets[i % offsets.length]!;
    one("truncate", n, corpus.get(n)!.slice(0, at));
  }
  const mixed = fc.oneof(
    { weight: 3, arbitrary: mutatedSpecArb(names).map((m) => ({ kind: "mutate", file: m.name, text: applyMutations(corpus.get(m.name)!, m.mutations) })) },
    { weight: 1, arbitrary: tokenStreamArb.map((text) => ({ kind: "stream", file: "stream.cnn", text })) },
  );
  fc.assert(
    fc.property(mixed, (c) => {
      one(c.kind, c.file, c.text);
      return true;
    }),
    { seed: opts.seed, numRuns: opts.cases - truncations },
  );
}

const HANG_MS = 30_000;

interface Stats {
  done: number;
  crashes: number;
  badSpans: number;
  over1s: number;
  slowestMs: number;
  slowest: string;
  examples: string[];
}

/** Parent side: one child after another until every case has run. */
async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const stats: Stats = { done: 0, crashes: 0, badSpans: 0, over1s: 0, slowestMs: 0, slowest: "", examples: [] };
  const t0 = performance.now();
  let next = 0;
  while (next < opts.cases) {
    let current: Extract<Message, { t: "start" }> | undefined;
    const child = fork(fileURLToPath(import.meta.url), ["--child", JSON.stringify({ opts, start: next })], {
      execArgv: [`--max-old-space-size=${opts.heapMb}`],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    // A case that runs 30 s is a hang: kill the child, count the case, go on. (Only while a case
    // runs: a new child first regenerates, silently, the cases before its start.)
    let watchdog: NodeJS.Timeout | undefined;
    child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    child.on("message", (m: Message) => {
      clearTimeout(watchdog);
      if (m.t === "start") watchdog = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
      if (m.t === "start") current = m;
      else {
        next = m.index + 1;
        stats.done++;
        if (m.crashed) stats.crashes++;
        stats.badSpans += m.badSpans;
        if (m.ms > 1000) stats.over1s++;
        if (m.ms > stats.slowestMs) [stats.slowestMs, stats.slowest] = [m.ms, current?.label ?? ""];
        if (m.problem && stats.examples.length < 10) stats.examples.push(`${current?.label}: ${m.problem} :: ${current?.head}`);
        current = undefined;
      }
    });
    const startedAt = next;
    const exit = await new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? String(code))));
    clearTimeout(watchdog);
    if (exit === "0") break;
    // The child died inside a case: count it, and resume after it.
    stats.done++;
    stats.crashes++;
    const why = exit === "SIGKILL" ? `a case ran over ${HANG_MS / 1000} s` : /FATAL ERROR: [^\n]*|out of memory/.exec(stderr)?.[0] ?? `exit ${exit}`;
    if (stats.examples.length < 10) stats.examples.push(`${current?.label}: the process died (${why}) :: ${current?.head}`);
    next = Math.max(next, (current?.index ?? next) + 1, startedAt + 1);
  }
  const lines = [
    `convspec fuzz: seed ${opts.seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    `cases:                ${stats.done}`,
    `uncaught exceptions:  ${stats.crashes}`,
    `out-of-range spans:   ${stats.badSpans}`,
    `slowest case:         ${stats.slowestMs.toFixed(1)} ms (${stats.slowest})`,
    `cases over 1 s:       ${stats.over1s}`,
    ...stats.examples.map((e) => `  example: ${e}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return stats.crashes + stats.badSpans + stats.over1s === 0 ? 0 : 1;
}

const childAt = process.argv.indexOf("--child");
if (childAt === -1) process.exitCode = await main();
else {
  const { opts, start } = JSON.parse(process.argv[childAt + 1]!) as { opts: Options; start: number };
  runCases(opts, start);
  process.disconnect?.();
}
