/**
 * verify() on random valid specs under random memory limits ends in one of three ways: every
 * cell agrees (exit 0); a mismatch, where a receptive-field ✗ names a concrete output unit whose
 * measured extent a brute-force forward check (test/verify/brute.ts) confirms (exit 1); or a
 * refusal with the phase and the numbers (exit 2). It never throws (exit 3).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";
import { probeCopy } from "../../src/verify/probe.js";
import { bruteExtent } from "./brute.js";

const local = fc.oneof(
  fc.record({ c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 1, max: 6 }) })
    .map((a) => `conv2d(${a.c}, ${a.k}, stride=${a.s}, dilation=${a.d}, padding=same)`.replace(`stride=${a.s}, dilation=${a.d}, padding=same`, a.s > 1 && a.d > 1 ? `stride=${a.s}, dilation=${a.d}, padding=${a.d}` : `stride=${a.s}, dilation=${a.d}, padding=same`)),
  fc.record({ kind: fc.constantFrom("maxpool", "avgpool"), k: fc.integer({ min: 2, max: 3 }) }).map((a) => `${a.kind}(${a.k}, stride=2, padding=1)`),
  fc.record({ c: fc.integer({ min: 1, max: 2 }), k: fc.integer({ min: 2, max: 4 }), s: fc.integer({ min: 2, max: 3 }) }).map((a) => `deconv2d(${a.c}, ${a.k}, stride=${a.s})`),
  fc.record({ s: fc.integer({ min: 2, max: 3 }), mode: fc.constantFrom("nearest", "bilinear") }).map((a) => `upsample(${a.s}, mode=${a.mode})`),
  fc.constantFrom("relu", "batchnorm", "sigmoid"),
);

const extra = fc.constantFrom("none", "pool-branch", "scramble", "dense");
const KiB = 1024;

/** The spec: a local chain, then one of: nothing, an image-pooling branch concatenated back, a scrambling reshape, a dense head. */
function specText(steps: readonly string[], h: number, w: number, kind: string): string | undefined {
  const head = `model m {\n  input x: [2, ${h}, ${w}]\n  t = x -> ${steps.join(" -> ")}\n`;
  const a = analyze(compile({ file: "p.cnn", text: `${head}  output t\n}` }).graph);
  const shape = a.models[0]?.layers.at(-1)?.outputShape;
  if (!shape || a.diagnostics.some((d) => d.severity === "error")) return undefined;
  const [c, th, tw] = shape as [number, number, number];
  if (kind === "pool-branch") return `${head}  g = t -> global_avgpool -> conv2d(2, 1) -> upsample([${th}, ${tw}], mode=bilinear)\n  output concat(t, g) -> conv2d(2, 3, padding=1)\n}`;
  if (kind === "scramble" && th !== tw) return `${head}  output t -> reshape([${c}, ${tw}, ${th}]) -> conv2d(2, 3, padding=1)\n}`;
  if (kind === "dense") return `${head}  output t -> flatten -> dense(3)\n}`;
  return `${head}  output t\n}`;
}

describe("verify never runs out of memory and never cries wolf", () => {
  it("random specs under random limits: agree, a confirmed ✗, or a refusal; never a throw", () => {
    const seen = { ok: 0, mismatch: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(local, { minLength: 1, maxLength: 5 }), fc.integer({ min: 6, max: 16 }), fc.integer({ min: 6, max: 16 }), extra,
        fc.constantFrom(8 * KiB, 64 * KiB, 1024 * KiB, 64 * 1024 * KiB), (steps, h, w, kind, cap) => {
          const text = specText(steps, h, w, kind);
          if (!text) return;
          const g = compile({ file: "p.cnn", text }).graph;
          const a = analyze(g);
          if (g.models.length === 0 || a.diagnostics.some((d) => d.severity === "error")) return;
          const r = verify(g, { analysis: a, maxMemoryBytes: cap }); // a throw fails the property: exit 3
          const refusals = r.diagnostics.filter((d) => d.code === "CS4006");
          if (refusals.length > 0) {
            seen.refused++;
            expect(refusals[0]!.message, text).toMatch(/the (forward run|receptive-field probe) needs about [\d.]+ [KMG]?i?B at batch 1, more than the limit of /);
            return;
          }
          const bad = r.models[0]!.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([q, c]) => ({ l, q, c })));
          if (bad.length === 0 && r.ok) {
            seen.ok++;
            return;
          }
          seen.mismatch++;
          for (const { l, q, c } of bad) {
            // Only a receptive field may disagree here, and only with a concrete unit.
            expect(q, `${text}\n${l.name}: ${JSON.stringify(c)}`).toBe("rf");
            expect(c.unit, `${text}\n${l.name}: ${JSON.stringify(c)}`).toBeDefined();
            const pm = probeCopy(g.models[0]!, a.models[0]!, c.unit!.factor);
            const brute = bruteExtent(pm, l.node, c.unit!.index);
            expect(brute, `${text}\n${l.name}: ${JSON.stringify(c)}`).toEqual(c.unit!.measured);
            expect(brute).not.toEqual(c.unit!.predicted);
          }
        }),
      { numRuns: 200, seed: 20261203 },
    );
    // The sample reaches every ending the property allows (not all of it refused or all fine).
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(3);
  });
});
