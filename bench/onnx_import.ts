/**
 * ONNX import of a large file, whole process: wall time and peak memory (max RSS) of
 * `convspec analyze MODEL.onnx` (weights skipped by positioned reads, src/onnx/import/skim.ts),
 * against bare `node -e 0` and against reading the file whole in the same run. The file is a
 * full-weight torchvision VGG-16 export (528 MiB), made locally and never committed:
 *
 *   /usr/bin/python3 scripts/onnx-fixtures.py --only none --vgg16 /tmp/vgg16.onnx
 *   npm run bench:onnx            (or: node dist/bench/onnx_import.js [FILE] [--reps N])
 *
 * Without the file the benchmark says so and exits 0. Max RSS comes from GNU time
 * (/usr/bin/time); without it only wall time is printed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const argv = process.argv.slice(2);
const repsAt = argv.indexOf("--reps");
const reps = repsAt === -1 ? 5 : Number(argv[repsAt + 1]);
const file = argv.find((a, i) => !a.startsWith("--") && argv[i - 1] !== "--reps") ?? "/tmp/vgg16.onnx";

/** In a child: read the whole file and import it from memory (what a browser holding the bytes does). */
const WHOLE = `import("${root}dist/src/index.js").then((m) => { const b = require("node:fs").readFileSync(process.argv[1]); const r = m.importOnnx(new Uint8Array(b.buffer, b.byteOffset, b.length)); m.analyze(r.graph); })`;

interface Case { readonly name: string; readonly args: readonly string[] }

function measure(args: readonly string[]): { ms: number; rssMiB?: number } {
  const t0 = process.hrtime.bigint();
  const cmd = gnuTime ?? process.execPath;
  const full = gnuTime ? ["-f", "%M", process.execPath, ...args] : [...args];
  const r = spawnSync(cmd, full, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  const kb = gnuTime ? Number(r.stderr.trim().split("\n").pop()) : NaN;
  return Number.isFinite(kb) ? { ms, rssMiB: kb / 1024 } : { ms };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(file)) {
  process.stdout.write(`bench:onnx: ${file} is absent; make it with scripts/onnx-fixtures.py --vgg16 ${file} (skipped)\n`);
} else {
  const cases: Case[] = [
    { name: "node -e 0 (floor)", args: ["-e", "0"] },
    { name: `convspec analyze ${file}`, args: ["bin/convspec.js", "analyze", file] },
    { name: `convspec import ${file}`, args: ["bin/convspec.js", "import", file] },
    { name: "importOnnx on the whole file read into memory", args: ["-e", WHOLE, file] },
  ];
  const runs = cases.map(() => ({ ms: [] as number[], rss: [] as number[] }));
  for (let i = 0; i < reps; i++) {
    cases.forEach((c, k) => {
      const m = measure(c.args);
      runs[k]!.ms.push(m.ms);
      if (m.rssMiB !== undefined) runs[k]!.rss.push(m.rssMiB);
    });
  }
  process.stdout.write(`${file}: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB; median of ${reps} runs, interleaved\n`);
  cases.forEach((c, k) => {
    const r = runs[k]!;
    const rss = r.rss.length ? `${median(r.rss).toFixed(0).padStart(5)} MiB` : "";
    process.stdout.write(`${c.name.padEnd(60)} ${median(r.ms).toFixed(0).padStart(6)} ms  ${rss}\n`);
  });
}
