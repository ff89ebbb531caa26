/**
 * Packs the repository as `npm pack` does and installs the tarball into a fresh project, from
 * the npm cache alone (no network): the project's lock is the tarball plus the run-time entries
 * of the repository's package-lock.json, so npm fetches nothing it has not cached (`npm ci`
 * caches every tarball, but not the registry's version lists a plain `npm install` would read).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../cli/run.js";

/** `npm pack --json`'s description of the tarball. */
export interface PackInfo {
  readonly filename: string;
  readonly integrity: string;
  /** Bytes of the gzipped tarball. */
  readonly size: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly [key: string]: unknown;
}

/** The environment minus what `npm test` exports for its own run (prefix, lifecycle, package). */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig"]);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.has(k.toLowerCase())));
}

function npm(args: readonly string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("npm", args, { cwd, encoding: "utf8", env: npmEnv(), timeout: 240_000 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** Packs the built repository into `dest` (scripts skipped: `npm test` built dist/ already). */
export function pack(dest: string): PackInfo {
  if (!existsSync(join(ROOT, "dist/bundle/main.js"))) throw new Error("dist/ is not built: run `npm run build` (npm test does) before this test");
  const r = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dest], ROOT);
  if (r.code !== 0) throw new Error(`npm pack failed (exit ${r.code}):\n${r.stderr}`);
  return (JSON.parse(r.stdout) as PackInfo[])[0]!;
}

/** Installs the tarball into `app` (a fresh folder) offline and returns what npm printed; a missing cache entry is a clear error. */
export function installOffline(app: string, info: PackInfo): string {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const root = lock.packages[""]!;
  const spec = `file:${info.filename}`;
  const packages: Record<string, unknown> = {
    "": { name: "convspec-user", dependencies: { convspec: spec } },
    "node_modules/convspec": {
      version: root.version, resolved: spec, integrity: info.integrity, license: root.license,
      dependencies: root.dependencies, bin: root.bin, engines: root.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev && !entry.devOptional) packages[path] = entry;
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "convspec-user", private: true, type: "module", dependencies: { convspec: spec } }, null, 2));
  writeFileSync(join(app, "package-lock.json"), JSON.stringify({ name: "convspec-user", lockfileVersion: 3, requires: true, packages }, null, 2));
  const r = npm(["install", "--offline", "--no-audit", "--no-fund"], app);
  if (r.code === 0) return r.stdout + r.stderr;
  const notCached = /ENOTCACHED|only-if-cached/.test(r.stderr);
  throw new Error(
    (notCached
      ? "the npm cache cannot supply convspec's run-time dependencies offline: run `npm ci` in the repository first (it puts every dependency's tarball in the cache), then run this test again."
      : `npm install --offline of the packed tarball failed (exit ${r.code}).`) + `\nnpm said:\n${r.stderr.trim().split("\n").slice(-12).join("\n")}`,
  );
}
