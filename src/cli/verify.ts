/**
 * `convspec verify FILE`: runs each model on the execution backend and prints, per layer,
 * predicted vs measured with ✓/✗ per cell. Exit 0 when every cell agrees, 1 on any mismatch,
 * 2 when the spec or the call is invalid or a run is refused by --max-memory (default: half
 * the free memory, at most 4 GiB).
 */
import { grid, PLAIN_GRID } from "../report/grid.js";
import { parseBudgetValue } from "../check/budgets.js";
import { allowedCodes, compileText, isUsageError, printDiagnostics, readSpec, UsageError, useColor } from "./io.js";
import { wholeNumber } from "./options.js";
import { verify, type Cell, type CellValue, type ModelCheck, type VerifyResult } from "../verify/verify.js";
import { bytes, count, shape } from "../report/units.js";
import type { Graph } from "../graph/ir.js";
import { freemem } from "node:os";
import { defaultMemoryLimit } from "../verify/memory_plan.js";
import { verifyToJson } from "../report/verify-json.js";
import { dict } from "../util/dict.js";

export interface VerifyCommandOptions {
  readonly batch?: string;
  readonly inputScale?: string;
  readonly maxMemory?: string;
  readonly format?: "table" | "json";
  readonly rf?: boolean;
  readonly seed?: string;
  /** Run only the reference kernels (no fast conv/dense). */
  readonly reference?: boolean;
}

function parseScale(text: string | undefined): number {
  if (text === undefined) return 1;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || v > 1) throw new UsageError(`--input-scale ${text}: a number in (0, 1], e.g. 0.25`);
  return v;
}

/** Declared input shapes with every spatial axis scaled (at least 1), for compile's inputShapes. */
function scaledInputs(g: Graph, scale: number): Record<string, number[]> {
  const out = dict<number[]>();
  for (const m of g.models) for (const i of m.inputs) {
    const s = m.nodes[i]!.args.shape as number[];
    out[m.nodes[i]!.label] = [s[0]!, ...s.slice(1).map((d) => Math.max(1, Math.round(d * scale)))];
  }
  return out;
}

/** A progress bar on stderr, drawn only on a terminal and only once a run has taken a second. */
function progressBar(): { update: (done: number, total: number, phase: string) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let drawn = false;
  return {
    update(done, total, phase) {
      if (!tty || Date.now() - started < 1000) return;
      const width = 30, filled = Math.round((done / Math.max(1, total)) * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${String(Math.round((100 * done) / Math.max(1, total))).padStart(3)}% ${phase}   `);
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}

function show(v: CellValue | null, kind: "count" | "bytes" | "shape" | "rf"): string {
  if (v === null) return "—";
  if (typeof v === "string") return v;
  if (typeof v === "number") return kind === "bytes" ? `${count(BigInt(v))} B` : count(BigInt(v));
  if (kind === "rf") return v.every((x) => x === v[0]) ? String(v[0]) : shape(v);
  return `[${v.join(", ")}]`;
}

/** "61,706 ✓", or "416,520 ✗ 416,521" (predicted, then measured), or "— (not measured)". */
function showCell(c: Cell, kind: "count" | "bytes" | "shape" | "rf", color: boolean): string {
  const paint = (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[39m` : s);
  if (c.measured === null && c.ok) return `${show(c.predicted, kind)} ·`;
  if (c.ok) return `${show(c.predicted, kind)} ${paint("✓", 32)}`;
  return `${show(c.predicted, kind)} ${paint("✗", 31)} ${show(c.measured, kind)}`;
}

/** The table of one model: a row per layer, then the totals. */
export function renderModel(m: ModelCheck, color: boolean): string {
  const head = `model ${m.name} (${m.file}), batch ${m.batch}, input ${Object.entries(m.inputs).map(([n, s]) => `${n} [${s.join(", ")}]`).join(", ")}` +
    (m.rfProbeInput ? `; RF probe input ${shape(m.rfProbeInput)}` : "");
  if (m.error) return `${head}\n  not verified: ${m.error}\n`;
  const rows = [["layer", "kind", "output shape", "params", "buffers", "MACs", "activations", "RF size"]];
  for (const l of m.layers) {
    const c = l.cells;
    rows.push([l.name, l.kind, showCell(c.shape, "shape", color), showCell(c.params, "count", color), showCell(c.buffers, "count", color),
      showCell(c.macs, "count", color), showCell(c.bytes, "bytes", color), showCell(c.rf, "rf", color)]);
  }
  const t = m.totals;
  rows.push(["total", "", "", showCell(t.params, "count", color), showCell(t.buffers, "count", color), showCell(t.macs, "count", color), showCell(t.bytes, "bytes", color), ""]);
  rows.push(["peak live", "", "", "", "", "", showCell(t.peak, "bytes", color), ""]);
  const body = grid(rows, PLAIN_GRID).replace(/ +$/gm, "");
  const notes = m.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok && c.note).map(([q, c]) => `  ${l.name} ${q}: ${c.note}`));
  const bad = m.layers.reduce((n, l) => n + Object.values(l.cells).filter((c) => !c.ok).length, 0) + Object.values(t).filter((c) => !c.ok).length;
  const verdict = m.ok ? "all predictions agree with the run" : `${bad} prediction(s) disagree with the run`;
  return `${head}\n${body}${notes.length ? notes.join("\n") + "\n" : ""}${verdict}; peak ${bytes(BigInt(Number(t.peak.measured ?? 0)))} measured\n`;
}

