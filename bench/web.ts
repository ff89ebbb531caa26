/**
 * `npm run bench:web`: the playground's live-editing speed in headless Chromium (Debian's).
 * For each spec, after loading the page from a `#spec=` link:
 * - the first drawing after page load (from navigation start);
 * - 40 keystrokes typed one at a time at the end of the text, in a comment (each waits for
 *   its answer): editor change → table updated (and from the keydown event), the worker's
 *   share and the page's share, and how many answers the page read from shared memory in the
 *   frame after the keystroke (web/mailbox.ts);
 * - 20 numeric edits (the first conv's channel count, n ↔ n+1, made through the editor as one
 *   change each, so every one changes the numbers of the layers after it): → table updated,
 *   and → drawing updated, in the "auto" view and with every layer drawn;
 * - the drawing laid out from scratch: switching to "every layer", and 6 edits that change
 *   the graph (a relu added after the stem's, then removed), with every layer drawn.
 * Times are taken in the page (performance.now()) from the editor's change. Medians, 90th
 * percentiles and maxima; no test asserts on these.
 *
 * First loads, measured apart (FIRST_LOADS of each, the specs interleaved): a new tab of the
 * running browser opening the link with the HTTP cache off (a first visit: nothing cached,
 * no compiled code kept) and with it on (a return visit); and the first page of a freshly
 * started browser; each served as `convspec serve` serves it (cross-origin isolated) and
 * without the isolation headers, in turn. From navigation start to the first table put in the
 * page, and to the end of the frame that draws it; and when the page's script began to run
 * and how long the first analysis took. `npm run bench:web -- --first-loads` runs only these.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, CHROMIUM, launch, ROOT, serveWeb } from "./chromium.js";

interface Probe {
  latencies: number[];
  workerMs: number[];
  renderMs: number[];
  layoutMs: number[];
  layoutLatencies: number[];
  layoutEngines: string[];
  patched: boolean[];
  via: ("frame" | "message")[];
  firstTable?: number;
  firstTablePainted?: number;
  firstDrawing?: number;
  warm: boolean;
  shownSeq: number;
  diagramSeq: number;
}
type Win = { __convspec: Probe; __convspecForgetLayout: () => void; __convspecEditor: { state: { doc: { toString(): string } }; dispatch(t: unknown): void } };

const KEYS = 40;
const FIRST_LOADS = 7;
const EDITS = 20;
const GRAPH_EDITS = 6;

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] ?? NaN;
};
const ms = (x: number) => (Number.isNaN(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const probe = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).__convspec);
const counts = async (page: Page) => {
  const p = await probe(page);
  return { table: p.latencies.length, drawing: p.layoutLatencies.length };
};
/** Waits until the page has shown `table` answers and `drawing` drawings in all. */
async function until(page: Page, table: number, drawing: number): Promise<void> {
  await page.waitForFunction(
    ([t, d]) => {
      const p = (globalThis as unknown as Win).__convspec;
      return p.latencies.length >= t! && p.layoutLatencies.length >= d!;
    },
    [table, drawing],
    { timeout: 60_000 },
  );
}

/** Replaces the text matched by `re` (first match at or after `after`) through the editor, as one change. */
async function edit(page: Page, find: string, after: string, replace: string): Promise<void> {
  await page.evaluate(
    ([f, a, r]) => {
      const v = (globalThis as unknown as Win).__convspecEditor;
      const text = v.state.doc.toString();
      const from = text.indexOf(f!, text.indexOf(a!));
      if (from < 0) throw new Error(`no ${f} in the text`);
      v.dispatch({ changes: { from, to: from + f!.length, insert: r }, userEvent: "input.type" });
    },
    [find, after, replace],
  );
}

