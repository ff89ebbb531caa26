/**
 * Blocks with several results (an extension beyond ConvSpec 1.1): `output NAME = CHAIN` twice
 * or more in a block, bound at the call by name count, `s, d = x -> down(16)`. Every number
 * below is computed by hand in the comments, or measured by the execution backend.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { analyze } from "../../src/analysis/analyze.js";
import { run as execute } from "../../src/exec/runtime.js";
import { verify } from "../../src/verify/verify.js";
import { analysisToJson } from "../../src/report/json.js";
import { renderTable } from "../../src/report/text.js";
import { diffModels } from "../../src/diff/diff.js";
import { diagramGraph } from "../../src/diagram/graph.js";
import { roundTrip } from "../onnx_import/helpers.js";
import { run } from "../analysis/helpers.js";
import { lineCol } from "../../src/diagnostics/render.js";

const DOWN = `block down(c) {
  input x
  output skip = x -> conv2d(c, 3, padding=1) -> relu
  output down = skip -> maxpool(2)
}
`;

const ENCODER = `${DOWN}model unet_enc {
  input image: [3, 64, 64]
  s1, d1 = image -> down(16)      # bound in the block's output order
  s2, d2 = d1 -> down(32)
  output d2
  assert shape(s1) == [16, 64, 64]
}
`;

const UNET = `${DOWN}model unet_small {
  input image: [3, 64, 64]
  s1, d1 = image -> down(16)
  s2, d2 = d1 -> down(32)
  b = d2 -> conv2d(64, 3, padding=1) -> relu -> upsample(2)
  u2 = concat(b, s2) -> conv2d(32, 3, padding=1) -> relu -> upsample(2)
  output concat(u2, s1) -> conv2d(16, 3, padding=1) -> relu -> conv2d(2, 1)
  assert shape(s2) == [32, 32, 32]
  assert shape(d2) == [32, 16, 16]
  assert params == 448 + 4_640 + 18_496 + 27_680 + 6_928 + 34
}
`;

function compiled(text: string) {
  const c = compile({ file: "t.cnn", text });
  const of = (sev: string) => c.diagnostics.filter((d) => d.severity === sev).map((d) => `${d.code} ${d.message}`);
  return { c, errors: of("error"), warnings: of("warning") };
}

describe("the U-Net encoder of the brief", () => {
  test("results bound in output order: shapes, params, MACs, fields by hand", () => {
    const r = run(ENCODER);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true]);
    const shape = (t: string) => r.model.graph.tensors[t];
    const facts = (t: string) => r.model.layers.find((l) => l.node === shape(t))!;
    // conv 3→16 k3 p1 keeps 64×64; maxpool(2) halves; conv 16→32 keeps 32×32; maxpool halves.
    expect(["s1", "d1", "s2", "d2"].map((t) => facts(t).outputShape)).toEqual([[16, 64, 64], [16, 32, 32], [32, 32, 32], [32, 16, 16]]);
    // Fields (size r, jump j): conv3 r 3; maxpool2 r 3 + 1·1 = 4, j 2; conv3 r 4 + 2·2 = 8; maxpool2 r 8 + 1·2 = 10.
    expect(["s1", "d1", "s2", "d2"].map((t) => facts(t).rf.size)).toEqual([[3, 3], [4, 4], [8, 8], [10, 10]]);
    // conv2d(16, 3) on 3 channels: 16·3·3·3 + 16 = 448; conv2d(32, 3) on 16: 32·16·9 + 32 = 4,640.
    expect(r.model.totals.params).toBe(448n + 4_640n);
    // MACs: 16·64·64·(3·9) = 1,769,472; 32·32·32·(16·9) = 4,718,592 (relu and maxpool have none).
    expect(r.model.totals.macs).toBe(1_769_472n + 4_718_592n);
    expect(r.model.layers.map((l) => l.name)).toEqual(["conv2d_1", "relu_1", "maxpool_1", "conv2d_2", "relu_2", "maxpool_2"]);
  });
  test("a result read only by an assert is an unused binding (CS2023), as any binding is; nothing is left out", () => {
    expect(compiled(ENCODER).warnings).toEqual(['CS2023 "s1" is bound but never used', 'CS2023 "s2" is bound but never used']);
  });
  test("the call's instance name (or label) stands for all its layers in params(...); shape(...) asks for a result", () => {
    const withAsserts = ENCODER.replace("d1 -> down(32)", "d1 -> down(32) as enc2").replace("  output d2\n", "  output d2\n  assert params(down_1) == 448\n  assert params(enc2) == 4_640\n  assert macs(enc2) == 4_718_592\n");
    expect(run(withAsserts).model.asserts.map((a) => a.pass)).toEqual([true, true, true, true]);
    const { c, errors } = compiled(ENCODER.replace("assert shape(s1)", "assert shape(down_1)"));
    expect(errors).toEqual(["CS2038 assert: shape(down_1): block call down_1 gives 2 results (skip, down), each with its own shape"]);
    expect(c.diagnostics.find((d) => d.code === "CS2038")!.hint).toBe("name the tensor a result is bound to: shape(s1), shape(d1)");
  });
  test("the same numbers as the block written out by hand", () => {
    const flat = run(`model unet_enc {
  input image: [3, 64, 64]
  s1 = image -> conv2d(16, 3, padding=1) -> relu
  d1 = s1 -> maxpool(2)
  s2 = d1 -> conv2d(32, 3, padding=1) -> relu
  output s2 -> maxpool(2)
}
`).model;
    const blocked = run(ENCODER).model;
    const facts = (m: typeof flat) => m.layers.map((l) => [l.name, l.outputShape, l.params, l.macs, l.flops, l.activationBytes, l.rf.size]);
    expect(facts(blocked)).toEqual(facts(flat));
    expect(blocked.totals).toEqual(flat.totals);
  });
});

describe("a small U-Net whose skips are block results", () => {
  test("params and MACs by hand", () => {
    const r = run(UNET);
    expect(r.model.asserts.map((a) => a.pass)).toEqual([true, true, true]);
    // convs: 3→16 k3 448; 16→32 k3 4,640; 32→64 k3 64·32·9 + 64 = 18,496; concat 64 + 32 = 96 → 32 k3:
    // 32·96·9 + 32 = 27,680; concat 32 + 16 = 48 → 16 k3: 16·48·9 + 16 = 6,928; 16 → 2 k1: 2·16 + 2 = 34.
    expect(r.model.totals.params).toBe(58_226n);
    // MACs: 1,769,472 + 4,718,592 + 64·16·16·288 = 4,718,592 + 32·32·32·864 = 28,311,552
    //       + 16·64·64·432 = 28,311,552 + 2·64·64·16 = 131,072.
    expect(r.model.totals.macs).toBe(1_769_472n + 4_718_592n + 4_718_592n + 28_311_552n + 28_311_552n + 131_072n);
    expect(r.model.outputs).toEqual({ output: [2, 64, 64] });
  });
  test("the execution backend runs it and verify agrees on every cell", () => {
    const m = compiled(UNET).c.graph.models[0]!;
    expect(execute(m, { batch: 2 }).outputs.output!.shape).toEqual([2, 2, 64, 64]);
    const v = verify({ models: [m] }, { batch: 2 });
    expect(v.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.models[0]!.totals.params.measured).toBe(58_226);
  });
  test("export → import gives the same params, buffers, MACs and output shapes", () => {
    const { totals } = roundTrip(compiled(UNET).c.graph.models[0]!, "unet_small.onnx");
    expect(totals).toEqual({ params: "58226", buffers: "0", macs: "67960832", outputs: [[2, 64, 64]] });
  });
  test("reports: a call's row shows no one shape; JSON, diff and the diagram read the graph as any other", () => {
    const c = compiled(UNET).c;
    const a = analyze(c.graph);
    const table = renderTable(a.models[0]!).split("\n");
    // The call's heading row has no shape (its two results differ); its layers have theirs.
    expect(table.find((l) => l.includes(" down_1 "))!.split("│").map((x) => x.trim()).slice(1, 4)).toEqual(["down_1", "down", ""]);
    expect(table.find((l) => l.includes(" maxpool_1 "))).toContain("16×32×32");
    const doc = JSON.parse(JSON.stringify(analysisToJson(a, { sources: c.sources }))) as { models: { layers: { name: string; block: string }[]; totals: { params: number } }[] };
    expect(doc.models[0]!.layers.filter((l) => l.block === "down_2").map((l) => l.name)).toEqual(["conv2d_2", "relu_2", "maxpool_2"]);
    const wider = analyze(compiled(UNET.replace("down(32)", "down(48)").replace(/  assert.*\n/g, "")).c.graph).models[0]!;
    // down(48): conv 16→48 k3 = 48·16·9 + 48 = 6,960 in place of 4,640.
    expect(wider.totals.params - a.models[0]!.totals.params).toBe(6_960n - 4_640n + (64n * 48n * 9n - 64n * 32n * 9n) + (32n * 112n * 9n - 32n * 96n * 9n));
    expect(diffModels(a.models[0]!, wider).counts.changed).toBeGreaterThan(0);
    const boxes = diagramGraph(a.models[0]!, { depth: 1 }).boxes.map((b) => b.lines[1]);
    expect(boxes.filter((l) => l?.startsWith("3 layers"))).toEqual(["3 layers → 2 results", "3 layers → 2 results"]);
  });
});

describe("results no output needs", () => {
  const HEAD = `block head(c) {
  input x
  t = x -> conv2d(c, 3, padding=1) -> relu
  output cls = t -> conv2d(3, 1)
  output box = t -> conv2d(4, 1)
}
model det {
  input f: [8, 16, 16]
  c, b = f -> head(8)
  output b
}
`;
  test("are left out with their layers, like any unused binding's (CS2023), and CS2042 names them where CS2023 is allowed", () => {
    const { c, warnings } = compiled(HEAD);
    expect(warnings).toEqual(['CS2023 "c" is bound but never used']);
    const a = analyze(c.graph).models[0]!;
    // conv 8→8 k3: 8·8·9 + 8 = 584; conv 8→4 k1: 4·8 + 4 = 36; the class conv (3·8 + 3 = 27) is left out.
    expect(a.layers.map((l) => l.name)).toEqual(["conv2d_1", "relu_1", "conv2d_3"]);
    expect(a.totals.params).toBe(584n + 36n);
    const allowed = compiled(HEAD.replace("model det {", "model det {\n  allow CS2023")).warnings;
    expect(allowed).toHaveLength(1);
    expect(allowed[0]).toBe("CS2042 1 layer of model det feeds no output and is left out of it: conv2d_2");
    // The call stays, with its kept result; params(head_1) counts only its kept layers.
    expect(c.graph.models[0]!.blockCalls.map((k) => [k.name, k.results!.map((r) => r.name)])).toEqual([["head_1", ["box"]]]);
    expect(run(HEAD.replace("  output b\n", "  output b\n  assert params(head_1) == 620\n  assert shape(head_1) == [4, 16, 16]\n")).model.asserts.map((x) => x.pass)).toEqual([true, true]);
  });
  test("a call inside a block: its results are bound there", () => {
    const r = run(`${HEAD.replace(/model det[\s\S]*/, "")}block both(c) {
  input x
  p, q = x -> head(c)
  output concat(p, q)
}
model m {
  input f: [8, 16, 16]
  output f -> both(8)
}
`);
    // 584 + 27 + 36 = 647: both results are read by the concat; 3 + 4 = 7 channels.
    expect(r.model.totals.params).toBe(647n);
    expect(r.model.outputs).toEqual({ output: [7, 16, 16] });
  });
});

describe("diagnostics", () => {
  const text = (line: string) => `${DOWN}model m {\n  input x: [3, 16, 16]\n  ${line}\n  output x -> relu\n}\n`;
  const use = (line: string) => compiled(text(line)).c.diagnostics.filter((d) => d.severity === "error");
  const at = (line: string, offset: number) => { const p = lineCol(text(line), offset); return `${p.line}:${p.col}`; };
  const show = (line: string) => use(line).map((d) => [at(line, d.span!.start), d.code, d.message, d.hint]);
  test("mid-chain, one name, the wrong count, a repeat: CS2047 with the results' names and a hint", () => {
    expect(show("y = x -> down(8) -> relu")).toEqual([["8:12", "CS2047", "block down gives 2 results (skip, down): a chain step gives one tensor",
      "bind them by name, with the call as the chain's last step: skip, down = ... -> down(8)"]]);
    expect(show("y = x -> down(8)")).toEqual([["8:12", "CS2047", "block down gives 2 results (skip, down): 1 name bound (y)",
      "bind one name per result, in the block's output order: skip, down = ... -> down(8)"]]);
    expect(show("a, b, c = x -> down(8)")).toEqual([["8:18", "CS2047", "block down gives 2 results (skip, down): 3 names bound (a, b, c)",
      "bind one name per result, in the block's output order: skip, down = ... -> down(8)"]]);
    expect(show("a, b = x -> down(8) * 2")).toEqual([["8:15", "CS2047", "block down gives 2 results (skip, down): a repeat (* N) has no one tensor to pass from one call to the next",
      "write the calls out, choosing the result each one reads: skip1, down1 = x -> down(8), then skip2, down2 = down1 -> down(8)"]]);
    expect(show("a, a = x -> down(8)").map((d) => d[1])).toEqual(["CS2010"]);
    // Each points at the block's definition too.
    expect(use("y = x -> down(8)")[0]!.related!.map((r) => r.message)).toContain("block down is defined here");
  });
  test("a block whose several outputs are not all named: CS2018; one named output alone is still CS2041", () => {
    const mixed = compiled(`block b {\n  input x\n  output a = x -> relu\n  output x -> tanh\n}\nmodel m {\n  input x: [3, 8, 8]\n  p, q = x -> b\n  output concat(p, q)\n}\n`);
    expect(mixed.errors).toEqual(["CS2018 block b has more than one output"]);
    expect(mixed.c.diagnostics[0]!.hint).toBe("a block with several outputs names each one: output NAME = ...");
    expect(compiled(`block b {\n  input x\n  output y = x -> relu\n}\nmodel m {\n  input x: [3, 8, 8]\n  output x -> b\n}\n`).errors)
      .toEqual(['CS2041 block b: a block has one output, which takes no name ("y")']);
  });
});
