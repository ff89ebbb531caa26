/**
 * The long fuzz run (not part of `npm test`): mutated zoo specs, random token streams and
 * truncations through parse → compile → analyze, counting uncaught exceptions, out-of-range
 * spans and slow cases. Build first, then:  node dist/bench/fuzz.js [--cases N] [--seed S]
 * Exit code 1 when any case crashed, put a span outside its text, or took over a second.
 * `--trace FILE` writes each case to FILE before running it, so a case that kills the process
 * (out of memory) is left behind to replay.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { applyMutations, checkCase, loadCorpus, mutatedSpecArb, tokenStreamArb } from "./fuzz-cases.js";

interface Options {
  readonly cases: number;
  readonly seed: number;
  readonly trace?: string;
}

function options(argv: readonly string[]): Options {
  const get = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i === -1) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${flag} needs a positive integer, got ${argv[i + 1]}`);
    return v;
  };
  const t = argv.indexOf("--trace");
  return { cases: get("--cases", 100_000), seed: get("--seed", 20261122), ...(t === -1 ? {} : { trace: argv[t + 1] }) };
}

interface Stats {
  cases: number;
  crashes: number;
  badSpans: number;
  over1s: number;
  slowestMs: number;
  slowest: string;
  examples: string[];
}

let traceFile: string | undefined;

function record(stats: Stats, kind: string, file: string, text: string, resolve: (p: string) => string | undefined): void {
  if (traceFile) writeFileSync(traceFile, `# ${kind} ${file} case ${stats.cases}\n${text}`);
  const r = checkCase(file, text, resolve);
  stats.cases++;
  if (r.crashed) stats.crashes++;
  stats.badSpans += r.badSpans;
  if (r.ms > 1000) stats.over1s++;
  if (r.ms > stats.slowestMs) {
    stats.slowestMs = r.ms;
    stats.slowest = `${kind} ${file} (${text.length} chars)`;
  }
  if (r.problems.length > 0 && stats.examples.length < 10) stats.examples.push(`${kind} ${file}: ${r.problems[0]} :: ${JSON.stringify(text.slice(0, 160))}`);
}

function main(): number {
  const opts = options(process.argv.slice(2));
  traceFile = opts.trace;
  const corpus = loadCorpus(fileURLToPath(new URL("../../specs/", import.meta.url)));
  const resolve = (p: string) => corpus.get(p);
  const names = [...corpus.keys()];
  const stats: Stats = { cases: 0, crashes: 0, badSpans: 0, over1s: 0, slowestMs: 0, slowest: "", examples: [] };
  const t0 = performance.now();

  // A fifth truncations (every offset of the zoo, round-robin), the rest fast-check cases:
  // three mutated specs to every random token stream.
  const truncations = Math.floor(opts.cases / 5);
  const offsets = names.flatMap((n) => Array.from({ length: corpus.get(n)!.length + 1 }, (_, i) => [n, i] as const));
  for (let i = 0; i < truncations; i++) {
    const [n, at] = offsets[i % offsets.length]!;
    record(stats, "truncate", n, corpus.get(n)!.slice(0, at), resolve);
  }
  const rest = opts.cases - truncations;
  const mixed = fc.oneof(
    { weight: 3, arbitrary: mutatedSpecArb(names).map((m) => ({ kind: "mutate", file: m.name, text: applyMutations(corpus.get(m.name)!, m.mutations) })) },
    { weight: 1, arbitrary: tokenStreamArb.map((text) => ({ kind: "stream", file: "stream.cnn", text })) },
  );
  fc.assert(
    fc.property(mixed, (c) => {
      record(stats, c.kind, c.file, c.text, resolve);
      return true;
    }),
    { seed: opts.seed, numRuns: rest },
  );

  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const lines = [
    `convspec fuzz: seed ${opts.seed}, ${names.length} zoo specs, ${secs} s`,
    `cases:                ${stats.cases}`,
    `uncaught exceptions:  ${stats.crashes}`,
    `out-of-range spans:   ${stats.badSpans}`,
    `slowest case:         ${stats.slowestMs.toFixed(1)} ms (${stats.slowest})`,
    `cases over 1 s:       ${stats.over1s}`,
    ...stats.examples.map((e) => `  example: ${e}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return stats.crashes + stats.badSpans + stats.over1s === 0 ? 0 : 1;
}

process.exitCode = main();