async function measure(page: Page, base: string, spec: string) {
  const text = readFileSync(join(ROOT, spec), "utf8");
  const hash = Buffer.from(text, "utf8").toString("base64url");
  await page.goto("about:blank");
  await page.goto(`${base}index.html#spec=${hash}`);
  await page.waitForFunction(() => (globalThis as unknown as Win).__convspec.diagramSeq >= 1, undefined, { timeout: 60_000 });
  const first = await probe(page);
  // Keystrokes begin once the worker has warmed up (a second or so after load).
  await page.waitForFunction(() => (globalThis as unknown as Win).__convspec.warm || (globalThis as unknown as Win).__convspec.latencies.length > 1, undefined, { timeout: 60_000 });
  await page.waitForTimeout(1500);

  // 1. Keystrokes in a comment at the end of the text, one at a time.
  await page.locator("#editor .cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n#");
  await page.waitForFunction(() => (globalThis as unknown as Win).__convspec.latencies.length >= 3);
  await page.waitForTimeout(300);
  // From the keydown event (its timestamp: when the browser received the key) to the table's
  // summary rewritten, seen by a MutationObserver.
  await page.evaluate(`{
    const downs = (globalThis.__downs = []);
    addEventListener("keydown", (e) => downs.push({ at: e.timeStamp }), true);
    new MutationObserver(() => {
      const last = downs[downs.length - 1];
      if (last && last.table === undefined) last.table = performance.now();
    }).observe(document.getElementById("summary"), { childList: true, subtree: true, characterData: true });
  }`);
  const before = (await probe(page)).latencies.length;
  const via0 = (await probe(page)).via.length;
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
    await until(page, before + i + 1, 0);
  }
  const p = await probe(page);
  const keys = p.latencies.slice(before, before + KEYS);
  const work = p.workerMs.slice(before, before + KEYS);
  const render = p.renderMs.slice(before, before + KEYS);
  const fromKeydown = (await page.evaluate(() => (globalThis as unknown as { __downs: { at: number; table?: number }[] }).__downs.map((d) => (d.table ?? NaN) - d.at))).filter((x) => !Number.isNaN(x));
  const inFrame = p.via.slice(via0).filter((v) => v === "frame").length;

  // 2. Numeric edits: the first conv's channel count inside the model, n ↔ n+1.
  const model = text.indexOf("\nmodel ");
  const m = /conv2d\((\d+)/.exec(text.slice(model))!;
  const n = m[1]!;
  const numeric = async (depth: string) => {
    await page.selectOption("#depth", depth);
    await page.waitForTimeout(2000);
    let c = await counts(page);
    await until(page, c.table, c.drawing);
    await page.waitForTimeout(500);
    c = await counts(page);
    const t0 = c.table;
    const d0 = c.drawing;
    for (let i = 0; i < EDITS; i++) {
      const [from, to] = i % 2 === 0 ? [n, String(Number(n) + 1)] : [String(Number(n) + 1), n];
      await edit(page, `conv2d(${from}`, "\nmodel ", `conv2d(${to}`);
      await until(page, t0 + i + 1, d0 + i + 1);
    }
    const q = await probe(page);
    return {
      table: quantile(q.latencies.slice(t0, t0 + EDITS), 0.5),
      drawing: quantile(q.layoutLatencies.slice(d0, d0 + EDITS), 0.5),
      drawingMax: Math.max(...q.layoutLatencies.slice(d0, d0 + EDITS)),
      reused: q.layoutEngines.slice(d0, d0 + EDITS).filter((e) => e === "reused").length,
      patched: q.patched.slice(d0, d0 + EDITS).filter(Boolean).length,
      boxes: await page.locator("#diagram g.box").count(),
    };
  };
  const auto = await numeric("auto");
  const all = await numeric("all");

  // 3. Every layer laid out from scratch: the switch to "every layer" (after forgetting the layout), three times.
  const fresh: number[] = [];
  for (let round = 0; round < 3; round++) {
    await page.selectOption("#depth", "auto");
    await page.waitForTimeout(1500);
    const c = await counts(page);
    await page.evaluate(() => (globalThis as unknown as Win).__convspecForgetLayout());
    await page.selectOption("#depth", "all");
    await until(page, c.table + 1, c.drawing + 1);
    const q = await probe(page);
    fresh.push(q.layoutLatencies[q.layoutLatencies.length - 1]!);
  }
  // 4. Edits that change the graph, every layer drawn: a relu after the stem's first one, added and removed.
  await page.waitForTimeout(1000);
  const act = /-> (relu|tanh)\b/.exec(text.slice(model))![0];
  const c0 = await counts(page);
  for (let i = 0; i < GRAPH_EDITS; i++) {
    if (i % 2 === 0) await edit(page, act, "\nmodel ", `${act} ${act}`);
    else await edit(page, `${act} ${act}`, "\nmodel ", act);
    await until(page, c0.table + i + 1, c0.drawing + i + 1);
  }
  const g = await probe(page);
  const graphEdits = g.layoutLatencies.slice(c0.drawing, c0.drawing + GRAPH_EDITS);
  const engines = new Set(g.layoutEngines.slice(c0.drawing, c0.drawing + GRAPH_EDITS));
  await page.selectOption("#depth", "auto");
  return {
    spec, firstDrawing: first.firstDrawing ?? NaN,
    keyMedian: quantile(keys, 0.5), keyP90: quantile(keys, 0.9), keyMax: Math.max(...keys),
    keydownMedian: quantile(fromKeydown, 0.5), inFrame, isolated: p.via.length > via0,
    workerMedian: quantile(work, 0.5), renderMedian: quantile(render, 0.5),
    auto, all, fresh: quantile(fresh, 0.5), graphEdit: quantile(graphEdits, 0.5), graphEditMax: Math.max(...graphEdits), graphEngines: [...engines].join("/"),
  };
}

