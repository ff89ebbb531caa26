import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { compile } from "../../src/graph/compile.js";
import type { ModelGraph } from "../../src/graph/ir.js";

const specs = new URL("../../specs/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, specs), "utf8");

function model(file: string, name?: string): ModelGraph {
  const r = compile({ file, text: read(file) });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const m = name ? r.graph.models.find((x) => x.name === name) : r.graph.models[0];
  expect(m).toBeDefined();
  return m!;
}

const count = (m: ModelGraph, kind: string) => m.nodes.filter((n) => n.kind === kind).length;
const byLabel = (m: ModelGraph, label: string) => m.nodes.find((n) => n.label === label)!;

describe("every LANGUAGE.md example parses unchanged", () => {
  const docs = [new URL("../../docs/LANGUAGE.md", import.meta.url), new URL("../../../shared/LANGUAGE.md", import.meta.url)];
  for (const doc of docs.filter((d) => existsSync(d))) {
    const fences = [...readFileSync(doc, "utf8").matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
    it(`${doc.pathname.split("/").slice(-2).join("/")}: ${fences.length} examples, no diagnostics`, () => {
      expect(fences.length).toBeGreaterThanOrEqual(5);
      for (const [i, text] of fences.entries()) {
        const r = compile({ file: `example${i}.cnn`, text });
        expect(r.diagnostics).toEqual([]);
        expect(r.graph.models.length).toBeGreaterThan(0);
        // ... and gives the numbers its asserts state.
        const a = analyze(r.graph);
        expect(a.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
        for (const m of a.models) expect(m.asserts.filter((x) => !x.pass).map((x) => x.message), `example ${i}`).toEqual([]);
      }
    });
  }
});

describe("expansion of the bundled specs", () => {
  it("vgg16 → 13 conv2d, 5 maxpool, 3 dense, labelled in order, under block calls", () => {
    const m = model("vgg16.cnn");
    expect([count(m, "conv2d"), count(m, "maxpool"), count(m, "dense")]).toEqual([13, 5, 3]);
    expect(m.nodes.filter((n) => n.kind === "conv2d").map((n) => n.label)).toEqual(Array.from({ length: 13 }, (_, i) => `conv2d_${i + 1}`));
    expect(byLabel(m, "conv2d_2").path).toBe("vgg16/conv3_2/conv2d_2");
    expect(byLabel(m, "conv2d_13").args).toMatchObject({ out_channels: 512, kernel: 3, padding: 1, stride: 1, dilation: 1, groups: 1, bias: true });
    expect(byLabel(m, "pool5").kind).toBe("maxpool");
    expect(byLabel(m, "pool5").args.stride).toBeNull(); // a pooling stride defaults to its kernel: resolved by the analyzer
    expect(m.blockCalls.map((c) => c.name)).toEqual(Array.from({ length: 13 }, (_, i) => `conv3_${i + 1}`));
    expect(m.asserts.map((a) => a.lhs.kind === "quantity" && a.lhs.quantity)).toEqual(["params", "macs", "rf"]);
  });

  it("resnet18's add nodes read the residual path and the shortcut", () => {
    const m = model("resnet18.cnn");
    const adds = m.nodes.filter((n) => n.kind === "add");
    expect(adds.length).toBe(8);
    const label = (id: number) => m.nodes[id]!.label;
    // basic(64) #1: y = conv → bn → relu → conv → bn; output add(y, x), x = the stem's max pool
    expect(adds[0]!.inputs.map(label)).toEqual(["batchnorm_3", "maxpool_1"]);
    // basic(64) #2 adds the first block's output (its final relu)
    expect(adds[1]!.inputs.map(label)).toEqual(["batchnorm_5", "relu_3"]);
    // basic_down(128): residual bn and the 1x1 shortcut's bn
    expect(adds[2]!.inputs.map(label)).toEqual(["batchnorm_7", "batchnorm_8"]);
    expect(m.nodes[adds[2]!.inputs[1]!]!.blocks.map((b) => b.name)).toEqual(["basic_down_1"]);
    const shortcut = m.nodes.find((n) => n.label === "conv2d_8")!;
    expect(shortcut.args).toMatchObject({ out_channels: 128, kernel: 1, stride: 2, bias: false });
    expect([count(m, "conv2d"), count(m, "batchnorm"), count(m, "dense")]).toEqual([20, 20, 1]);
  });

  it("googlenet_3a's concat joins the four branches in order", () => {
    const m = model("googlenet_3a.cnn");
    const cat = m.nodes.find((n) => n.kind === "concat")!;
    const branchConvs = cat.inputs.map((i) => m.nodes[m.nodes[i]!.inputs[0]!]!.args.out_channels);
    expect(branchConvs).toEqual([64, 128, 32, 32]);
    expect(m.blockCalls[0]!.name).toBe("inception_3a");
    expect(m.blockCalls[0]!.output).toBe(cat.id);
    const t = m.asserts[0]!.lhs;
    expect(t.kind === "quantity" && t.target?.node).toBe(cat.id);
  });

  it("alexnet labels, lenet5 and the 1-D and 3-D examples", () => {
    const a = model("alexnet.cnn");
    expect(a.nodes.filter((n) => n.explicitLabel && n.kind !== "input").map((n) => n.label)).toEqual(["conv1", "conv2", "conv3", "conv4", "conv5", "pool5"]);
    expect(byLabel(a, "conv1").args).toMatchObject({ out_channels: 96, kernel: 11, stride: 4 });
    const l = model("lenet5.cnn");
    expect(l.nodes.map((n) => n.op)).toEqual(["input", "conv2d", "tanh", "avgpool", "conv2d", "tanh", "avgpool", "flatten", "dense", "tanh", "dense", "tanh", "dense", "softmax"]);
    const g = model("genre1d.cnn");
    expect(byLabel(g, "conv1d_2").args.padding).toBe("same");
    const c = model("c3d_small.cnn");
    expect(byLabel(c, "maxpool_1").args.kernel).toEqual([1, 2, 2]);
    expect(c.nodes.filter((n) => n.kind === "conv3d").length).toBe(3);
  });
});

describe("blocks, parameters and repeats", () => {
  const text = `
block sep(c, k=[1, 7], stride=1) {
  input x
  output x -> conv2d(c, k, padding=[0, (k[1] - 1) / 2]) -> conv2d(c * 2, 1, stride=stride)
}
model m {
  input x: [8, 16, 16]
  y = x -> sep(4) as first -> relu
  output y -> sep(c=2, stride=2) * 3 as stack
  assert shape(first) == [8, 16, 16]
  assert params(stack) > 0
}`;
  it("binds positional, named and default arguments and labels repeated calls", () => {
    // (k[1] - 1) / 2 is not valid ConvSpec (no indexing): expect a clear diagnostic, then check a valid variant.
    const bad = compile({ file: "t.cnn", text });
    expect(bad.diagnostics.length).toBeGreaterThan(0);
    const ok = compile({ file: "t.cnn", text: text.replace("padding=[0, (k[1] - 1) / 2]", "padding=[0, 3]") });
    expect(ok.diagnostics).toEqual([]);
    const m = ok.graph.models[0]!;
    const convs = m.nodes.filter((n) => n.kind === "conv2d");
    expect(convs.length).toBe(8);
    expect(convs[0]!.args).toMatchObject({ out_channels: 4, kernel: [1, 7], padding: [0, 3] });
    expect(convs[1]!.args).toMatchObject({ out_channels: 8, kernel: 1, stride: 1 });
    expect(convs[3]!.args).toMatchObject({ out_channels: 4, stride: 2 });
    expect(m.blockCalls.map((c) => c.name)).toEqual(["first", "stack#1", "stack#2", "stack#3"]);
    expect(convs[7]!.path).toBe("m/stack#3/conv2d_8");
    const [a1, a2] = m.asserts;
    expect(a1!.lhs.kind === "quantity" && a1!.lhs.target?.members.length).toBe(2);
    expect(a2!.lhs.kind === "quantity" && a2!.lhs.target?.members.length).toBe(6);
  });

  it("evaluates integer expressions exactly", () => {
    const r = compile({ file: "t.cnn", text: `
block b(c, k=3) { input x
  output x -> conv2d(c * 4 - 2, k, padding=(k - 1) / 2) }
model m { input x: [3, 9, 9]
  output x -> b(16, k=5) }` });
    expect(r.diagnostics).toEqual([]);
    expect(r.graph.models[0]!.nodes[1]!.args).toMatchObject({ out_channels: 62, kernel: 5, padding: 2 });
  });
});

describe("imports", () => {
  const files: Record<string, string> = {
    "net/main.cnn": `use "../lib/blocks.cnn"\nmodel m { input x: [3, 8, 8]\n output x -> c3(4) }`,
    "lib/blocks.cnn": `use "more.cnn"\nblock c3(c) { input x\n output x -> c1(c) -> conv2d(c, 3, padding=1) }`,
    "lib/more.cnn": `block c1(c) { input x\n output x -> conv2d(c, 1) }`,
  };
  const resolve = (p: string) => files[p];

  it("reads blocks of other files relative to the importing file", () => {
    const r = compile({ file: "net/main.cnn", text: files["net/main.cnn"]! }, { resolve, allowImportsFrom: ["lib"] });
    expect(r.diagnostics).toEqual([]);
    expect(r.graph.models[0]!.nodes.map((n) => n.kind)).toEqual(["input", "conv2d", "conv2d"]);
    expect([...r.sources.keys()].sort()).toEqual(["lib/blocks.cnn", "lib/more.cnn", "net/main.cnn"]);
  });

  it("refuses a circular import and a missing one, with the use line's span", () => {
    const cyc = { "a.cnn": `use "b.cnn"\nmodel m { input x: [1, 4]\n output x -> relu }`, "b.cnn": `use "a.cnn"` } as Record<string, string>;
    const r = compile({ file: "a.cnn", text: cyc["a.cnn"]! }, { resolve: (p) => cyc[p] });
    expect(r.diagnostics.map((d) => [d.code, d.span?.file, d.span?.start])).toEqual([["CS2020", "b.cnn", 0]]);
    expect(r.diagnostics[0]!.message).toContain("a.cnn → b.cnn → a.cnn");
    const missing = compile({ file: "a.cnn", text: `use "nope.cnn"\nmodel m { input x: [1, 4]\n output x -> relu }` }, { resolve: () => undefined });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(["CS2019"]);
  });

  it("refuses ../ out of the main file's folder unless that folder is allowed (CS2045)", () => {
    const r = compile({ file: "net/main.cnn", text: files["net/main.cnn"]! }, { resolve });
    expect(r.diagnostics.map((d) => [d.code, d.span?.file, d.span?.start])).toEqual([["CS2045", "net/main.cnn", 0]]);
    expect(r.diagnostics[0]!.message).toBe('cannot use "../lib/blocks.cnn": it is outside net, the folder of the main spec');
  });

  it("without a resolver, an import is a diagnostic, not a file read", () => {
    const r = compile({ file: "a.cnn", text: `use "lib/x.cnn"\nmodel m { input x: [1, 4]\n output x -> relu }` });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS2019"]);
    expect(r.diagnostics[0]!.message).toContain("resolver");
  });
});
