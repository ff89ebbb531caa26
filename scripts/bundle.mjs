// Bundles the CLI's fast path (parse, analyze, check, diff) into dist/bundle/ so that
// `convspec analyze` loads a few files instead of hundreds (chevrotain's lodash-es alone
// costs ~0.2 s as separate modules). Commands that run the execution backend (verify,
// export, and diagram/serve with their layout engine and renderer) stay external: the bundle imports the tsc output in dist/src/ on demand, by a
// path rewritten relative to dist/bundle/.
import { rmSync } from "node:fs";
import { build } from "rolldown";
import { dirname, resolve, relative } from "node:path";

const outDir = resolve("dist/bundle");
// Chunks are content-hashed: clear the old ones so the folder holds one build.
rmSync(outDir, { recursive: true, force: true });
// The execution backend (runtime, probe, fast kernels), verification and ONNX serialization.
// The families' reference kernels and ONNX emitters are small pure functions that the
// analyzer's import graph reaches through the family records: they are bundled, never run.
// Their ONNX readers (src/families/*/onnx_import.ts) are reached only through the importer
// (src/onnx/import/, external), so they stay out of the bundle (test/families/registry.test.ts).
const heavy = /[\\/]src[\\/](verify[\\/]|diagram[\\/]|onnx[\\/]import[\\/]|exec[\\/](runtime|rf|backward|init)\.js$|exec[\\/](fast|wasm)[\\/]|onnx[\\/](export|proto|builder|weights|shapes)\.js$)|[\\/]src[\\/]cli[\\/](verify|export|diagram|serve)\.js$/;

await build({
  input: "dist/src/cli/main.js",
  platform: "node",
  plugins: [
    {
      name: "external-heavy",
      resolveId(source, importer) {
        if (!importer || !source.startsWith(".")) return null;
        const abs = resolve(dirname(importer), source);
        if (!heavy.test(abs)) return null;
        let rel = relative(outDir, abs).split("\\").join("/");
        if (!rel.startsWith(".")) rel = `./${rel}`;
        return { id: rel, external: true };
      },
    },
  ],
  external: [/^node:/],
  // Minified: the tarball ships this beside the readable tsc output in dist/src, which stack traces and readers use.
  output: { dir: outDir, format: "esm", entryFileNames: "main.js", chunkFileNames: "[name]-[hash].js", minify: true },
  logLevel: "warn",
});
