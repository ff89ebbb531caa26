/**
 * Blocking search for the wasm GEMM: runs the large benchmark convolutions on one thread for
 * each configuration given as JSON and prints GFLOP/s from the process's CPU time (robust to
 * other processes sharing the machine, unlike wall time). Always exits 0.
 *
 *   node dist/bench/wasm_tune.js '[{"mr":5,"nr":8,"kc":256,"nc":512,"mc":130,"unroll":1}]'
 */
import { SumCounter, type ConvGeometry } from "../src/exec/kernels/api.js";
import { convWasm, setWasmThreads } from "../src/exec/wasm/index.js";
import { DEFAULT_GEMM, setWasmGemmConfig } from "../src/exec/wasm/module.js";
import type { GemmConfig } from "../src/exec/wasm/gemm_codegen.js";

const LAYERS: [string, number[], number[], number, number][] = [
  ["vgg64", [1, 64, 224, 224], [64, 64, 3, 3], 1, 1],
  ["c128-256", [1, 128, 56, 56], [256, 128, 3, 3], 1, 1],
  ["1x1", [1, 256, 56, 56], [64, 256, 1, 1], 1, 0],
  ["alex1", [1, 3, 227, 227], [96, 3, 11, 11], 4, 0],
  ["c512@14", [1, 512, 14, 14], [512, 512, 3, 3], 1, 1],
];

function cpuMs(run: () => void): number {
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function main(): void {
  const cfgs = JSON.parse(process.argv[2] ?? "[{}]") as Partial<GemmConfig>[];
  const reps = Number(process.argv[3] ?? 5);
  setWasmThreads(1);
  for (const c of cfgs) {
    const cfg = { ...DEFAULT_GEMM, ...c };
    setWasmGemmConfig(cfg);
    const out: string[] = [];
    for (const [name, xs, ws, s, p] of LAYERS) {
      const x = { shape: xs, data: Float32Array.from({ length: xs.reduce((a, b) => a * b) }, Math.random) };
      const w = { shape: ws, data: Float32Array.from({ length: ws.reduce((a, b) => a * b) }, Math.random) };
      const geo: ConvGeometry = { stride: [s, s], padBefore: [p, p], padAfter: [p, p], dilation: [1, 1], groups: 1 };
      const counter = new SumCounter();
      convWasm(x, w, undefined, geo, counter);
      const t = Array.from({ length: reps }, () => cpuMs(() => convWasm(x, w, undefined, geo, counter))).sort((a, b) => a - b);
      out.push(`${name} ${((2 * counter.total) / (reps + 1) / t[Math.floor(reps / 2)]! / 1e6).toFixed(1)}`);
    }
    process.stdout.write(`${JSON.stringify(c)}  ${out.join("  ")}\n`);
  }
}

main();