/**
 * Registers the fast conv and dense kernels (src/exec/fast) for the float32 run; the probe
 * and every float64 check keep the reference kernels. Returns how to undo it, or undefined
 * when they cannot load (the reference kernels then run everything).
 */
async function enableFast(): Promise<(() => Promise<void>) | undefined> {
  try {
    const fast = await import("../exec/fast/index.js");
    fast.enableFastKernels();
    return async () => {
      fast.disableFastKernels();
      await fast.stopFastWorkers();
    };
  } catch {
    return undefined;
  }
}

export async function runVerify(file: string, opts: VerifyCommandOptions): Promise<number> {
  const undo = opts.reference ? undefined : await enableFast();
  try {
    return verifyCommand(file, opts);
  } catch (e) {
    // Caught here too: loaded from dist/src by the bundle, this module's UsageError is not main's.
    if (!isUsageError(e)) throw e;
    process.stderr.write(`convspec: ${e.message}\n`);
    return 2;
  } finally {
    await undo?.();
  }
}

function verifyCommand(file: string, opts: VerifyCommandOptions): number {
  const batch = wholeNumber("--batch", opts.batch, 1) ?? 1;
  const scale = parseScale(opts.inputScale);
  const seed = wholeNumber("--seed", opts.seed, 0) ?? 0;
  // Default: half the memory the host reports free, at most 4 GiB.
  const limit = opts.maxMemory === undefined ? { value: BigInt(defaultMemoryLimit(freemem())) } : parseBudgetValue(opts.maxMemory);
  if (limit.value === undefined) throw new UsageError(`--max-memory ${opts.maxMemory}: ${limit.error ?? "not a size"} (e.g. 4GiB, 512MiB)`);
  // Read once (standard input cannot be read twice), compile again with the scaled inputs.
  const text = readSpec(file);
  const build = (inputShapes?: Record<string, number[]>) => compileText(file, text, { allow: allowedCodes(), ...(inputShapes ? { inputShapes } : {}) });
  let r = build();
  if (scale !== 1 && !r.diagnostics.some((d) => d.severity === "error")) r = build(scaledInputs(r.graph, scale));
  printDiagnostics(r.diagnostics, r.sources);
  if (r.diagnostics.some((d) => d.severity === "error")) return 2;
  const bar = progressBar();
  let result: VerifyResult;
  try {
    const skipAsserts = scale === 1 ? {} : { skipAsserts: `they describe the model's own input size, and --input-scale ${scale} shrinks it (convspec analyze checks them)` };
    result = verify(r.graph, { batch, seed, rf: opts.rf !== false, maxMemoryBytes: Number(limit.value), onProgress: bar.update, ...skipAsserts });
  } finally {
    bar.end();
  }
  printDiagnostics(result.diagnostics, r.sources);
  if (opts.format === "json") process.stdout.write(JSON.stringify(verifyToJson(result, { file, batch, inputScale: scale, sources: r.sources, diagnostics: r.diagnostics })) + "\n");
  else for (const m of result.models) process.stdout.write(renderModel(m, useColor(process.stdout)) + "\n");
  // Refused by --max-memory, or a spec the analyzer rejects: nothing to compare, like a bad call.
  if (result.diagnostics.some((d) => d.severity === "error" && (d.code === "CS4006" || !d.code.startsWith("CS4")))) return 2;
  return result.ok ? 0 : 1;
}
