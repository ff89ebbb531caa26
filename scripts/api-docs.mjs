// Writes the library's API reference (Markdown, one page per export) from the shipped type
// declarations: API Extractor reads dist/src/index.d.ts into a doc model, API Documenter turns
// it into pages. `npm run api` writes docs/api/; test/api/reference.test.ts regenerates into a
// temporary folder and fails while docs/api/ differs. Run after `npm run build`.
//   node scripts/api-docs.mjs [OUT_DIR]     (default docs/api)
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(root, "docs/api"));
const entry = join(root, "dist/src/index.d.ts");
if (!existsSync(entry)) throw new Error("dist/src/index.d.ts is missing: run `npm run build` first");

const model = mkdtempSync(join(tmpdir(), "convspec-api-"));
try {
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(root, "api-extractor.json"),
    packageJsonFullPath: join(root, "package.json"),
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: { target: "ES2022", lib: ["ES2022"], module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, types: [] },
          files: [entry],
        },
      },
      apiReport: { enabled: false },
      docModel: { enabled: true, apiJsonFilePath: join(model, "convspec.api.json") },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      // The reference shows what the comments say; TSDoc style and release tags are not enforced.
      messages: {
        compilerMessageReporting: { default: { logLevel: "warning" } },
        extractorMessageReporting: { default: { logLevel: "none" } },
        tsdocMessageReporting: { default: { logLevel: "none" } },
      },
    },
  });
  const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false });
  if (!result.succeeded) throw new Error(`API Extractor: ${result.errorCount} error(s)`);
  const documenter = join(dirname(createRequire(import.meta.url).resolve("@microsoft/api-documenter/package.json")), "bin/api-documenter");
  execFileSync(process.execPath, [documenter, "markdown", "--input-folder", model, "--output-folder", out], { stdio: ["ignore", "ignore", "inherit"] });
} finally {
  rmSync(model, { recursive: true, force: true });
}
