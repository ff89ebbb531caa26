import { describe, expect, it } from "vitest";
import { exportOnnx } from "../../src/onnx/export.js";
import { decodeModel } from "../../src/onnx/proto.js";
import { model, paramsByLabel, runOrt, tensor } from "./ort.js";

describe("ONNX export, seed examples run by onnxruntime", () => {
  it("4×4 input cross-correlated with [[-1,1],[2,1]] gives [[7,-2,5],[4,1,3],[-2,4,6]]", async () => {
    const m = model(`model seed { input x: [1, 4, 4]\n output x -> conv2d(1, 2, bias=false) as c }`);
    const params = paramsByLabel(m, { c: { weight: tensor([1, 1, 2, 2], [-1, 1, 2, 1]) } });
    const r = exportOnnx(m, params);
    expect(r.diagnostics).toEqual([]);
    const out = await runOrt(r.bytes!, { [r.inputNames[0]!]: tensor([1, 1, 4, 4], [0, 3, 0, 1, 2, 0, 1, 2, 3, 0, 0, 2, 0, 1, 2, 0]) });
    const y = out[r.outputNames[0]!]!;
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect([...y.data]).toEqual([7, -2, 5, 4, 1, 3, -2, 4, 6]);
  });

  it("writes opset 17, IR 8, and the weights as initializers", () => {
    const m = model(`model seed { input x: [1, 4, 4]\n output x -> conv2d(1, 2, bias=false) as c }`);
    const r = exportOnnx(m, paramsByLabel(m, { c: { weight: tensor([1, 1, 2, 2], [-1, 1, 2, 1]) } }));
    const d = decodeModel(r.bytes!) as { irVersion: number; opsetImport: { version: number }[]; graph: { initializer: { name: string; dims: number[] }[] } };
    expect(d.irVersion).toBe(8);
    expect(d.opsetImport[0]!.version).toBe(17);
    expect(d.graph.initializer.map((t) => t.dims)).toEqual([[1, 1, 2, 2]]);
  });
});
