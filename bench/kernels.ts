/**
 * Kernel benchmark: a fixed set of conv layers run, in one process, by convspec's fast
 * kernels (1 and 2 threads), onnxruntime-node (CPU, 1 thread) and tfjs's pure-JS cpu backend.
 * Prints median times, GFLOP/s (2 FLOPs per MAC) and the ratios. Always exits 0.
 *
 *   node dist/bench/kernels.js [--quick]
 */
import { cpus, loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { fastConv } from "../src/exec/fast/conv.js";
import { setFastThreads, stopFastWorkers, workerUnitsLastCall } from "../src/exec/fast/pool.js";
import { SumCounter, type ConvGeometry } from "../src/exec/kernels/api.js";
import type { Tensor } from "../src/exec/tensor.js";
import { GraphBuilder, int, ints } from "../src/onnx/builder.js";
import { encodeModel } from "../src/onnx/proto.js";
import { convWasm, setWasmThreads, stopWasmThreads, wasmSimdSupported } from "../src/exec/wasm/index.js";

interface Layer {
  readonly name: string;
  readonly x: number[];
  readonly w: number[];
  readonly stride: number[];
  readonly pad: number[];
  readonly groups: number;
}

const LAYERS: readonly Layer[] = [
  { name: "VGG conv 64→64, 3×3 @224", x: [1, 64, 224, 224], w: [64, 64, 3, 3], stride: [1, 1], pad: [1, 1], groups: 1 },
  { name: "conv 128→256, 3×3 @56", x: [1, 128, 56, 56], w: [256, 128, 3, 3], stride: [1, 1], pad: [1, 1], groups: 1 },
  { name: "ResNet 1×1 256→64 @56", x: [1, 256, 56, 56], w: [64, 256, 1, 1], stride: [1, 1], pad: [0, 0], groups: 1 },
  { name: "AlexNet conv1 11×11 s4 @227", x: [1, 3, 227, 227], w: [96, 3, 11, 11], stride: [4, 4], pad: [0, 0], groups: 1 },
  { name: "depthwise 3×3, 32×112×112", x: [1, 32, 112, 112], w: [32, 1, 3, 3], stride: [1, 1], pad: [1, 1], groups: 32 },
  { name: "conv1d 1→64 k80 s4 @16000", x: [1, 1, 16000], w: [64, 1, 80], stride: [4], pad: [0], groups: 1 },
];

function random(shape: number[], seed: number): Tensor {
  let a = seed >>> 0;
  const n = shape.reduce((p, v) => p * v, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    d[i] = a / 2 ** 32 - 0.5;
  }
  return { shape, data: d };
}

/**
 * Median wall time (ms) of each engine, run in interleaved rounds (one call of each per round,
 * after one warm-up call each) so that load from other processes falls on all of them alike:
 * at least 3 rounds, more while the layer has used under ~4 s, at most 15.
 */
async function medians(engines: Readonly<Record<string, () => unknown>>): Promise<Record<string, number>> {
  const names = Object.keys(engines);
  for (const n of names) await engines[n]!();
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const start = performance.now();
  for (let round = 0; round < 15 && (round < 3 || performance.now() - start < 4000); round++) {
    for (const n of names) {
      const t = performance.now();
      await engines[n]!();
      times[n]!.push(performance.now() - t);
    }
  }
  const out: Record<string, number> = {};
  for (const n of names) {
    const sorted = times[n]!.sort((a, b) => a - b);
    out[n] = sorted[Math.floor(sorted.length / 2)]!;
  }
  return out;
}

function geometry(l: Layer): ConvGeometry {
  return { stride: l.stride, padBefore: l.pad, padAfter: l.pad, dilation: l.stride.map(() => 1), groups: l.groups };
}

async function ortSession(l: Layer, w: Tensor, outShape: readonly number[]): Promise<ort.InferenceSession> {
  const b = new GraphBuilder();
  const x = b.input("x", l.x);
  const y = b.node("Conv", [x, b.floats("w", w.data, w.shape)], {
    kernel_shape: ints(l.w.slice(2)), strides: ints(l.stride), pads: ints([...l.pad, ...l.pad]), group: int(l.groups),
  });
  b.output(y, "y", outShape);
  const bytes = encodeModel(b.model("bench", 17, "kernel benchmark"));
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

async function tfjsRun(l: Layer, x: Tensor, w: Tensor): Promise<() => Promise<unknown>> {
  const rank = l.x.length - 2;
  // tfjs wants channels last: x [N, ...S, C], filters [...K, Cin, Cout] (depthwise: [...K, C, mult]).
  const xt = tf.transpose(tf.tensor(x.data, l.x), rank === 1 ? [0, 2, 1] : [0, 2, 3, 1]);
  const wt = tf.transpose(tf.tensor(w.data, l.w), rank === 1 ? [2, 1, 0] : l.groups > 1 ? [2, 3, 0, 1] : [2, 3, 1, 0]);
  const pad = l.pad[0] === 0 ? "valid" : ([[0, 0], [l.pad[0]!, l.pad[0]!], [l.pad[1]!, l.pad[1]!], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
  return async () => {
    const y = rank === 1
      ? tf.conv1d(xt as tf.Tensor3D, wt as tf.Tensor3D, l.stride[0]!, "valid")
      : l.groups > 1
        ? tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, l.stride as [number, number], pad)
        : tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, l.stride as [number, number], pad);
    await y.data();
    y.dispose();
  };
}

/** Cores this process gets right now: CPU time / wall time of two threads spinning for `ms`. */
async function coresAvailable(ms: number): Promise<number> {
  const src = `const { parentPort } = require("node:worker_threads");
    parentPort.on("message", (ms) => { const t = Date.now(); let x = 0; while (Date.now() - t < ms) x += Math.sqrt(x + 1); parentPort.postMessage(x); });`;
  const w = new Worker(src, { eval: true });
  await new Promise((r) => w.once("online", r));
  const cpu = process.cpuUsage(), t = performance.now();
  const done = new Promise((r) => w.once("message", r));
  w.postMessage(ms);
  let x = 0;
  for (const t0 = Date.now(); Date.now() - t0 < ms;) x += Math.sqrt(x + 1);
  await done;
  const used = process.cpuUsage(cpu);
  await w.terminate();
  return (used.user + used.system) / 1000 / (performance.now() - t);
}

interface Row { name: string; gflop: number; ms: Record<string, number>; split: number; cores: number; err: number }

async function benchLayer(l: Layer, quick: boolean): Promise<Row> {
  const x = random(l.x, 1), w = random(l.w, 2);
  const p = geometry(l);
  const counter = new SumCounter();
  const mine = fastConv(x, w, undefined, p, counter);
  const outShape = mine.shape;
  const gflop = (2 * counter.total) / 1e9;
  const session = await ortSession(l, w, outShape);
  const feed = { x: new ort.Tensor("float32", x.data as Float32Array, l.x) };
  let split = 0, wall = 0, busy = 0;
  const engines: Record<string, () => unknown> = {
    cs1: () => { setFastThreads(1); return fastConv(x, w, undefined, p, counter); },
    cs2: () => {
      setFastThreads(2);
      const cpu = process.cpuUsage(), t = performance.now();
      fastConv(x, w, undefined, p, counter);
      const used = process.cpuUsage(cpu);
      wall += performance.now() - t;
      busy += (used.user + used.system) / 1000;
      split = workerUnitsLastCall();
    },
    ort: () => session.run(feed),
  };
  // convspec's default conv kernel where WebAssembly SIMD exists (src/exec/wasm), one thread.
  if (wasmSimdSupported()) engines.wasm = () => { setWasmThreads(1); return convWasm(x, w, undefined, p, counter); };
  if (!quick) engines.tfjs = await tfjsRun(l, x, w);
  const ms = await medians(engines);
  // Agreement with onnxruntime, relative to the output's scale: a fast wrong kernel is no result.
  const theirs = (await session.run(feed)).y!.data as Float32Array;
  let err = 0, scale = 1;
  for (let i = 0; i < theirs.length; i++) {
    err = Math.max(err, Math.abs(theirs[i]! - mine.data[i]!));
    scale = Math.max(scale, Math.abs(theirs[i]!));
  }
  await session.release();
  return { name: l.name, gflop, ms, split, cores: busy / wall, err: err / scale };
}

function fmt(v: number, d = 2): string {
  return Number.isFinite(v) ? v.toFixed(d) : "–";
}

function table(rows: readonly Row[]): string {
  const head = ["layer", "GFLOP", "cs×1 ms", "cs×1 GF/s", "cs×2 ms", "cs×2 GF/s", "ort ms", "ort GF/s", "tfjs ms", "tfjs GF/s", "cs×2/tfjs", "cs×1/tfjs", "cs×2/cs×1", "cs×2 cores", "cs×2/ort", "vs ort", "wasm GF/s", "wasm/tfjs"];
  const lines = rows.map((r) => {
    const gf = (k: string) => r.gflop / (r.ms[k]! / 1000);
    return [r.name, fmt(r.gflop, 3), fmt(r.ms.cs1!, 1), fmt(gf("cs1")), fmt(r.ms.cs2!, 1), fmt(gf("cs2")), fmt(r.ms.ort!, 1), fmt(gf("ort")),
      fmt(r.ms.tfjs ?? NaN, 1), fmt(gf("tfjs")), fmt(r.ms.tfjs! / r.ms.cs2!, 1) + "×", fmt(r.ms.tfjs! / r.ms.cs1!, 1) + "×",
      fmt(r.ms.cs1! / r.ms.cs2!) + "×", fmt(r.cores, 2), fmt(r.ms.ort! / r.ms.cs2!) + "×", r.err.toExponential(1),
      fmt(gf("wasm")), fmt(r.ms.tfjs! / r.ms.wasm!, 1) + "×"];
  });
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  await tf.setBackend("cpu");
  const cpu = cpus();
  process.stdout.write(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}; node ${process.version}; ort ${ort.env.versions.node ?? "?"}, tfjs-core ${tf.version_core}\n`);
  process.stdout.write("median wall time per layer (batch 1, float32), engines interleaved round by round; cs×N = convspec TypeScript im2col+GEMM kernels (the fallback) on N threads; wasm = convspec WebAssembly SIMD kernel (the default where supported), 1 thread; ort = onnxruntime-node, 1 thread; tfjs = tfjs-backend-cpu\n");
  process.stdout.write(`load average at start: ${loadavg().map((v) => v.toFixed(2)).join(" ")} (other processes on these cores slow every column); ` +
    `two spinning threads get ${(await coresAvailable(500)).toFixed(2)} cores\n\n`);
  const rows: Row[] = [];
  for (const l of LAYERS) {
    try {
      rows.push(await benchLayer(l, quick));
    } catch (e) {
      process.stdout.write(`${l.name}: failed: ${(e as Error).message}\n`);
    }
  }
  process.stdout.write(table(rows) + "\n");
  process.stdout.write(`\ncs×2 cores = CPU time / wall time of the 2-thread calls (2.00: both threads ran the whole time; near 1: another process held a core)`);
  process.stdout.write(`\nwork units the worker thread took in the last 2-thread call, per layer: ${rows.map((r) => r.split).join(", ")}\n`);
  process.stdout.write(`load average at end: ${loadavg().map((v) => v.toFixed(2)).join(" ")}; two spinning threads get ${(await coresAvailable(500)).toFixed(2)} cores\n`);
  await stopFastWorkers();
  await stopWasmThreads();
}

main().catch((e) => process.stdout.write(`benchmark failed: ${(e as Error).message}\n`)).finally(() => { process.exitCode = 0; });
