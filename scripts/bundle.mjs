// Bundles the CLI's fast path (parse, analyze, check, diff) into dist/bundle/ so that
// `convspec analyze` loads a few files instead of hundreds (chevrotain's lodash-es alone
// costs ~0.2 s as separate modules). Commands that run the execution backend (verify,
// export) stay external: they load the tsc output in dist/src/ on demand.
import { build } from "rolldown";

const heavy = /[\\/]src[\\/](exec|verify|onnx)[\\/]|[\\/]src[\\/]cli[\\/](verify|export)\.js$/;

await build({
  input: "dist/src/cli/main.js",
  platform: "node",
  external: (id, importer) => {
    if (/^node:/.test(id)) return true;
    if (!importer) return false;
    const abs = id.startsWith(".") ? new URL(id, `file://${importer}`).pathname : id;
    return heavy.test(abs);
  },
  output: { dir: "dist/bundle", format: "esm", entryFileNames: "main.js", chunkFileNames: "[name]-[hash].js" },
  logLevel: "warn",
});
