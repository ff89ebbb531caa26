import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec/runtime.js";
import { exportOnnx, exportedFamilies } from "../../src/onnx/export.js";
import { decodeModel } from "../../src/onnx/proto.js";
import { seededParams } from "../../src/onnx/weights.js";
import { schemas } from "../../src/families/registry.js";
import { relErr } from "./crosscheck.js";
import { model, runOrt } from "./ort.js";
import { tempDir } from "../tmp.js";

interface Node { opType: string; attribute?: { name: string; ints?: number[]; i?: number }[] }

function nodesOf(text: string): Node[] {
  const m = model(text);
  const r = exportOnnx(m, seededParams(m, 0).params!);
  expect(r.diagnostics).toEqual([]);
  return (decodeModel(r.bytes!) as { graph: { node: Node[] } }).graph.node;
}

function attr(n: Node, name: string): number[] | number | undefined {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.ints ?? a?.i;
}

describe("ONNX export: explicit geometry", () => {
  it("in=[1,10] k=3 s=2 p=same: out 5, total pad 1, the odd unit after", () => {
    const conv = nodesOf(`model t { input x: [1, 10]\n output x -> conv1d(2, 3, stride=2, padding=same) }`).find((n) => n.opType === "Conv")!;
    expect(attr(conv, "pads")).toEqual([0, 1]);
    expect(attr(conv, "strides")).toEqual([2]);
  });

  it("in=[1,9,9] k=3 d=2 p=full: D·(K−1) = 4 on every side", () => {
    const conv = nodesOf(`model t { input x: [1, 9, 9]\n output x -> conv2d(2, 3, dilation=2, padding=full) }`).find((n) => n.opType === "Conv")!;
    expect(attr(conv, "pads")).toEqual([4, 4, 4, 4]);
    expect(attr(conv, "dilations")).toEqual([2, 2]);
  });

  it("per-side padding [[0,1],[2,2]] becomes pads [0, 2, 1, 2]", () => {
    const conv = nodesOf(`model t { input x: [1, 6, 6]\n output x -> conv2d(2, 3, padding=[[0, 1], [2, 2]]) }`).find((n) => n.opType === "Conv")!;
    expect(attr(conv, "pads")).toEqual([0, 2, 1, 2]);
  });

  it("a reflect-padded conv is a Pad node then a Conv with zero pads", () => {
    const ns = nodesOf(`model t { input x: [1, 6, 6]\n output x -> conv2d(2, 3, padding=1, padding_mode=reflect) }`);
    expect(ns.map((n) => n.opType)).toEqual(["Pad", "Conv", "Identity"]);
    expect(attr(ns[1]!, "pads")).toEqual([0, 0, 0, 0]);
  });

  it("maps every layer family in the registry, and learnable tensors (param, buffer)", () => {
    expect(exportedFamilies().sort()).toEqual([...new Set(schemas.map((s) => s.family))].sort());
  });

  it("refuses, with a diagnostic naming the layer, an adaptive pool that needs too many slices", () => {
    const m = model(`model t { input x: [1, 3000]\n output x -> adaptive_avgpool(1100) as pool }`);
    const r = exportOnnx(m, new Map());
    expect(r.bytes).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([["CS4901", "t/pool: cannot export to ONNX: output size [1100] needs too many slices to express"]]);
  });
});

describe("convspec export", () => {
  it("writes a file onnxruntime runs to the runtime's output with the same seed", async () => {
    const dir = tempDir("convspec-export-");
    const spec = join(dir, "m.cnn");
    writeFileSync(spec, `model m {\n input image: [3, 16, 16]\n output image -> conv2d(8, 3, padding=1) -> batchnorm -> relu -> maxpool(2) -> flatten -> dense(4) -> softmax\n}\n`);
    const { runExport } = await import("../../src/cli/export.js");
    const out = join(dir, "m.onnx");
    let printed = "";
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => { printed += s; return true; }) as typeof process.stdout.write;
    let code: number;
    try {
      code = runExport(spec, { onnx: out, seed: "7", batch: "2" });
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(printed).toContain("wrote");
    const m = model(readFileSync(spec, "utf8"));
    const r = run(m, { seed: 7, batch: 2, keep: true });
    const y = await runOrt(readFileSync(out), { image: r.tensors[m.inputs[0]!]! });
    expect(y.output!.shape).toEqual([2, 4]);
    expect(relErr(y.output!, r.outputs.output!)).toBeLessThan(1e-4);
  });
});
