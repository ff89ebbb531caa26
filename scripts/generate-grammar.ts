/** Writes grammar/diagrams.generated.html and grammar/cst.generated.d.ts (run: npm run grammar). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generateGrammarArtifacts } from "../grammar/generate.js";

const dir = fileURLToPath(new URL("../../grammar/", import.meta.url));
for (const [name, text] of Object.entries(generateGrammarArtifacts())) {
  writeFileSync(dir + name, text);
  process.stdout.write(`wrote grammar/${name}\n`);
}
