/**
 * The long fuzz run (not part of `npm test`): mutated zoo specs, random token streams and
 * truncations through parse → compile → analyze, counting uncaught exceptions, out-of-range
 * spans and slow cases. Build first, then:
 *   node dist/bench/fuzz.js [--cases N] [--seed S] [--heap-mb MB] [--hang-ms MS]
 * Exit code 1 when any case crashed, put a span outside its text, or took over a second.
 *
 * Cases run in a child process with a capped heap: a case that exhausts memory or runs past
 * --hang-ms kills only the child, is counted as a crash (with its text), and a new child
 * resumes at the next case. The parent reads the corpus once, so every child sees the same one.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { applyMutations, checkCase, fuzzCorpus, mutatedSpecArb, tokenStreamArb } from "./fuzz-cases.js";

interface Options {
  readonly cases: number;
  readonly seed: number;
  readonly heapMb: number;
  readonly hangMs: number;
}

/** What a child is given, and what it says about each case: before it runs and after. */
interface Job {
  readonly opts: Options;
  readonly start: number;
  readonly corpus: readonly (readonly [string, string])[];
}
type Message =
  | { readonly t: "start"; readonly index: number; readonly label: string; readonly head: string }
  | { readonly t: "done"; readonly index: number; readonly ms: number; readonly crashed: boolean; readonly badSpans: number; readonly heapMb: number; readonly problem?: string }
  | { readonly t: "end" };

