import { readFileSync, existsSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The library runs in a browser: nothing statically reachable from src/index.ts may import a
// Node built-in. (Dynamic `import()` of Node-only code, behind an option, is allowed.)
const root = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) out.push(m[1]!);
  return out;
}

describe("the public entry is browser-safe", () => {
  it("no module reachable from src/index.ts imports a Node built-in", () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of staticImports(file)) {
        if (builtins.has(spec)) offenders.push(`${file.slice(root.length + 1)} imports ${spec}`);
        else if (spec.startsWith(".")) {
          const ts = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
          if (existsSync(ts)) visit(ts);
        }
      }
    };
    visit(resolve(root, "src/index.ts"));
    expect(seen.size).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
