/**
 * Blocks with several inputs (an extension beyond ConvSpec 1.1): the chain's tensor goes to the
 * block's first `input`, each other input is passed by name at the call, `x -> up(32, skip=s)`.
 * Every number below is computed by hand in the comments, or measured by the execution backend.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";
import { analysisToJson } from "../../src/report/json.js";
import { renderTable } from "../../src/report/text.js";
import { diffModels } from "../../src/diff/diff.js";
import { diagramGraph } from "../../src/diagram/graph.js";
import { roundTrip } from "../onnx_import/helpers.js";
import { run } from "../analysis/helpers.js";
import { lineCol } from "../../src/diagnostics/render.js";

const UP = `block up(c) {
  input x
  input skip
  u = x -> deconv2d(c, 2, stride=2)
  output concat(u, skip) -> conv2d(c, 3, padding=1) -> relu
}
`;

const DEC = `${UP}model dec {
  input a: [64, 16, 16]
  input s: [32, 32, 32]
  output a -> up(32, skip=s)          # the chain's tensor is the first input; the others by name
  assert shape(output) == [32, 32, 32]
}
`;

const DOWN = `block down(c) {
  input x
  output skip = x -> conv2d(c, 3, padding=1) -> relu
  output down = skip -> maxpool(2)
}
`;

/** A U-Net written with blocks only: an encoder stage with two results, a decoder stage with two inputs. */
const UNET = `${DOWN}${UP}model unet {
  input image: [3, 64, 64]
  s1, d1 = image -> down(16)
  s2, d2 = d1 -> down(32)
  output d2 -> conv2d(64, 3, padding=1) -> relu -> up(32, skip=s2) -> up(16, skip=s1) -> conv2d(2, 1)
}
`;

/** The same net written out without blocks. */
const FLAT = `model unet {
  input image: [3, 64, 64]
  s1 = image -> conv2d(16, 3, padding=1) -> relu
  d1 = s1 -> maxpool(2)
  s2 = d1 -> conv2d(32, 3, padding=1) -> relu
  d2 = s2 -> maxpool(2)
  b = d2 -> conv2d(64, 3, padding=1) -> relu
  u1 = b -> deconv2d(32, 2, stride=2)
  x1 = concat(u1, s2) -> conv2d(32, 3, padding=1) -> relu
  u2 = x1 -> deconv2d(16, 2, stride=2)
  output concat(u2, s1) -> conv2d(16, 3, padding=1) -> relu -> conv2d(2, 1)
}
`;

function compiled(text: string) {
  const c = compile({ file: "t.cnn", text });
  const of = (sev: string) => c.diagnostics.filter((d) => d.severity === sev).map((d) => `${d.code} ${d.message}`);
  return { c, errors: of("error"), warnings: of("warning") };
}

describe("the decoder stage of the brief", () => {
  test("params, MACs, shapes and fields by hand", () => {
    const r = run(DEC);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true]);
    expect(compiled(DEC).warnings).toEqual([]);
    // deconv2d(32, 2, stride=2) on 64 channels: 64·32·2·2 + 32 = 8,224; 16×16 → 32×32.
    expect(r.layer("deconv2d_1").params).toBe(8_224n);
    expect(r.layer("deconv2d_1").outputShape).toEqual([32, 32, 32]);
    // MACs: each of 64·16·16 inputs meets 32·2·2 weights: 64·256·128 = 2,097,152.
    expect(r.layer("deconv2d_1").macs).toBe(2_097_152n);
    // concat of u [32, 32, 32] and skip [32, 32, 32]: 64 channels.
    expect(r.layer("concat_1").outputShape).toEqual([64, 32, 32]);
    // conv2d(32, 3) on 64 channels: 64·32·9 + 32 = 18,464; MACs 32·32·32 outputs · 64·9 = 18,874,368.
    expect(r.layer("conv2d_1").params).toBe(18_464n);
    expect(r.layer("conv2d_1").macs).toBe(18_874_368n);
    expect(r.model.totals.params).toBe(8_224n + 18_464n);
    expect(r.model.totals.macs).toBe(2_097_152n + 18_874_368n);
    // Fields: the deconv (k2 s2) sees 1 input pixel, jump 1/2; the skip is a model input, field 1;
    // the concat takes the largest, 1; the 3×3 conv adds 2 · 1/2: 2.
    expect(["deconv2d_1", "concat_1", "conv2d_1"].map((n) => r.layer(n).rf.size)).toEqual([[1, 1], [1, 1], [2, 2]]);
  });
  test("the same numbers, fields included, as the stage written out, with merges of the two inputs as any merge's", () => {
    const flat = run(`model dec {
  input a: [64, 16, 16]
  input s: [32, 32, 32]
  u = a -> deconv2d(32, 2, stride=2)
  output concat(u, s) -> conv2d(32, 3, padding=1) -> relu
}
`).model;
    const blocked = run(DEC).model;
    const facts = (m: typeof flat) => m.layers.map((l) => [l.name, l.outputShape, l.params, l.macs, l.flops, l.activationBytes, l.rf.size, l.rf.jump]);
    expect(facts(blocked)).toEqual(facts(flat));
    expect(blocked.totals).toEqual(flat.totals);
  });
});

