/**
 * `npm run bench:web`: the playground's live-editing speed in headless Chromium (Debian's).
 * For each spec: the first table after page load, then keystrokes typed one at a time (each
 * waits for its answer), timed from the editor's change to the table's update (page side,
 * performance.now()), the worker's compile + analyze share, and the diagram's layout (request
 * → drawing shown, in "auto" depth and with every layer). Medians, 90th percentiles and maxima; no test asserts
 * on these.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import type { Page } from "playwright-core";
import { chromiumAvailable, CHROMIUM, launch, ROOT, serveWeb } from "./chromium.js";

interface Probe {
  latencies: number[];
  workerMs: number[];
  renderMs: number[];
  layoutMs: number[];
  layoutLatencies: number[];
  firstTable?: number;
  shownSeq: number;
  diagramSeq: number;
}

const KEYS = 40;

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] ?? NaN;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const probe = (page: Page) => page.evaluate(() => (globalThis as unknown as { __convspec: Probe }).__convspec);

async function measure(page: Page, base: string, spec: string) {
  const text = readFileSync(join(ROOT, spec), "utf8");
  const hash = Buffer.from(text, "utf8").toString("base64url");
  await page.goto("about:blank");
  await page.goto(`${base}index.html#spec=${hash}`);
  await page.waitForFunction(() => (globalThis as unknown as { __convspec: Probe }).__convspec.diagramSeq >= 1, undefined, { timeout: 60_000 });
  const first = await probe(page);
  // Keystrokes at the end of the text, inside a comment, one at a time.
  await page.locator("#editor .cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n#");
  await page.waitForFunction(() => (globalThis as unknown as { __convspec: Probe }).__convspec.latencies.length >= 3);
  const before = (await probe(page)).latencies.length;
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
    await page.waitForFunction((n) => (globalThis as unknown as { __convspec: Probe }).__convspec.latencies.length >= n, before + i + 1);
  }
  const p = await probe(page);
  const keys = p.latencies.slice(before);
  const work = p.workerMs.slice(before);
  const render = p.renderMs.slice(before);
  // Layouts: the diagram switched between every layer and "auto", three times each.
  const layouts: Record<string, number[]> = { all: [], auto: [] };
  for (let round = 0; round < 3; round++) {
    for (const depth of ["all", "auto"]) {
      const seen = (await probe(page)).diagramSeq;
      await page.evaluate(() => (globalThis as unknown as { __convspecForgetLayout: () => void }).__convspecForgetLayout());
      await page.selectOption("#depth", depth);
      await page.waitForFunction((n) => (globalThis as unknown as { __convspec: Probe }).__convspec.diagramSeq > n, seen, { timeout: 60_000 });
      const q = await probe(page);
      layouts[depth]!.push(q.layoutLatencies[q.layoutLatencies.length - 1]!);
    }
  }
  const boxes = async () => page.locator("#diagram g.box").count();
  return {
    spec, firstTable: p.firstTable ?? NaN, firstWorker: p.workerMs[0] ?? NaN, firstLayout: first.layoutLatencies[0] ?? NaN,
    keyMedian: quantile(keys, 0.5), keyP90: quantile(keys, 0.9), keyMax: Math.max(...keys),
    workerMedian: quantile(work, 0.5), renderMedian: quantile(render, 0.5), layoutAuto: quantile(layouts.auto!, 0.5), layoutAll: quantile(layouts.all!, 0.5),
    autoBoxes: await boxes(),
  };
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) {
    process.stderr.write(`no Chromium at ${CHROMIUM}: apt-get install -y chromium\n`);
    process.exitCode = 1;
    return;
  }
  const { server, url } = await serveWeb();
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const rows = [];
  for (const spec of ["specs/lenet5.cnn", "specs/resnet50.cnn", "specs/densenet121.cnn"]) rows.push(await measure(page, url, spec));
  await browser.close();
  server.close();
  const version = (await import("node:child_process")).execFileSync(CHROMIUM, ["--version"], { encoding: "utf8" }).trim();
  process.stdout.write(`${version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()[0]!.toFixed(2)}; ${KEYS} keystrokes per spec\n\n`);
  process.stdout.write("| spec | first table after load (of which in the worker) | keystroke → table, median | p90 | max | worker compile + analyze, median | page update, median | diagram auto: boxes, request → shown | every layer: request → shown |\n");
  process.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const r of rows) {
    process.stdout.write(`| ${r.spec} | ${ms(r.firstTable)} ms (${ms(r.firstWorker)} ms) | ${ms(r.keyMedian)} ms | ${ms(r.keyP90)} ms | ${ms(r.keyMax)} ms | ${ms(r.workerMedian)} ms | ${ms(r.renderMedian)} ms | ${r.autoBoxes}, ${ms(r.layoutAuto)} ms | ${ms(r.layoutAll)} ms |\n`);
  }
}

await main();
