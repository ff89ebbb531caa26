/**
 * Work sharing across threads for the fast kernels: the main thread and one worker pull work
 * units from a shared atomic counter (SharedArrayBuffer + Atomics), so the kernels stay
 * synchronous, as the dispatch interface requires, and a worker that is slow to start only
 * means the main thread does more of the units. The worker runs the same functions, built
 * from their source text.
 */
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { convUnit, microTile, packColumns, packPanel, packPointwise, type ConvJob, type Scratch } from "./gemm.js";
import { depthwiseUnit, rows3x3, rowTaps, type DwJob, type DwScratch } from "./depthwise.js";

/** Which unit function a job runs. */
export type JobKind = "gemm" | "dw";

let threads = Math.min(2, Math.max(1, availableParallelism()));
let worker: Worker | undefined;
let broken = false;
let lastWorkerUnits = 0;

/** Sets how many threads the fast kernels use (1 = the calling thread only; at most 2). */
export function setFastThreads(n: number): void {
  threads = Math.max(1, Math.min(2, Math.floor(n)));
}

/** The number of threads the fast kernels use. */
export function fastThreads(): number {
  return threads;
}

function workerSource(): string {
  return `"use strict";
const { parentPort } = require("node:worker_threads");
${packColumns.toString()}
${packPointwise.toString()}
${packPanel.toString()}
${microTile.toString()}
${convUnit.toString()}
${depthwiseUnit.toString()}
${rows3x3.toString()}
${rowTaps.toString()}
const units = { gemm: convUnit, dw: depthwiseUnit };
const scratch = { b: new Float64Array(0), oz: new Int32Array(8), oy: new Int32Array(8), ox: new Int32Array(8), acc: new Float64Array(0) };
parentPort.on("message", (m) => {
  Atomics.add(m.ctrl, 1, 1);
  let total = 0;
  try {
    const f = units[m.kind];
    for (;;) {
      const u = Atomics.add(m.ctrl, 0, 1);
      if (u >= m.units) break;
      total += f(m.job, u, scratch);
    }
  } finally {
    m.macs[1] = total;
    Atomics.sub(m.ctrl, 1, 1);
    Atomics.notify(m.ctrl, 1);
  }
});
`;
}

function getWorker(): Worker | undefined {
  if (broken) return undefined;
  if (!worker) {
    try {
      worker = new Worker(workerSource(), { eval: true });
      worker.unref();
      worker.on("error", () => { broken = true; worker = undefined; });
    } catch {
      broken = true;
      return undefined;
    }
  }
  return worker;
}

/** Work units the worker thread ran in the last parallel call (0 when it ran none): for tests and benchmarks. */
export function workerUnitsLastCall(): number {
  return lastWorkerUnits;
}

/** Stops the worker thread (it is started again on demand). */
export async function stopFastWorkers(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}

const mainScratch: Scratch & DwScratch = { b: new Float64Array(0), oz: new Int32Array(8), oy: new Int32Array(8), ox: new Int32Array(8), acc: new Float64Array(0) };

function unitFn(kind: JobKind): (job: never, u: number, s: Scratch & DwScratch) => number {
  return (kind === "gemm" ? convUnit : depthwiseUnit) as (job: never, u: number, s: Scratch & DwScratch) => number;
}

/**
 * Runs `units` work units of a job, in parallel when `parallel` and more than one thread is
 * allowed; the job's output must then live in a SharedArrayBuffer. Returns the MACs executed.
 */
export function runUnits(kind: JobKind, job: ConvJob | DwJob, units: number, parallel: boolean): number {
  const f = unitFn(kind);
  const w = parallel && threads > 1 && units > 1 ? getWorker() : undefined;
  lastWorkerUnits = 0;
  if (!w) {
    let total = 0;
    for (let u = 0; u < units; u++) total += f(job as never, u, mainScratch);
    return total;
  }
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const macs = new Float64Array(new SharedArrayBuffer(16));
  w.postMessage({ kind, job, ctrl, macs, units });
  let total = 0;
  let mine = 0;
  for (;;) {
    const u = Atomics.add(ctrl, 0, 1);
    if (u >= units) break;
    total += f(job as never, u, mainScratch);
    mine++;
  }
  // Wait for the units the worker has claimed; it counts itself busy before claiming. A unit
  // takes milliseconds, so two minutes without an answer means the worker is gone (a bug).
  const start = Date.now();
  for (let b = Atomics.load(ctrl, 1); b !== 0; b = Atomics.load(ctrl, 1)) {
    if (Date.now() - start > 120_000) {
      broken = true;
      throw new Error("fast kernels: the worker thread stopped answering");
    }
    Atomics.wait(ctrl, 1, b, 1000);
  }
  lastWorkerUnits = units - mine;
  return total + macs[1]!;
}