type FirstLoad = { table: number; painted: number; script: number; analysis: number };
const SPECS = ["specs/lenet5.cnn", "specs/resnet50.cnn", "specs/densenet121.cnn"];

/**
 * Opens a spec's link in a new tab and returns when its first table was shown and drawn.
 * Driven over raw CDP (navigate, then poll the probe with Runtime.evaluate): Playwright's
 * page.goto/waitForFunction put its injected script (~50 ms here) on the page's thread in the
 * middle of the load being measured.
 */
async function firstLoad(browser: Browser, base: string, spec: string, cache: boolean): Promise<FirstLoad> {
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: !cache });
  const hash = Buffer.from(readFileSync(join(ROOT, spec), "utf8"), "utf8").toString("base64url");
  await cdp.send("Page.navigate", { url: `${base}index.html#spec=${hash}` });
  const expression = "(p => p && p.firstTablePainted !== undefined ? JSON.stringify({ table: p.firstTable, painted: p.firstTablePainted, steps: p.firstSteps }) : '')(window.__convspec)";
  const until = Date.now() + 60_000;
  let got = "";
  while (!got && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    const r = await cdp.send("Runtime.evaluate", { expression, returnByValue: true }).catch(() => undefined);
    got = typeof r?.result.value === "string" ? r.result.value : "";
  }
  await page.close();
  if (!got) throw new Error(`${spec}: no first table within 60 s`);
  const p = JSON.parse(got) as { table: number; painted: number; steps: { script: number; evaluated: number; end: number } };
  return { table: p.table, painted: p.painted, script: p.steps.script, analysis: p.steps.end - p.steps.evaluated };
}

/**
 * The first loads of each spec, served two ways in turn: as `convspec serve` serves the page
 * (cross-origin isolated, for the shared-memory answers) and without the isolation headers (a
 * plain static host). Keyed by spec and then by server label.
 */
