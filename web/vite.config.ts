// Builds the playground (web/: an application on the library, not part of the package's src/) into dist/web: static files, everything bundled, nothing
// fetched from elsewhere at run time. `npm run web:build`.
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * Starts the analysis worker from an inline script at the top of the built page, while the
 * page's own script is still being fetched, and asks it for the link's text (boot.ts takes
 * the worker over: protocol.ts's EarlyStart). The worker is the first table's whole path, so
 * it starts ~100 ms sooner on a cold load. The script names the worker's built file, which
 * only the bundle knows.
 */
function startWorkerEarly(): Plugin {
  return {
    name: "convspec-start-analysis-worker-early",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        const files = Object.keys(ctx.bundle ?? {}).filter((f) => /(^|\/)analysis\.worker-[\w-]+\.js$/.test(f));
        if (files.length !== 1) throw new Error(`expected one built analysis worker, found ${files.length}: ${files.join(", ")}`);
        // Where a worker cannot start from here (a page opened from file://), boot.ts starts it itself as before.
        const script =
          `(function () { try { var w = new Worker(${JSON.stringify(`./${files[0]}`)}, { type: "module" }), at = performance.now();` +
          ` w.postMessage({ type: "analyzeLink", seq: 1, hash: location.hash, depth: "auto", model: 0 });` +
          ` window.__convspecEarly = { worker: w, at: at }; } catch (e) {} })();`;
        return [{ tag: "script", children: script, injectTo: "head" }];
      },
    },
  };
}

export default defineConfig({
  plugins: [startWorkerEarly()],
  root: here,
  base: "./",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4000,
    // The layout engine is one large file; its transform time is not news on every build.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: { format: "es" },
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
});
