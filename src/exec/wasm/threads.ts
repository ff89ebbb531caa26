/**
 * Worker threads running the same kernel module on the same shared memory. The caller's thread
 * takes the first share of the work and blocks (Atomics.wait) until the workers finish theirs,
 * so kernels stay synchronous. Each worker waits on its own control block in the memory.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CONTROL_BASE, CONTROL_STRIDE, MAX_THREADS, type WasmRuntime } from "./module.js";

/** Control block words: sequence number, command, four arguments, done sequence, error flag, busy µs. */
const W = { seq: 0, cmd: 1, a0: 2, done: 6, err: 7, busy: 8 } as const;
/** Commands: the exported kernel each worker runs. */
export const CMD = { quit: 0, run: 1, dw: 2 } as const;

// Plain JavaScript so that it runs from source (vitest) and from dist alike.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctl } = workerData;
const c = new Int32Array(memory.buffer, ctl, 16);
let k;
try {
  k = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
} catch (e) {
  k = undefined;
}
let seen = c[${W.done}];
for (;;) {
  Atomics.wait(c, ${W.seq}, seen);
  seen = Atomics.load(c, ${W.seq});
  const cmd = c[${W.cmd}];
  if (cmd === ${CMD.quit}) break;
  const t0 = performance.now();
  try {
    if (cmd === ${CMD.run}) k.run(c[2], c[3], c[4], c[5]);
    else if (cmd === ${CMD.dw}) k.dw(c[2], c[3], c[4], c[5]);
  } catch (e) {
    c[${W.err}] = 1;
  }
  c[${W.busy}] = Math.round((performance.now() - t0) * 1000);
  Atomics.store(c, ${W.done}, seen);
  Atomics.notify(c, ${W.done});
}
`;

interface Pool {
  readonly rt: WasmRuntime;
  readonly workers: Worker[];
  readonly ctl: Int32Array[];
  seq: number;
}

let pool: Pool | undefined;
/** Two threads where the machine has two cores or more: the benchmark's 2-worker configuration. */
let wanted = Math.min(2, Math.max(1, availableParallelism()));
/** Multiply-accumulates below which a kernel call stays on one thread (a worker wake-up costs tens of µs). */
let minMacs = 1 << 22;

/** Sets the work (MACs per kernel call) from which threads are used; returns the old value. */
export function setWasmParallelThreshold(macs: number): number {
  const old = minMacs;
  minMacs = Math.max(0, macs);
  return old;
}

/** The work (MACs per kernel call) from which threads are used. */
export function wasmParallelThreshold(): number {
  return minMacs;
}

/** Sets how many threads (caller included) the kernels use for large work; returns the old value. */
export function setWasmThreads(n: number): number {
  const old = wanted;
  wanted = Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
  return old;
}

/** Threads (caller included) the kernels use for large work. */
export function wasmThreads(): number {
  return wanted;
}

function ensurePool(rt: WasmRuntime, workers: number): Pool {
  // A new runtime (another blocking, see setWasmGemmConfig) has its own module and memory.
  if (pool && pool.rt !== rt) void stopWasmThreads();
  pool ??= { rt, workers: [], ctl: [], seq: 0 };
  while (pool.workers.length < workers) {
    const i = pool.workers.length + 1;
    const ctl = CONTROL_BASE + CONTROL_STRIDE * i;
    const c = new Int32Array(rt.memory.buffer, ctl, 16);
    c.fill(0);
    c[W.done] = pool.seq;
    c[W.seq] = pool.seq;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: rt.module, memory: rt.memory, ctl } });
    w.unref();
    pool.workers.push(w);
    pool.ctl.push(c);
  }
  return pool;
}

/** Stops the workers (they restart on the next large call). */
export async function stopWasmThreads(): Promise<void> {
  if (!pool) return;
  const p = pool;
  pool = undefined;
  p.seq++;
  for (const c of p.ctl) {
    c[W.cmd] = CMD.quit;
    Atomics.store(c, W.seq, p.seq);
    Atomics.notify(c, W.seq);
  }
  await Promise.all(p.workers.map((w) => w.terminate()));
}

/** Optional steps around a parallel call. */
export interface ParallelHooks {
  /** Runs on the calling thread once the workers have started, before its own share. */
  readonly meanwhile?: () => void;
  /** Restores the work counters, so that every share can be run again from the start. */
  readonly reset?: () => void;
}

/**
 * Runs `cmd` with per-thread arguments: `args[0]` on the calling thread, the rest on workers,
 * and returns when all are done. If a worker fails, threads are switched off and every share
 * runs again on the calling thread (the kernels only write their outputs, so reruns are exact).
 */
export function parallel(rt: WasmRuntime, cmd: number, args: readonly (readonly number[])[], hooks: ParallelHooks = {}): void {
  const k = rt.exports;
  const call = (a: readonly number[]): void => {
    if (cmd === CMD.run) k.run(a[0]!, a[1]!, a[2]!, a[3]!);
    else k.dw(a[0]!, a[1]!, a[2]!, a[3]!);
  };
  if (args.length <= 1) {
    if (args.length === 1) call(args[0]!);
    return;
  }
  let p: Pool;
  try {
    p = ensurePool(rt, args.length - 1);
  } catch {
    // No worker threads here (e.g. a restricted embedder): run every share on this thread.
    wanted = 1;
    hooks.reset?.();
    for (const a of args) call(a);
    return;
  }
  const seq = ++p.seq;
  for (let i = 1; i < args.length; i++) {
    const c = p.ctl[i - 1]!;
    c[W.cmd] = cmd;
    args[i]!.forEach((v, j) => (c[W.a0 + j] = v));
    Atomics.store(c, W.seq, seq);
    Atomics.notify(c, W.seq);
  }
  // Workers not used this time must still see the sequence number advance.
  for (let i = args.length; i <= p.workers.length; i++) {
    const c = p.ctl[i - 1]!;
    c[W.cmd] = -1;
    Atomics.store(c, W.seq, seq);
    Atomics.notify(c, W.seq);
  }
  let failed = false;
  try {
    hooks.meanwhile?.();
    call(args[0]!);
  } finally {
    // Never return while a worker may still write into the memory.
    for (const c of p.ctl) {
      for (let d = Atomics.load(c, W.done); d !== seq; d = Atomics.load(c, W.done)) Atomics.wait(c, W.done, d);
      if (c[W.err] !== 0) failed = true;
      c[W.err] = 0;
    }
  }
  if (failed) {
    // A worker that cannot run the kernels stays broken: use this thread only from now on.
    wanted = 1;
    void stopWasmThreads();
    hooks.reset?.();
    for (const a of args) call(a);
  }
}

/** Microseconds each worker spent in its share of the last parallel call (diagnostics for benchmarks). */
export function lastWorkerBusyMicros(): number[] {
  return pool ? pool.ctl.map((c) => c[W.busy]!) : [];
}
