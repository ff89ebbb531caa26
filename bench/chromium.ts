/**
 * What the browser tests (test/web) and the browser benchmark (bench/web.ts) share: the built playground (built here
 * when dist/web is missing), a static server on 127.0.0.1, and Debian's Chromium driven by
 * playwright-core (nothing is downloaded: the system browser or nothing).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "node:http";
import { chromium, type Browser } from "playwright-core";
import { startServer } from "../src/cli/serve.js";

/** The repository: bench/ in the sources, dist/bench/ when compiled. */
export const ROOT = fileURLToPath(new URL(import.meta.url.includes("/dist/bench/") ? "../../" : "../", import.meta.url));
export const WEB = join(ROOT, "dist/web");
export const CHROMIUM = process.env.CONVSPEC_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Flags for a headless run on a machine without network or GPU. PreloadTopChromeWebUI off:
 * Chromium 156 otherwise builds its own omnibox popup (a WebUI page in a renderer of its
 * own) for every new tab, which took a whole core for the first ~0.5 s of each page opened
 * (a Chrome trace: 506 ms of that renderer's main thread in the page's first 500 ms) — on
 * two cores, half the machine taken from the page under test.
 */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--no-first-run", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage", "--disable-features=PreloadTopChromeWebUI",
];

/** Builds dist/web unless it is there already (`npm test` builds it first in pretest). */
export function ensureWebBuild(): void {
  if (existsSync(join(WEB, "index.html"))) return;
  const r = spawnSync("npm", ["run", "web:build"], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
  if (r.status !== 0) throw new Error(`npm run web:build failed:\n${r.stdout}\n${r.stderr}`);
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Serves dist/web on a free port of 127.0.0.1 (as `convspec serve` does; `isolated: false`: without the cross-origin isolation headers). */
export async function serveWeb(options: { readonly isolated?: boolean } = {}): Promise<{ server: Server; url: string }> {
  return startServer(WEB, 0, "127.0.0.1", options);
}
