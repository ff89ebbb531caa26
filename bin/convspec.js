#!/usr/bin/env node
// The installed command. Runs the bundled CLI (dist/bundle, made by `npm run build`), or the
// plain tsc output when the bundle is absent (e.g. right after a bare `tsc`).
const entry = await import("../dist/bundle/main.js").catch((e) => {
  if (e && e.code === "ERR_MODULE_NOT_FOUND") return import("../dist/src/cli/main.js");
  throw e;
});

entry.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`convspec: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 3;
  },
);
