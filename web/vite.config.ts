// Builds the playground (web/: an application on the library, not part of the package's src/) into dist/web: static files, everything bundled, nothing
// fetched from elsewhere at run time. `npm run web:build`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { ISOLATION } from "../src/cli/isolation.js";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      // The layout engine is one large file; its transform time is not news on every build.
      checks: { pluginTimings: false },
      // The page's script in two parts (the page links both): the browser compiles them in
      // parallel, off its main thread, while they download. Interleaved first visits in a quiet
      // minute: LeNet-5's first table 395 -> 294 ms, ResNet-50's 428 -> 388 (no difference when
      // the machine is loaded: then no core is idle). clock.ts goes first, as it is evaluated first.
      output: { codeSplitting: { groups: [{ name: "chevrotain", test: /[\\/]web[\\/]clock\.ts$|node_modules[\\/](chevrotain|@chevrotain|lodash-es)[\\/]/ }] } },
    },
  },
  worker: { format: "es" },
  // Cross-origin isolated, as `convspec serve` serves it: the worker's answers also come through shared memory (mailbox.ts).
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] }, headers: ISOLATION },
  preview: { headers: ISOLATION },
});
