/**
 * Whole-process benchmark of the CLI as a user meets it: wall time and peak memory (max RSS) of
 * `convspec analyze` and friends, each a fresh `node` process, against bare `node -e 0` (the
 * floor no Node tool goes below) measured in the same run, commands interleaved round by round
 * so a noisy neighbour slows them all alike. Prints medians and the ratio to the floor.
 *
 *   npm run bench:startup            (or: node dist/bench/startup.js [--reps N])
 *
 * Max RSS comes from GNU time (/usr/bin/time, Debian package `time`); without it only wall
 * time is printed. For scale: a PyTorch forward-hook summary of ResNet-50 (torchinfo) takes
 * about 2.4 s and 400 MiB on this machine class (not run here: no PyTorch offline).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = "bin/convspec.js";
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

interface Case { readonly name: string; readonly args: readonly string[] }

const CASES: readonly Case[] = [
  { name: "node -e 0 (floor)", args: ["-e", "0"] },
  { name: "convspec --version", args: [bin, "--version"] },
  { name: "convspec analyze specs/lenet5.cnn", args: [bin, "analyze", "specs/lenet5.cnn"] },
  { name: "convspec analyze specs/resnet50.cnn", args: [bin, "analyze", "specs/resnet50.cnn"] },
  { name: "convspec analyze specs/densenet121.cnn", args: [bin, "analyze", "specs/densenet121.cnn"] },
  { name: "convspec analyze --format json specs/resnet50.cnn", args: [bin, "analyze", "--format", "json", "specs/resnet50.cnn"] },
  { name: "convspec check specs (whole zoo)", args: [bin, "check", "specs"] },
];

/** One run: wall milliseconds and max RSS in KiB (NaN without GNU time). */
function once(c: Case): { ms: number; kib: number } {
  const t = performance.now();
  const r = gnuTime
    ? spawnSync(gnuTime, ["-f", "%M", process.execPath, ...c.args], { cwd: root, encoding: "utf8" })
    : spawnSync(process.execPath, [...c.args], { cwd: root, encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${c.name}: exit ${r.status}\n${r.stderr}`);
  const last = gnuTime ? r.stderr.trim().split("\n").at(-1) ?? "" : "";
  return { ms, kib: gnuTime ? Number(last) : NaN };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function main(): void {
  const i = process.argv.indexOf("--reps");
  const reps = i > 0 ? Number(process.argv[i + 1]) : 15;
  const cpu = cpus();
  process.stdout.write(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}; node ${process.version}; load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}\n`);
  process.stdout.write(`${reps} rounds, commands interleaved; medians of wall time and max RSS per whole process\n\n`);
  for (const c of CASES) once(c); // warm the file cache
  const runs = CASES.map(() => [] as { ms: number; kib: number }[]);
  for (let r = 0; r < reps; r++) CASES.forEach((c, k) => runs[k]!.push(once(c)));
  const floor = median(runs[0]!.map((x) => x.ms));
  const rows = CASES.map((c, k) => {
    const ms = median(runs[k]!.map((x) => x.ms));
    const mib = median(runs[k]!.map((x) => x.kib)) / 1024;
    return [c.name, `${ms.toFixed(0)} ms`, Number.isNaN(mib) ? "n/a" : `${mib.toFixed(0)} MiB`, `${(ms / floor).toFixed(2)}×`];
  });
  const head = ["command", "wall (median)", "max RSS (median)", "vs node -e 0"];
  const width = head.map((h, a) => Math.max(h.length, ...rows.map((r) => r[a]!.length)));
  for (const r of [head, ...rows]) process.stdout.write(r.map((x, a) => (a === 0 ? x.padEnd(width[a]!) : x.padStart(width[a]!))).join("  ") + "\n");
  process.stdout.write(`\nload average at end: ${loadavg().map((v) => v.toFixed(2)).join(" ")}\n`);
}

main();