async function firstLoads(servers: readonly (readonly [string, string])[]): Promise<Map<string, Record<"first" | "again" | "freshBrowser", FirstLoad[]>>> {
  const out = new Map(SPECS.flatMap((s) => servers.map(([label]) => [`${s}|${label}`, { first: [] as FirstLoad[], again: [] as FirstLoad[], freshBrowser: [] as FirstLoad[] }] as const)));
  const browser = await launch();
  await browser.newContext();
  for (const [, base] of servers) await firstLoad(browser, base, "specs/lenet5.cnn", true); // the browser's own first pages, not counted here
  for (let i = 0; i < FIRST_LOADS; i++) {
    for (const spec of SPECS) {
      for (const [label, base] of i % 2 === 0 ? servers : [...servers].reverse()) {
        out.get(`${spec}|${label}`)!.first.push(await firstLoad(browser, base, spec, false));
        out.get(`${spec}|${label}`)!.again.push(await firstLoad(browser, base, spec, true));
      }
    }
  }
  await browser.close();
  for (let i = 0; i < 3; i++) {
    for (const spec of SPECS) {
      for (const [label, base] of servers) {
        const fresh = await launch();
        out.get(`${spec}|${label}`)!.freshBrowser.push(await firstLoad(fresh, base, spec, false));
        await fresh.close();
      }
    }
  }
  return out;
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
  const load0 = loadavg()[0]!;
  // `--first-loads`: only the first loads (the editing and drawing runs take two minutes more).
  const firstOnly = process.argv.includes("--first-loads");
  if (!firstOnly) for (const spec of SPECS) rows.push(await measure(page, url, spec));
  await browser.close();
  const loadMid = loadavg()[0]!;
  const plain = await serveWeb({ isolated: false });
  const loads = await firstLoads([["convspec serve", url], ["no isolation headers", plain.url]]);
  server.close();
  plain.server.close();
  const version = (await import("node:child_process")).execFileSync(CHROMIUM, ["--version"], { encoding: "utf8" }).trim();
  process.stdout.write(`${version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${load0.toFixed(2)} at the start, ${loadMid.toFixed(2)} before the first loads, ${loadavg()[0]!.toFixed(2)} at the end\n\n`);
  process.stdout.write(`First table after load, from navigation start: put in the page / its frame drawn, medians (range) of ${FIRST_LOADS} loads (the fresh browser: 3); in brackets: when the page's script began to run (fetched and compiled), and the first analysis (on the page's thread, cold):\n\n`);
  process.stdout.write("| spec | new tab, first visit (no cache) | new tab, return visit (cached) | first page of a fresh browser |\n");
  process.stdout.write("| --- | ---: | ---: | ---: |\n");
  const cell = (xs: FirstLoad[]) => {
    const t = xs.map((x) => x.table);
    return `${ms(quantile(t, 0.5))} / ${ms(quantile(xs.map((x) => x.painted), 0.5))} ms (${ms(Math.min(...t))}–${ms(Math.max(...t))}) [${ms(quantile(xs.map((x) => x.script), 0.5))}, ${ms(quantile(xs.map((x) => x.analysis), 0.5))}]`;
  };
  for (const [key, r] of loads) {
    const [spec, label] = key.split("|");
    process.stdout.write(`| ${spec}, ${label} | ${cell(r.first)} | ${cell(r.again)} | ${cell(r.freshBrowser)} |\n`);
  }
  process.stdout.write("\n");
  if (firstOnly) return;
  process.stdout.write(`Table (${KEYS} keystrokes in a comment; ${EDITS} numeric edits):\n\n`);
  process.stdout.write("| spec | keystroke → table, median | p90 | max | from the keydown event, median | shown in the frame after the keystroke | worker, median | page update, median | numeric edit → table, median |\n");
  process.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const r of rows) {
    const frame = r.isolated ? `${r.inFrame} of ${KEYS}` : "– (not isolated)";
    process.stdout.write(`| ${r.spec} | ${ms(r.keyMedian)} ms | ${ms(r.keyP90)} ms | ${ms(r.keyMax)} ms | ${ms(r.keydownMedian)} ms | ${frame} | ${ms(r.workerMedian)} ms | ${ms(r.renderMedian)} ms | ${ms(r.auto.table)} ms |\n`);
  }
  process.stdout.write(`\nDrawing (edit → drawing updated; reused: of ${EDITS} numeric edits, how many kept the layout; patched: updated in place):\n\n`);
  process.stdout.write("| spec | first drawing after load | auto: boxes, numeric edit, median (max) | reused / patched | every layer: boxes, numeric edit, median (max) | reused / patched | every layer from scratch | graph edit, every layer, median (max), engine |\n");
  process.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const r of rows) {
    process.stdout.write(
      `| ${r.spec} | ${ms(r.firstDrawing)} ms | ${r.auto.boxes}, ${ms(r.auto.drawing)} ms (${ms(r.auto.drawingMax)}) | ${r.auto.reused} / ${r.auto.patched} | ${r.all.boxes}, ${ms(r.all.drawing)} ms (${ms(r.all.drawingMax)}) | ${r.all.reused} / ${r.all.patched} | ${ms(r.fresh)} ms | ${ms(r.graphEdit)} ms (${ms(r.graphEditMax)}), ${r.graphEngines} |\n`,
    );
  }
}

await main();