describe("a U-Net written with blocks only", () => {
  test("params and MACs by hand, equal to the net written out", () => {
    const r = run(UNET);
    // Convs (params; MACs = output cells · in-channels · taps):
    //   down(16): 3→16 k3 = 448; 16·64·64·27 = 1,769,472
    //   down(32): 16→32 k3 = 4,640; 32·32·32·144 = 4,718,592
    //   bottleneck 32→64 k3 = 64·32·9 + 64 = 18,496; 64·16·16·288 = 4,718,592
    //   up(32): deconv 64→32 k2 = 8,224; 64·16·16·128 = 2,097,152; conv 64→32 k3 = 18,464; 18,874,368
    //   up(16): deconv 32→16 k2 = 32·16·4 + 16 = 2,064; 32·32·32·64 = 2,097,152;
    //           conv (16 + 16)→16 k3 = 16·32·9 + 16 = 4,624; 16·64·64·288 = 18,874,368
    //   head 16→2 k1 = 34; 2·64·64·16 = 131,072
    expect(r.model.totals.params).toBe(448n + 4_640n + 18_496n + 8_224n + 18_464n + 2_064n + 4_624n + 34n);
    expect(r.model.totals.params).toBe(56_994n);
    expect(r.model.totals.macs).toBe(1_769_472n + 4_718_592n + 4_718_592n + 2_097_152n + 18_874_368n + 2_097_152n + 18_874_368n + 131_072n);
    expect(r.model.totals.macs).toBe(53_280_768n);
    expect(r.model.outputs).toEqual({ output: [2, 64, 64] });
    const flat = run(FLAT).model;
    const facts = (m: typeof flat) => m.layers.map((l) => [l.name, l.outputShape, l.params, l.macs, l.flops, l.activationBytes, l.rf.size]);
    expect(facts(r.model)).toEqual(facts(flat));
    expect(r.model.totals).toEqual(flat.totals);
  });
  test("the execution backend runs it and verify agrees on every cell", () => {
    const m = compiled(UNET).c.graph.models[0]!;
    const v = verify({ models: [m] }, { batch: 2 });
    expect(v.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.models[0]!.totals.params.measured).toBe(56_994);
  });
  test("export → import gives the same params, buffers, MACs and output shapes", () => {
    const { totals } = roundTrip(compiled(UNET).c.graph.models[0]!, "unet.onnx");
    expect(totals).toEqual({ params: "56994", buffers: "0", macs: "53280768", outputs: [[2, 64, 64]] });
  });
  test("reports: table rows per call, JSON, diff, and the collapsed diagram box fed by both inputs", () => {
    const c = compiled(UNET).c;
    const a = analyze(c.graph);
    const m = a.models[0]!;
    const cells = (name: string) => renderTable(m).split("\n").find((l) => l.includes(` ${name} `))!.split("│").map((x) => x.trim());
    // up_1's row: its one result's shape; its layers' own rows follow.
    expect(cells("up_1").slice(1, 4)).toEqual(["up_1", "up", "32×32×32"]);
    expect(cells("concat_2").slice(3, 4)).toEqual(["32×64×64"]);
    const doc = JSON.parse(JSON.stringify(analysisToJson(a, { sources: c.sources }))) as { models: { layers: { name: string; block: string }[] }[] };
    expect(doc.models[0]!.layers.filter((l) => l.block === "up_2").map((l) => l.name)).toEqual(["deconv2d_2", "concat_2", "conv2d_5", "relu_5"]);
    // Against the net written out: no layer changed. Against up(24) in the first stage: changed.
    expect(diffModels(run(FLAT).model, m).counts.changed).toBe(0);
    expect(diffModels(m, run(UNET.replace("up(32, skip=s2)", "up(24, skip=s2)")).model).counts.changed).toBeGreaterThan(0);
    // Collapsed (depth 1): up_1's box is fed by the bottleneck's relu (64×16×16) and by down_2 (s2, 32×32×32).
    const d = diagramGraph(m, { depth: 1 });
    const box = (id: string) => d.boxes.find((b) => b.id === id)!;
    const up1 = d.boxes.find((b) => b.lines[0] === "up_1 · up")!;
    expect(up1.lines[1]).toBe("4 layers → 32×32×32");
    expect(d.edges.filter((e) => e.to === up1.id).map((e) => [box(e.from).lines[0], e.label]).sort()).toEqual([["down_2 · down", "32×32×32"], ["relu_3 · relu", "64×16×16"]]);
    const up2 = d.boxes.find((b) => b.lines[0] === "up_2 · up")!;
    expect(d.edges.filter((e) => e.to === up2.id).map((e) => [box(e.from).lines[0], e.label]).sort()).toEqual([["down_1 · down", "16×64×64"], ["up_1 · up", "32×32×32"]]);
  });
});

