/**
 * The playground as a person uses it, in headless Chromium (Debian's, driven by
 * playwright-core): a share link opens with LeNet-5's totals, typing a broken spec shows the
 * CLI's coded diagnostic, clicking a layer shows its arithmetic, the examples menu and the
 * hash stay in step. Screenshots go to artifacts/web/ (git-ignored).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSpec, specFromHash } from "../../web/share.js";
import { chromiumAvailable, CHROMIUM, ensureWebBuild, launch, ROOT, serveWeb } from "../../bench/chromium.js";

const ARTIFACTS = join(ROOT, "artifacts/web");
const available = chromiumAvailable();
if (!available) {
  const bar = "!".repeat(100);
  console.error(`\n${bar}\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n!!! Install it with: apt-get update && apt-get install -y chromium   (.ci/run does this)\n${bar}\n`);
}

describe.skipIf(!available)("the playground in Chromium", () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ server, url } = await serveWeb());
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  });

  const summary = () => page.locator("#summary");

  it("opens a #spec= link of specs/lenet5.cnn with params 61,706", async () => {
    const lenet = readFileSync(join(ROOT, "specs/lenet5.cnn"), "utf8");
    await page.goto(`${url}index.html#spec=${encodeSpec(lenet)}`);
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toContain("params 61,706 (trainable 61,706)");
    // The table: 13 layers, totals 61,706 params and 416,520 MACs (LANGUAGE.md's asserts).
    expect(await page.locator("#table tbody tr[data-node]").count()).toBe(13);
    expect(await page.locator("#table tfoot td").allTextContents()).toEqual(["total", "13 layers", "", "61,706", "416,520", "58.64 KiB", ""]);
    // The drawing: a box per layer, the input and the output.
    await expect.poll(() => page.locator("#diagram g.box").count(), { timeout: 20_000 }).toBe(15);
    expect(await page.locator("#diagram g.edge text", { hasText: "6×28×28" }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, "lenet5.png"), fullPage: true });
    // The drawing downloads as the SVG the CLI writes for the same model.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    expect(download.suggestedFilename()).toBe("lenet5.svg");
    const saved = readFileSync((await download.path())!, "utf8");
    expect(saved).toContain("lenet5: 13 layers, params 61,706, MACs 416,520");
    expect(saved.match(/class="box (layer|merge)/g)!.length).toBe(13);
  });

  it("an edit that changes numbers keeps the drawing's layout and updates its labels; a new layer lays it out again", async () => {
    interface P { layoutEngines: string[]; patched: boolean[] }
    const probe = () => page.evaluate(() => (globalThis as unknown as { __convspec: P }).__convspec);
    const positions = () => page.locator("#diagram g.box > rect").evaluateAll((rs) => rs.map((r) => `${r.getAttribute("x")},${r.getAttribute("y")},${r.getAttribute("width")}`));
    const before = await positions();
    expect(before.length).toBe(15);
    const drawings = (await probe()).layoutEngines.length;
    // conv1: 6 filters → 7, made through the editor as one change.
    const edit = (find: string, insert: string) =>
      page.evaluate(([f, r]) => {
        const v = (globalThis as unknown as { __convspecEditor: { state: { doc: { toString(): string } }; dispatch(t: unknown): void } }).__convspecEditor;
        const from = v.state.doc.toString().indexOf(f!);
        v.dispatch({ changes: { from, to: from + f!.length, insert: r }, userEvent: "input.type" });
      }, [find, insert]);
    await edit("conv2d(6,", "conv2d(7,");
    // 7 filters of 1×5×5 plus 7 biases: 182 params (was 156); its output 7×28×28.
    await expect.poll(() => page.locator("#diagram g.box", { hasText: "params 182" }).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator("#diagram g.edge text", { hasText: "7×28×28" }).count()).toBeGreaterThan(0);
    expect(await page.locator("#diagram g.edge text", { hasText: "6×28×28" }).count()).toBe(0);
    expect(await positions()).toEqual(before);
    const p = await probe();
    expect(p.layoutEngines.slice(drawings)).toContain("reused");
    expect(p.patched[p.patched.length - 1]).toBe(true);
    // The drawing still downloads whole, with the new numbers.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    expect(readFileSync((await download.path())!, "utf8")).toMatch(/>params 182\s/);
    // One more layer: a new graph, laid out again (ELK, 15 + 1 boxes).
    await edit("conv2d(7, kernel=5) -> tanh", "conv2d(7, kernel=5) -> tanh -> tanh");
    await expect.poll(() => page.locator("#diagram g.box").count(), { timeout: 20_000 }).toBe(16);
    const q = await probe();
    expect(q.layoutEngines[q.layoutEngines.length - 1]).toBe("elk");
    expect(q.patched[q.patched.length - 1]).toBe(false);
    // Broken, the drawing goes; mended to the same graph, the layout is reused and the whole drawing comes back.
    await edit("dense(120)", "dense(120");
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toBe("fix the errors to see the numbers");
    expect(await page.locator("#diagram g.box").count()).toBe(0);
    await edit("dense(120", "dense(120)");
    await expect.poll(() => page.locator("#diagram g.box").count(), { timeout: 20_000 }).toBe(16);
    expect((await probe()).layoutEngines.at(-1)).toBe("reused");
    expect(await page.locator("#diagram g.edge text", { hasText: "7×28×28" }).count()).toBeGreaterThan(0);
  });

  it("shows a coded diagnostic with the CLI's message and hint while typing a broken spec", async () => {
    const editor = page.locator("#editor .cm-content");
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    // Typed as a person would (the editor closes brackets itself, so type line by line).
    await page.keyboard.insertText("model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(16, kernal=3)\n}\n");
    const diag = page.locator('#diagnostics pre[data-code="CS2002"]');
    await expect.poll(() => diag.count(), { timeout: 20_000 }).toBe(1);
    const text = (await diag.textContent())!;
    expect(text).toContain('specs/playground.cnn:3:26: error CS2002: conv2d has no argument "kernal"');
    expect(text).toContain('hint: did you mean "kernel"?');
    expect(await page.locator(".cm-lintRange-error").count()).toBeGreaterThan(0);
    expect(await summary().textContent()).toBe("fix the errors to see the numbers");
    // The last drawing is not left up as if it were current.
    expect(await page.locator("#diagram g.box").count()).toBe(0);
    // The share link follows the text.
    await expect.poll(async () => specFromHash(await page.evaluate(() => location.hash)), { timeout: 5_000 }).toContain("kernal=3");
    await page.screenshot({ path: join(ARTIFACTS, "diagnostic.png"), fullPage: true });
    // Fixing the typo brings the numbers back: 16·3·3·3 + 16 = 448 params.
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText("model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(16, kernel=3)\n}\n");
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toContain("params 448 ");
    expect(await page.locator("#diagnostics pre").count()).toBe(0);
  });

  it("clicking a conv layer shows its arithmetic, highlighted in table and drawing", async () => {
    await page.selectOption("#examples", "specs/alexnet.cnn");
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toContain("params 62,378,344"); // Krizhevsky et al.
    await expect.poll(() => page.locator("#diagram g.box").count(), { timeout: 30_000 }).toBeGreaterThan(20);
    await page.locator('#table tr[data-name="conv1"]').click();
    const panel = page.locator("#arith");
    await expect.poll(() => panel.textContent(), { timeout: 5_000 }).toContain("(N − K + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55");
    expect(await panel.locator("svg.arith rect.tap").count()).toBeGreaterThan(0);
    expect(await page.locator('#table tr.selected[data-name="conv1"]').count()).toBe(1);
    expect(await page.locator("#diagram g.box.selected").count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "arithmetic.png"), fullPage: true });
    // Clicking a box in the drawing selects that layer: pool5, a 3×3 stride-2 max pool.
    await page.locator("#diagram g.box", { hasText: "pool5 · maxpool" }).click();
    await expect.poll(() => panel.textContent(), { timeout: 5_000 }).toContain("(13 − 3 + 2·0)/2 + 1 = 6");
    expect(errors).toEqual([]);
  });

  it("a page without a link opens LeNet-5, and a link whose spec uses a bundled file opens it: the first table from the page's own analysis, then the worker warms up", async () => {
    const fresh = await browser.newPage();
    fresh.on("pageerror", (e) => errors.push(String(e)));
    try {
      await fresh.goto(`${url}index.html`);
      await expect.poll(() => fresh.locator("#summary").textContent(), { timeout: 20_000 }).toContain("params 61,706 (trainable 61,706)");
      // The first table is boot.ts's own analysis (its steps are recorded); the analysis worker starts after it and warms up on the same text.
      const probe = () => fresh.evaluate(() => {
        const p = (window as unknown as { __convspec: { firstSteps?: { end: number }; warm: boolean } }).__convspec;
        return { firstSteps: p.firstSteps, warm: p.warm };
      });
      expect((await probe()).firstSteps?.end).toBeGreaterThan(0);
      await expect.poll(async () => (await probe()).warm, { timeout: 20_000 }).toBe(true);
      await expect.poll(() => fresh.locator("#editor .cm-content").textContent(), { timeout: 20_000 }).toContain("model lenet5");
      // specs/resnet34.cnn uses "lib/resnet.cnn", which the page's first analysis finds among its bundled files.
      const resnet34 = readFileSync(join(ROOT, "specs/resnet34.cnn"), "utf8");
      expect(resnet34).toMatch(/^use "lib\//m);
      await fresh.goto("about:blank");
      await fresh.goto(`${url}index.html#spec=${encodeSpec(resnet34)}`);
      await expect.poll(() => fresh.locator("#summary").textContent(), { timeout: 20_000 }).toContain("params 21,797,672"); // torchvision
      expect(await fresh.locator("#diagnostics pre").count()).toBe(0);
    } finally {
      await fresh.close();
    }
    expect(errors).toEqual([]);
  });

  it("a link to a broken spec shows its coded diagnostic from the page's first analysis, underlined once the editor is up", async () => {
    const fresh = await browser.newPage();
    fresh.on("pageerror", (e) => errors.push(String(e)));
    try {
      const broken = "model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(16, kernal=3)\n}\n";
      await fresh.goto(`${url}index.html#spec=${encodeSpec(broken)}`);
      const diag = fresh.locator('#diagnostics pre[data-code="CS2002"]');
      await expect.poll(() => diag.count(), { timeout: 20_000 }).toBe(1);
      expect(await diag.textContent()).toContain('specs/playground.cnn:3:26: error CS2002: conv2d has no argument "kernal"');
      expect(await fresh.locator("#summary").textContent()).toBe("fix the errors to see the numbers");
      // That answer is the page's own (seq 1, with its steps); the editor underlines it when it loads.
      expect(await fresh.evaluate(() => (window as unknown as { __convspec: { firstSteps?: unknown; shownSeq: number } }).__convspec.shownSeq)).toBe(1);
      await expect.poll(() => fresh.locator(".cm-lintRange-error").count(), { timeout: 20_000 }).toBeGreaterThan(0);
      // The fix is analysed by the worker: 16·3·3·3 + 16 = 448 params.
      await fresh.locator("#editor .cm-content").click();
      await fresh.keyboard.press("Control+A");
      await fresh.keyboard.insertText(broken.replace("kernal", "kernel"));
      await expect.poll(() => fresh.locator("#summary").textContent(), { timeout: 20_000 }).toContain("params 448 ");
      expect(await fresh.locator("#diagnostics pre").count()).toBe(0);
    } finally {
      await fresh.close();
    }
    expect(errors).toEqual([]);
  });

  /**
   * Types key by key in ResNet-18's classifier, waiting for each table: dense(1000) has
   * 512·1000 + 1000 = 513,000 of torchvision's 11,689,512 params; dense(100) 51,300,
   * dense(10) 5,130, dense(1) 513, dense(12) 6,156.
   */
  const typeInClassifier = async (p: Page) => {
    const resnet18 = readFileSync(join(ROOT, "specs/resnet18.cnn"), "utf8");
    await p.goto(`${url}index.html#spec=${encodeSpec(resnet18)}`);
    const sum = p.locator("#summary");
    await expect.poll(() => sum.textContent(), { timeout: 20_000 }).toContain("params 11,689,512 ");
    await expect.poll(() => p.evaluate(() => (window as unknown as { __convspec: { warm: boolean } }).__convspec.warm), { timeout: 20_000 }).toBe(true);
    // The caret after "dense(1000", as a click there would put it.
    await p.evaluate(() => {
      const v = (window as unknown as { __convspecEditor: { state: { doc: { toString(): string } }; dispatch(t: unknown): void; focus(): void } }).__convspecEditor;
      v.focus();
      v.dispatch({ selection: { anchor: v.state.doc.toString().indexOf("dense(1000") + "dense(1000".length } });
    });
    for (const [key, params] of [["Backspace", "11,227,812"], ["Backspace", "11,181,642"], ["Backspace", "11,177,025"], ["2", "11,182,668"]] as const) {
      await p.keyboard.press(key);
      await expect.poll(() => sum.textContent(), { timeout: 20_000 }).toContain(`params ${params} `);
    }
    const fc = p.locator("#table tbody tr[data-node]").last();
    expect(await fc.locator("td").nth(3).textContent()).toBe("6,156");
    return p.evaluate(() => {
      const probe = (window as unknown as { __convspec: { via: string[]; shownSeq: number } }).__convspec;
      return { isolated: crossOriginIsolated, via: probe.via, shownSeq: probe.shownSeq };
    });
  };

  it("typing key by key: each answer, read from shared memory in the next frame or sent as a message, gives the typed text's numbers", async () => {
    const fresh = await browser.newPage();
    fresh.on("pageerror", (e) => errors.push(String(e)));
    try {
      const r = await typeInClassifier(fresh);
      expect(r.isolated).toBe(true); // served as convspec serve serves it
      // Every answer of the worker is accounted for, each by one of the two ways (which one
      // depends on whether the worker answered before the next frame).
      expect(r.via.length).toBeGreaterThanOrEqual(4);
      expect(r.via.every((v) => v === "frame" || v === "message")).toBe(true);
    } finally {
      await fresh.close();
    }
    expect(errors).toEqual([]);
  });

  it("served without cross-origin isolation, the page works on messages alone", async () => {
    const plain = await serveWeb({ isolated: false });
    const fresh = await browser.newPage();
    fresh.on("pageerror", (e) => errors.push(String(e)));
    try {
      const saved = url;
      url = plain.url;
      const r = await typeInClassifier(fresh).finally(() => (url = saved));
      expect(r.isolated).toBe(false);
      expect(r.via).toEqual([]);
    } finally {
      await fresh.close();
      await new Promise((done) => plain.server.close(done));
    }
    expect(errors).toEqual([]);
  });

  it("draws every layer of ResNet-50 with the column layout (more than 120 boxes)", async () => {
    await page.selectOption("#examples", "specs/resnet50.cnn");
    await expect.poll(() => summary().textContent(), { timeout: 20_000 }).toContain("params 25,557,032"); // torchvision
    await page.selectOption("#depth", "all");
    // 175 layers, the input and the output.
    await expect.poll(() => page.locator("#diagram g.box").count(), { timeout: 30_000 }).toBe(177);
    expect(await page.locator("#depth-note").textContent()).toBe("177 boxes, every layer (column layout above 120 boxes)");
    expect(await page.locator("#diagram g.cluster", { hasText: "bottleneck_down_1 · bottleneck_down" }).count()).toBe(1);
    await page.locator("#diagram g.box", { hasText: "conv1 · conv2d" }).click();
    await expect.poll(() => page.locator("#arith").textContent(), { timeout: 5_000 }).toContain("(224 − 7 + 2·3)/2 + 1 = 112.5 → 112"); // 223/2 + 1, floored
    await page.screenshot({ path: join(ARTIFACTS, "resnet50-every-layer.png") });
    // The table is virtual (191 rows: 175 layers and 16 block headers): only the rows near the view are in the page.
    const rendered = await page.locator("#table tbody tr[data-node]").count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(175);
    expect(await page.locator("#table tfoot td").nth(1).textContent()).toBe("175 layers");
    // Clicking the last layer in the drawing brings its row into the table, selected.
    await page.locator("#diagram g.box", { hasText: "fc · dense" }).click();
    await expect.poll(() => page.locator('#table tr.selected[data-name="fc"]').count(), { timeout: 5_000 }).toBe(1);
    // Scrolled back to the top, the first rows are there again.
    await page.locator("#table-wrap").evaluate((w) => (w.scrollTop = 0));
    await expect.poll(() => page.locator('#table tr[data-name="conv1"]').count(), { timeout: 5_000 }).toBe(1);
    await page.selectOption("#depth", "auto");
    expect(errors).toEqual([]);
  });
});