function options(argv: readonly string[]): Options {
  const get = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i === -1) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${flag} needs a positive integer, got ${argv[i + 1]}`);
    return v;
  };
  return { cases: get("--cases", 100_000), seed: get("--seed", 20261122), heapMb: get("--heap-mb", 1024), hangMs: get("--hang-ms", 10_000) };
}

/** Child side: runs cases `start`.. of the seeded sequence and reports each one. */
async function runCases({ opts, start, corpus: entries }: Job): Promise<void> {
  const post = (m: Message) => process.send!(m);
  const corpus = new Map(entries);
  const resolve = (p: string) => corpus.get(p);
  const names = [...corpus.keys()];
  let index = 0;
  const one = async (kind: string, file: string, text: () => string): Promise<void> => {
    const i = index++;
    if (i < start) return; // already run by an earlier child
    const t = text();
    post({ t: "start", index: i, label: `${kind} ${file} (${t.length} chars)`, head: JSON.stringify(t.slice(0, 160)) });
    // Let the event loop flush the IPC queue, so the parent knows which case is running.
    await new Promise((resolve) => setImmediate(resolve));
    const r = checkCase(file, t, resolve);
    const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    post({ t: "done", index: i, ms: r.ms, crashed: r.crashed, badSpans: r.badSpans, heapMb, ...(r.problems[0] ? { problem: r.problems[0] } : {}) });
  };
  // A fifth truncations (every offset of the corpus, round-robin), the rest fast-check cases:
  // three mutated specs to every random token stream. Texts are built only for cases that run.
  const truncations = Math.floor(opts.cases / 5);
  const offsets = names.flatMap((n) => Array.from({ length: corpus.get(n)!.length + 1 }, (_, i) => [n, i] as const));
  for (let i = 0; i < truncations; i++) {
    const [n, at] = offsets[i % offsets.length]!;
    await one("truncate", n, () => corpus.get(n)!.slice(0, at));
  }
  const mixed = fc.oneof(
    { weight: 3, arbitrary: mutatedSpecArb(names).map((m) => ({ kind: "mutate", file: m.name, text: () => applyMutations(corpus.get(m.name)!, m.mutations) })) },
    { weight: 1, arbitrary: tokenStreamArb.map((t) => ({ kind: "stream", file: "stream.cnn", text: () => t })) },
  );
  await fc.assert(
    fc.asyncProperty(mixed, async (c) => {
      await one(c.kind, c.file, c.text);
      return true;
    }),
    { seed: opts.seed, numRuns: opts.cases - truncations },
  );
}

interface Stats {
  done: number;
  crashes: number;
  badSpans: number;
  over1s: number;
  slowestMs: number;
  slowest: string;
  peakHeapMb: number;
  children: number;
  examples: string[];
}

/** Runs one child from `job.start`; returns where the next child starts (or the end). */
async function runChild(job: Job, stats: Stats): Promise<number> {
  const { opts } = job;
  let next = job.start;
  let current: Extract<Message, { t: "start" }> | undefined;
  const child = fork(fileURLToPath(import.meta.url), ["--child"], {
    execArgv: [`--max-old-space-size=${opts.heapMb}`],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  stats.children++;
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  // The watchdog runs only while a case runs: a new child first regenerates, silently, the
  // cases before its start.
  let watchdog: NodeJS.Timeout | undefined;
  child.on("message", (m: Message) => {
    clearTimeout(watchdog);
    if (m.t === "end") return;
    if (m.t === "start") {
      current = m;
      watchdog = setTimeout(() => child.kill("SIGKILL"), opts.hangMs);
      return;
    }
    next = m.index + 1;
    if (++stats.done % 10_000 === 0) process.stderr.write(`… ${stats.done} cases\n`);
    if (m.crashed) stats.crashes++;
    stats.badSpans += m.badSpans;
    if (m.ms > 1000) stats.over1s++;
    if (m.ms > stats.slowestMs) [stats.slowestMs, stats.slowest] = [m.ms, current?.label ?? ""];
    stats.peakHeapMb = Math.max(stats.peakHeapMb, m.heapMb);
    if (m.problem && stats.examples.length < 12) stats.examples.push(`${current?.label}: ${m.problem} :: ${current?.head}`);
    current = undefined;
  });
  child.send(job);
  const exit = await new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? String(code))));
  clearTimeout(watchdog);
  if (exit === "0") return opts.cases;
  // The child died inside a case: count it, and resume after it.
  stats.done++;
  stats.crashes++;
  const why = exit === "SIGKILL" ? `ran over ${opts.hangMs} ms` : /FATAL ERROR: [^\n]*|out of memory/.exec(stderr)?.[0] ?? `exit ${exit}`;
  if (stats.examples.length < 12) stats.examples.push(`${current?.label ?? `case ${next}`}: the process died (${why}) :: ${current?.head ?? ""}`);
  return Math.max(next, (current?.index ?? next) + 1, job.start + 1);
}

/** Parent side: one child after another until every case has run. */
async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const corpus = [...fuzzCorpus(fileURLToPath(new URL("../../specs/", import.meta.url)))];
  const stats: Stats = { done: 0, crashes: 0, badSpans: 0, over1s: 0, slowestMs: 0, slowest: "", peakHeapMb: 0, children: 0, examples: [] };
  const t0 = performance.now();
  for (let next = 0; next < opts.cases; ) next = await runChild({ opts, start: next, corpus }, stats);
  const lines = [
    `convspec fuzz: seed ${opts.seed}, ${corpus.length} corpus files, ${((performance.now() - t0) / 1000).toFixed(1)} s, ${stats.children} process(es)`,
    `cases:                ${stats.done}`,
    `uncaught exceptions:  ${stats.crashes}`,
    `out-of-range spans:   ${stats.badSpans}`,
    `slowest case:         ${stats.slowestMs.toFixed(1)} ms (${stats.slowest})`,
    `cases over 1 s:       ${stats.over1s}`,
    `peak heap in use:     ${stats.peakHeapMb} MiB`,
    ...stats.examples.map((e) => `  example: ${e}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return stats.crashes + stats.badSpans + stats.over1s === 0 ? 0 : 1;
}

if (!process.argv.includes("--child")) process.exitCode = await main();
else {
  process.once("message", async (job: Job) => {
    await runCases(job);
    // Disconnect only once every message is out (the channel keeps their order).
    process.send!({ t: "end" } satisfies Message, undefined, {}, () => process.disconnect!());
  });
}
