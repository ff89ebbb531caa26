/**
 * Benchmark: parse + compile + analyze time for the zoo's ResNet-18/50 and VGG-16 and for
 * generated specs of 1k, 10k and 100k layers. Prints medians and µs per layer, which stays
 * flat when cost grows linearly. Then live editing: compile + analyze of ResNet-50 (its text
 * changed each time, its import not) 40 times once warm: best, median, 90th percentile, worst.
 * Run: `npx tsc -p tsconfig.json && node dist/bench/analyze.js`.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { compile } from "../src/graph/compile.js";
import { analyze } from "../src/analysis/analyze.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A generated chain of `layers` layers: residual blocks of conv → batchnorm → relu → add (4 layers each). */
function generated(layers: number): string {
  const text = [
    "block unit(c) {",
    "  input x",
    "  y = x -> conv2d(c, 3, padding=1, bias=false) -> batchnorm -> relu",
    "  output add(y, x)",
    "}",
    "model generated {",
    "  input x: [16, 32, 32]",
    "  output x",
  ];
  // Written out, not repeated with `* N`, so parsing cost grows with the layer count too.
  for (let i = 0; i < layers / 4; i++) text.push("    -> unit(16)");
  text.push("}");
  return text.join("\n");
}

/** Imports (`use "lib/resnet.cnn"`) resolve against specs/. */
const SPECS = new URL("../../specs/", import.meta.url);
function resolve(path: string): string | undefined {
  try {
    return readFileSync(new URL(path, SPECS), "utf8");
  } catch {
    return undefined;
  }
}

interface Timing {
  readonly compileMs: number;
  readonly analyzeMs: number;
  readonly layers: number;
}

/** Median parse+compile and analyze times over `runs` runs. */
function time(text: string, runs: number): Timing {
  const compileTimes: number[] = [];
  const analyzeTimes: number[] = [];
  let layers = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = compile({ file: "bench.cnn", text }, { maxLayers: 2_000_000, maxTokens: 10_000_000, resolve });
    const t1 = performance.now();
    const r = analyze(c.graph);
    analyzeTimes.push(performance.now() - t1);
    compileTimes.push(t1 - t0);
    if (c.diagnostics.some((d) => d.severity === "error") || r.diagnostics.some((d) => d.severity === "error")) throw new Error("bench spec has errors");
    layers = r.models.reduce((a, m) => a + m.layers.length, 0);
  }
  return { compileMs: median(compileTimes), analyzeMs: median(analyzeTimes), layers };
}

const zoo = (name: string) => readFileSync(new URL(`${name}.cnn`, SPECS), "utf8");
const cases: [string, string, number][] = [
  ["resnet18", zoo("resnet18"), 9],
  ["resnet50", zoo("resnet50"), 9],
  ["vgg16", zoo("vgg16"), 9],
  ["generated 1k", generated(1_000), 7],
  ["generated 10k", generated(10_000), 5],
  ["generated 100k", generated(100_000), 3],
];

// One warm-up so the JIT has seen every path.
time(zoo("resnet18"), 3);
console.log("spec             layers   parse+compile ms   analyze ms   µs/layer (total)");
for (const [name, text, runs] of cases) {
  const t = time(text, runs);
  const total = t.compileMs + t.analyzeMs;
  console.log(
    `${name.padEnd(16)} ${String(t.layers).padStart(6)} ${t.compileMs.toFixed(2).padStart(18)} ${t.analyzeMs.toFixed(2).padStart(12)} ${((total * 1000) / t.layers).toFixed(1).padStart(18)}`,
  );
}

// Live editing: what an editor does on each keystroke (the main text changes, its import not).
const r50 = zoo("resnet50");
for (let i = 0; i < 200; i++) analyze(compile({ file: "resnet50.cnn", text: `${r50}#${i}` }, { resolve }).graph);
const live: number[] = [];
for (let i = 0; i < 40; i++) {
  const t0 = performance.now();
  const c = compile({ file: "resnet50.cnn", text: `${r50}#x${i}` }, { resolve });
  analyze(c.graph);
  live.push(performance.now() - t0);
}
live.sort((a, b) => a - b);
console.log(
  `\nresnet50 compile + analyze, 40 edits once warm: best ${live[0]!.toFixed(2)} ms, median ${median(live).toFixed(2)} ms, p90 ${live[36]!.toFixed(2)} ms, worst ${live[39]!.toFixed(2)} ms`,
);