describe("composition", () => {
  test("several inputs and several results, with a label", () => {
    const r = run(`block stage(c) {
  input x
  input skip
  y = concat(x, skip) -> conv2d(c, 3, padding=1) -> relu
  output feat = y -> relu
  output down = y -> maxpool(2)
}
model m {
  input a: [4, 16, 16]
  input b: [4, 16, 16]
  f, d = a -> stage(8, skip=b) as st
  g = f -> maxpool(2)
  output add(g, d)
  assert params(st) == 584
  assert shape(d) == [8, 8, 8]
}
`);
    expect(r.model.asserts.map((x) => x.pass)).toEqual([true, true]);
    // concat 4 + 4 = 8 channels; conv 8→8 k3: 8·8·9 + 8 = 584; MACs 8·16·16·72 = 147,456.
    expect(r.model.totals.params).toBe(584n);
    expect(r.model.totals.macs).toBe(147_456n);
    expect(r.model.outputs).toEqual({ output: [8, 8, 8] });
  });
  test("a repeat passes the chain's tensor round; each call reads the same named inputs", () => {
    const r = run(`block film(c) {
  input x
  input cond
  y = x -> conv2d(c, 3, padding=1)
  output add(y, cond) -> relu
}
model m {
  input x: [8, 16, 16]
  input z: [8, 16, 16]
  output x -> film(8, cond=z) * 3 as f
  assert params(f) == 3 * 584
  assert rf(output) == 7
}
`);
    expect(r.model.asserts.map((x) => x.pass)).toEqual([true, true]);
    // Three convs 8→8 k3: 3 · 584 = 1,752 params; 3 · 8·16·16·72 = 442,368 MACs.
    expect(r.model.totals.params).toBe(1_752n);
    expect(r.model.totals.macs).toBe(442_368n);
    // Each add reads z: three adds, each with z among its inputs.
    const g = r.model.graph;
    const z = g.tensors.z!;
    expect(g.nodes.filter((n) => n.op === "add").map((n) => n.inputs.includes(z))).toEqual([true, true, true]);
    // Fields: 3, 5, 7 through the three convs (z's field 1 never the largest).
    expect(r.model.layers.filter((l) => l.kind === "add").map((l) => l.rf.size)).toEqual([[3, 3], [5, 5], [7, 7]]);
  });
  test("a call inside a block passes that block's tensors", () => {
    const r = run(`${UP}block twice(c) {
  input x
  input s
  output x -> up(c, skip=s)
}
model m {
  input a: [64, 16, 16]
  input s: [32, 32, 32]
  output a -> twice(32, s=s)
}
`);
    expect(r.model.totals.params).toBe(8_224n + 18_464n);
  });
  test("1.1's one-input blocks keep their meaning: a parameter may share the input's name, words pass on", () => {
    const r = run(`block b(x, mode=nearest) {
  input x
  output x -> conv2d(x, 1) -> upsample(2, mode=mode)
}
model m {
  input nearest: [2, 4, 4]
  output nearest -> b(3, mode=nearest)
}
`);
    // conv 2→3 k1: 3·2 + 3 = 9 params; a tensor named like a word does not take its place.
    expect(r.model.totals.params).toBe(9n);
    expect(r.model.outputs).toEqual({ output: [3, 8, 8] });
  });
});

