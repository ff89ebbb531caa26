/**
 * Prediction vs execution on random small graphs: chains of convolutions and poolings with
 * random kernels, strides, paddings (all forms), dilations and ceil modes, plus a residual
 * merge — verify() must agree on every cell.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";

const padding = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map(String),
  fc.constantFrom("same", "valid", "full"),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).map(([a, b]) => `[[${a}, ${b}], [${b}, ${a}]]`),
);

const step = fc.oneof(
  fc.record({ c: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), p: padding, mode: fc.constantFrom("zeros", "reflect", "replicate", "circular") })
    .map((a) => `conv2d(${a.c}, ${a.k}, stride=${a.s}, dilation=${a.d}, padding=${a.p}${a.mode === "zeros" || a.p === "same" || a.p === "full" ? "" : `, padding_mode=${a.mode}`})`),
  fc.record({ kind: fc.constantFrom("maxpool", "avgpool"), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 1 }), ceil: fc.boolean() })
    .filter((a) => a.p <= a.k / 2)
    .map((a) => `${a.kind}(${a.k}, stride=${a.s}, padding=${a.p}, ceil=${a.ceil})`),
  fc.constantFrom("relu", "batchnorm", "gelu"),
);

const fractional = fc.oneof(
  fc.record({ c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 1 }), op: fc.integer({ min: 0, max: 2 }), d: fc.integer({ min: 1, max: 2 }) })
    .filter((a) => a.op < Math.max(a.s, a.d))
    .map((a) => `deconv2d(${a.c}, ${a.k}, stride=${a.s}, padding=${a.p}, output_padding=${a.op}, dilation=${a.d})`),
  fc.record({ s: fc.integer({ min: 1, max: 3 }), mode: fc.constantFrom("nearest", "bilinear") }).map((a) => `upsample(${a.s}, mode=${a.mode})`),
);

describe("verify agrees with the analyzer on random conv/pool graphs", () => {
  it("every cell agrees (or the analyzer rejects the graph)", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), fc.integer({ min: 9, max: 20 }), fc.integer({ min: 9, max: 20 }), (steps, h, w) => {
        const text = `model m {\n input x: [2, ${h}, ${w}]\n y = x -> ${steps.join(" -> ")}\n z = y -> relu\n output add(y, z)\n}`;
        const g = compile({ file: "p.cnn", text }).graph;
        const a = analyze(g);
        if (g.models.length === 0 || a.diagnostics.some((d) => d.severity === "error")) return; // shapes the analyzer refuses
        const r = verify(g, { analysis: a });
        const bad = r.models[0]!.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([q, c]) => `${l.name}.${q}: ${JSON.stringify(c)}`));
        expect(bad, text).toEqual([]);
        expect(r.ok, text).toBe(true);
      }),
      { numRuns: 100, seed: 20261122 },
    );
  });

  // Fields after a transposed conv or upsample differ from unit to unit; the analyzer's size
  // for them is checked on the zoo, not here (see docs/verify.md).
  it("with transposed convs and upsampling: shapes, parameters, MACs and bytes agree", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(step, fractional), { minLength: 1, maxLength: 4 }), fc.integer({ min: 5, max: 12 }), (steps, h) => {
        const text = `model m {\n input x: [2, ${h}, ${h + 1}]\n output x -> ${steps.join(" -> ")}\n}`;
        const g = compile({ file: "p.cnn", text }).graph;
        const a = analyze(g);
        if (g.models.length === 0 || a.diagnostics.some((d) => d.severity === "error")) return;
        const r = verify(g, { analysis: a, rf: false });
        const bad = r.models[0]!.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([q, c]) => `${l.name}.${q}: ${JSON.stringify(c)}`));
        expect(bad, text).toEqual([]);
        expect(Object.values(r.models[0]!.totals).every((c) => c.ok), text).toBe(true);
      }),
      { numRuns: 100, seed: 20261122 },
    );
  });
});
