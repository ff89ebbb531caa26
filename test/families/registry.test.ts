/**
 * The shape of the code around layer families: every family has every face, kernels do not
 * read the analyzer's geometry, families are named outside their folder only where the issue's
 * budget allows, nothing branches on a family's name, and src/ has no import cycles.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { familyReads } from "../../src/families/onnx_import.js";
import { families, familyOf, lookupLayer, rulesOf, schemas } from "../../src/families/registry.js";
import { importOps } from "../../src/onnx/import/ops.js";
import { cycles, cyclesIn, filesNaming, importsOf, root, tsFiles } from "./structure.js";

const folders = readdirSync(join(root, "src/families"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

/** The folder whose family.ts declares `family`. */
function folderOf(family: string): string | undefined {
  return folders.find((d) => {
    try {
      return readFileSync(join(root, "src/families", d, "family.ts"), "utf8").includes(`family: "${family}"`);
    } catch {
      return false;
    }
  });
}

describe("the registry", () => {
  it("lists every family once, each with every face", () => {
    const names = families.map((f) => f.schema.family);
    expect(new Set(names).size).toBe(names.length);
    const missing: string[] = [];
    for (const f of families) {
      const n = f.schema.family;
      if (typeof f.rules.shape !== "function") missing.push(`${n}: rules.shape`);
      if (typeof f.exec.forward !== "function") missing.push(`${n}: exec.forward`);
      if (typeof f.exec.backward !== "function") missing.push(`${n}: exec.backward`);
      if (typeof f.probe !== "object" || f.probe === null) missing.push(`${n}: probe facts`);
      if (typeof f.onnx !== "function") missing.push(`${n}: ONNX emitter`);
      if (!folderOf(n)) missing.push(`${n}: a folder under src/families`);
    }
    expect(missing).toEqual([]);
  });

  it("every written name resolves to its family; unknown and prototype names to nothing", () => {
    for (const s of schemas) for (const name of Object.keys(s.kinds)) expect(lookupLayer(name)?.schema).toBe(s);
    for (const name of ["toString", "__proto__", "constructor", "nope"]) {
      expect(lookupLayer(name)).toBeUndefined();
      expect(rulesOf(name)).toBeUndefined();
      expect(familyOf(name)).toBeUndefined();
    }
  });
});

/** Families with an ONNX emitter and no import face of their own, and why. */
const READ_ELSEWHERE = new Map([
  ["identity", "exports Identity, which the importer passes through (plumbing, src/onnx/import/ops.ts)"],
  ["dropout", "exports Identity (no layer at inference), passed through like ONNX Dropout (plumbing)"],
  ["upsample", "exports Resize, read back by the resize family's face (whole-number scales → upsample)"],
  ["crop", "exports Slice, read back by the slice family's face (spatial bounds, step 1 → crop)"],
  ["center_crop", "exports Slice, read back as crop by the slice family's face"],
  ["declared_tensor", "exports an initializer, read back as a `param` operand by the walk (Walk.param) where a merge takes it"],
]);

describe("the import faces (src/families/<family>/onnx_import.ts)", () => {
  it("every family with an ONNX emitter reads ONNX back in its own folder, or is listed with the reason it does not", () => {
    const faced = familyReads.map((r) => r.family.schema.family);
    expect(new Set(faced).size).toBe(faced.length);
    expect(familyReads.every((r) => families.includes(r.family) && r.ops.length > 0)).toBe(true);
    const missing = families.filter((f) => typeof f.onnx === "function" && !faced.includes(f.schema.family) && !READ_ELSEWHERE.has(f.schema.family)).map((f) => f.schema.family);
    expect(missing).toEqual([]);
    // A reason is for a family without a face, and for a registered one.
    expect([...READ_ELSEWHERE.keys()].filter((n) => faced.includes(n) || !familyOf(n))).toEqual([]);
    const wrongFolder = familyReads.filter((r) => !readFileSync(join(root, "src/families", folderOf(r.family.schema.family)!, "onnx_import.ts"), "utf8").includes("Reads: FamilyReads")).map((r) => r.family.schema.family);
    expect(wrongFolder).toEqual([]);
  });

  it("each op type is read by one record, and the importer's table holds exactly the faces' ops and its plumbing", () => {
    const ops = familyReads.flatMap((r) => r.ops.map((o) => o.op));
    expect(ops.filter((o, i) => ops.indexOf(o) !== i)).toEqual([]);
    expect([...importOps.keys()].filter((o) => !ops.includes(o)).sort()).toEqual(["Dropout", "Identity"]);
    for (const r of familyReads) for (const o of r.ops) expect(importOps.get(o.op)).toBe(o.read);
  });

  it("only the importer loads the faces: the analyzer never reaches them", () => {
    const faces = tsFiles().filter((f) => /^src\/families\/([^/]+\/)?onnx_import\.ts$/.test(f));
    expect(faces.length).toBe(new Set(familyReads.map((r) => folderOf(r.family.schema.family))).size + 1);
    const loaders = tsFiles().flatMap((f) => importsOf(f).filter((i) => faces.includes(i.target)).map((i) => ({ f, to: i.target })));
    expect(loaders.some(({ f }) => f === "src/onnx/import/ops.ts")).toBe(true); // the reader sees the one real loader
    const stray = loaders.filter(({ f, to }) => !(f.startsWith("src/onnx/import/") && to === "src/families/onnx_import.ts") && !faces.includes(f)).map(({ f, to }) => `${f} → ${to}`);
    expect(stray).toEqual([]);
    // The faces import the importer's machinery; a family record (analyzer path) never does.
    const recordsReadingImporter = tsFiles().filter((f) => !faces.includes(f) && f.startsWith("src/families/")).flatMap((f) => importsOf(f).filter((i) => !i.typeOnly && i.target.startsWith("src/onnx/import/")).map((i) => `${f} → ${i.target}`));
    expect(recordsReadingImporter).toEqual([]);
  });
});