describe("diagnostics", () => {
  const text = (line: string) => `${UP}model m {\n  input a: [64, 16, 16]\n  input s: [32, 32, 32]\n  ${line}\n}\n`;
  const at = (line: string, offset: number) => { const p = lineCol(text(line), offset); return `${p.line}:${p.col}`; };
  const show = (line: string) => compiled(text(line)).c.diagnostics.filter((d) => d.severity === "error").map((d) => [at(line, d.span!.start), d.code, d.message, d.hint]);
  const warnings = (line: string) => compiled(text(line)).warnings;
  test("an input not given: CS2048 with the call to write", () => {
    expect(show("output a -> up(32)")).toEqual([["10:15", "CS2048", "block up: input skip is not given (the chain's tensor goes to input x, each other input by name)",
      "up(32, skip=t), t a tensor bound before this line"]]);
    // A tensor of the input's own name is the guess.
    expect(show("skip = s -> relu\n  output a -> up(32)")[0]!.slice(1)).toEqual(["CS2048", "block up: input skip is not given (the chain's tensor goes to input x, each other input by name)", "up(32, skip=skip)"]);
  });
  test("a tensor given by position (the blind user's first try): CS2048, the hint passes it by name", () => {
    expect(show("output a -> up(32, s)")).toEqual([["10:22", "CS2048", "block up: s, given by position after its 1 parameter (c), is a tensor: the chain's tensor goes to input x, each other input by name",
      "up(32, skip=s)"]]);
    expect(warnings("output a -> up(32, s)")).toEqual([]);
    // A block of one input: the hint says to declare a second one.
    const one = compiled(`block conv3(c) {\n  input x\n  output x -> conv2d(c, 3, padding=1)\n}\nmodel m {\n  input a: [4, 8, 8]\n  input s: [4, 8, 8]\n  output a -> conv3(8, s)\n}\n`).c.diagnostics.filter((d) => d.severity === "error");
    expect(one.map((d) => [d.code, d.message, d.hint])).toEqual([["CS2048", "block conv3: s, given by position after its 1 parameter (c), is a tensor, and the block's one input, x, reads the chain's tensor",
      "declare another input in block conv3 (input NAME, after input x) and pass s by name: conv3(8, NAME=s)"]]);
  });
  test("a chain that starts with the call (the user's second try): CS2030 with the chain to write", () => {
    expect(show("output up(a, s) -> relu")).toEqual([["10:10", "CS2030", 'a chain starts with a tensor name or a merge, not the block "up"',
      "a chain starts from a tensor, which goes to the block's first input (x), and any other input is passed by name: a -> up(skip=s)"]]);
  });
  test("a number where a tensor goes, a tensor where a number goes: CS2006 with both values", () => {
    expect(show("output a -> up(32, skip=3)")).toEqual([["10:27", "CS2006", "up: skip must be a tensor name, got the number 3",
      "skip is an input of block up: pass a tensor bound before this line by its name, up(32, skip=t)"]]);
    expect(show("output a -> up(s, skip=s)")).toEqual([["10:18", "CS2006", "up: c must be a number, list or word, got the tensor s",
      "a tensor goes to one of the block's inputs: the chain's to x (s -> up(...)), another by name (up(..., skip=s))"]]);
  });
  test("an unknown name: CS2012 suggests the input; an unknown tensor: CS2009", () => {
    expect(show("output a -> up(32, skp=s)")).toEqual([["10:22", "CS2012", 'block up has no parameter "skp"', 'did you mean "skip"?']]);
    expect(show("output a -> up(32, skip=q)").map((d) => d.slice(0, 3))).toEqual([["10:27", "CS2009", 'unknown tensor "q"']]);
  });
  test("an input named like a parameter, an input declared twice, no input: CS2048, CS2010, CS2025 at the definition", () => {
    const def = (head: string, inputs: string) => compiled(`block ${head} {\n${inputs}  output x -> relu\n}\nmodel m {\n  input a: [4, 8, 8]\n  output a -> ${head.replace(/\(.*/, "")}(4, c=a)\n}\n`).c.diagnostics.filter((d) => d.severity === "error").map((d) => [`${d.span!.start}`, d.code, d.message, d.hint]);
    const clash = def("b(c)", "  input x\n  input c\n");
    expect(clash.map((d) => d.slice(1))).toEqual([["CS2048", 'block b: input "c" has the name of parameter "c", and a call passes both by name (c=...)', "rename the input or the parameter: input c_in, then b(..., c_in=t)"]]);
    expect(def("b(k)", "  input x\n  input x\n").map((d) => d[1])).toEqual(["CS2010"]);
    expect(compiled(`block b() {\n  output relu\n}\nmodel m {\n  input a: [4, 8, 8]\n  output a -> b\n}\n`).errors).toContain("CS2025 block b must declare at least one input, it declares 0");
  });
});
