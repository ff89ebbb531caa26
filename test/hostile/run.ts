/**
 * Runs the installed command (bin/convspec.js → the bundle) on hostile input as a child
 * process with a memory cap (a 1 GiB heap, and 2 GB of address space where prlimit exists)
 * and a time limit, and records every file of the case folder before and after, so a test
 * can assert that nothing but the named output changed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { ROOT } from "../cli/run.js";

/** Milliseconds a case may take before it counts as a hang. */
export const TIME_LIMIT_MS = 20_000;
/** Most bytes of stderr a refusal may print. */
export const STDERR_LIMIT = 64 * 1024;

const PRLIMIT = ["/usr/bin/prlimit", "/bin/prlimit"].find((p) => existsSync(p));

export interface HostileRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Files of the folder whose bytes, kind or target changed (or appeared, or vanished). */
  readonly changed: readonly string[];
}

/** Every entry under `dir` (links not followed) with a digest of what it is. */
function snapshot(dir: string, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    const key = prefix + name;
    if (st.isDirectory()) {
      out.set(key, "dir");
      for (const [k, v] of snapshot(path, key + "/")) out.set(k, v);
    } else if (st.isFile()) out.set(key, createHash("sha256").update(readFileSync(path)).digest("hex"));
    else out.set(key, st.isSymbolicLink() ? "link" : "special");
  }
  return out;
}

/** Runs `convspec ...args` in `cwd` under the limits. */
export function hostile(args: readonly string[], cwd: string, env: Record<string, string> = {}): HostileRun {
  const before = snapshot(cwd);
  const node = [process.execPath, "--max-old-space-size=1024", `${ROOT}bin/convspec.js`, ...args];
  const [cmd, ...rest] = PRLIMIT ? [PRLIMIT, "--as=2000000000", ...node] : node;
  const r = spawnSync(cmd!, rest, {
    cwd, encoding: "utf8", input: "", timeout: TIME_LIMIT_MS, maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", ...env },
  });
  const after = snapshot(cwd);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).sort();
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr: r.stderr ?? "", changed };
}

/** The common promises: ended in time with 0, 1 or 2, bounded stderr, coded message, only `output` changed. */
export function expectContained(r: HostileRun, codes: readonly number[], opts: { output?: string; message?: RegExp } = {}): void {
  expect(r.signal, `killed (hang or out of memory): ${r.stderr.slice(0, 500)}`).toBeNull();
  expect(codes, `exit ${r.code}: ${r.stderr.slice(0, 500)}`).toContain(r.code);
  expect(r.stderr.length, "stderr is bounded").toBeLessThanOrEqual(STDERR_LIMIT);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+\)/);
  if (opts.message) expect(r.stderr).toMatch(opts.message);
  expect(r.changed).toEqual(opts.output ? [opts.output] : []);
}