describe("verification cannot agree with itself", () => {
  // What a kernel may import: tensors, the IR's types, the shared kernel helpers, and other kernels.
  const allowed = (target: string, typeOnly = false) =>
    target === "src/exec/tensor.ts" || target.startsWith("src/util/") || (typeOnly && target === "src/graph/ir.ts") || target.startsWith("src/exec/kernels/") || /^src\/families\/[^/]+\/kernel\.ts$/.test(target);
  it("no kernel.ts imports the analyzer's geometry, rules, arguments or any family record", () => {
    const kernels = tsFiles().filter((f) => /^src\/families\/[^/]+\/kernel\.ts$/.test(f));
    expect(kernels.length).toBeGreaterThanOrEqual(10);
    const bad = kernels.flatMap((k) => importsOf(k).filter((i) => !allowed(i.target, i.typeOnly)).map((i) => `${k} → ${i.target}`));
    expect(bad).toEqual([]);
  });
  it("the lint sees a forbidden import (the check itself can fail)", () => {
    expect(allowed("src/families/geometry.ts")).toBe(false);
    expect(allowed("src/families/conv/family.ts")).toBe(false);
    expect(allowed("src/families/pool/kernel.ts")).toBe(true);
    expect(allowed("src/graph/ir.ts")).toBe(false);
  });
});

/**
 * Code that writes ConvSpec text names layers by their written names, as a spec does: the
 * PyTorch-syntax hints. It is left out of the count, and only it. (The ONNX importer's per-op
 * records live in the families' import faces now; what remains in src/onnx/import/ — patterns,
 * the walk's stand-ins, view folding, block lifting — is counted like any other code.)
 */
const TEXT_WRITERS = ["src/ast/pytorch.ts"];

describe("one home per family", () => {
  it("a family is named (string literal or object key) by at most 3 files outside its folder, 1 on average", () => {
    const counts = families.map((f) => {
      const names = [...new Set([f.schema.family, ...Object.values(f.schema.kinds).map((k) => k.kind)])];
      const outside = filesNaming(names, `src/families/${folderOf(f.schema.family)}`).filter((file) => !TEXT_WRITERS.some((w) => file.startsWith(w)));
      return { family: f.schema.family, outside };
    });
    const over = counts.filter((c) => c.outside.length > 3);
    expect(over).toEqual([]);
    const mean = counts.reduce((a, c) => a + c.outside.length, 0) / counts.length;
    expect(mean, JSON.stringify(counts.filter((c) => c.outside.length > 0))).toBeLessThanOrEqual(1);
  });

  it("nothing outside src/families compares a node's family or kind with a family's name", () => {
    const familyNames = new Set(families.map((f) => f.schema.family));
    const kinds = new Set(families.flatMap((f) => Object.values(f.schema.kinds).map((k) => k.kind)));
    const re = /\.(family|kind)\s*[!=]==\s*["'`]([a-z0-9_]+)["'`]/g;
    const named = (m: RegExpMatchArray) => (m[1] === "family" ? familyNames : kinds).has(m[2]!);
    const hits = tsFiles().filter((f) => !f.startsWith("src/families/")).flatMap((f) =>
      [...readFileSync(join(root, f), "utf8").matchAll(re)].filter(named).map((m) => `${f}: ${m[0]}`));
    expect(hits).toEqual([]);
  });

  it("src/ has no import cycles, type imports included", () => {
    expect(cycles(tsFiles())).toEqual([]);
  });

  it("the cycle finder finds a cycle, and the import reader sees real edges", () => {
    expect(cyclesIn(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c"]]);
    expect(cyclesIn(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
    expect(importsOf("src/families/pool/family.ts").map((i) => i.target)).toContain("src/families/pool/kernel.ts");
  });
});
