/** The receptive-field probe against hand computations and published figures. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { probeReceptiveFields } from "../../src/exec/rf.js";
import { model, nodeId } from "./helpers.js";

function fieldOf(text: string, label: string, factor = 1) {
  const m = model(text);
  const r = probeReceptiveFields(m, { factor, nodes: [nodeId(m, label)] });
  expect(r.diagnostics).toEqual([]);
  return r.fields.get(nodeId(m, label))!;
}

const chain = (shape: string, steps: string) => `model m {\n input x: ${shape}\n output x -> ${steps} as probe\n}`;

describe("receptive-field probe", () => {
  it("one 3×3 conv sees 3×3; two see 5×5 (r = 1 + 2 + 2)", () => {
    expect(fieldOf(chain("[2, 16, 16]", "conv2d(4, 3)"), "probe").size).toEqual([3, 3]);
    expect(fieldOf(chain("[2, 16, 16]", "conv2d(4, 3) -> relu -> conv2d(4, 3)"), "probe").size).toEqual([5, 5]);
  });

  it("stride multiplies later kernels: k3 s2 then k3 gives 3 + 2·2 = 7", () => {
    expect(fieldOf(chain("[1, 32, 32]", "conv2d(2, 3, stride=2) -> conv2d(2, 3)"), "probe").size).toEqual([7, 7]);
  });

  it("max pooling does not mask paths: maxpool(2) then conv k3 gives 2 + 2·2 = 6", () => {
    expect(fieldOf(chain("[1, 32, 32]", "maxpool(2) -> relu -> conv2d(2, 3)"), "probe").size).toEqual([6, 6]);
  });

  it("dilation 2 on k3 spans 5; per-axis kernels differ per axis (1-D and 3-D too)", () => {
    expect(fieldOf(chain("[1, 20, 20]", "conv2d(1, 3, dilation=2)"), "probe").size).toEqual([5, 5]);
    expect(fieldOf(chain("[1, 20, 20]", "conv2d(1, [5, 1])"), "probe").size).toEqual([5, 1]);
    expect(fieldOf(chain("[1, 50]", "conv1d(2, 7, stride=3) -> conv1d(2, 2)"), "probe").size).toEqual([10]);
    expect(fieldOf(chain("[1, 8, 8, 8]", "conv3d(2, [1, 3, 5])"), "probe").size).toEqual([1, 3, 5]);
  });

  it("a corner unit under padding is clipped: k3 p1 corner sees 2 input rows", () => {
    const f = fieldOf(chain("[1, 10, 10]", "conv2d(1, 3, padding=1)"), "probe");
    expect(f.size).toEqual([3, 3]);
    expect(f.corner).toEqual([2, 2]);
  });

  it("global pooling and dense see the whole input", () => {
    const f = fieldOf(chain("[2, 9, 7]", "conv2d(2, 3) -> global_avgpool"), "probe");
    expect(f.global).toBe(true);
    expect(f.size).toEqual([9, 7]);
    expect(fieldOf(chain("[2, 9, 7]", "flatten -> dense(3)"), "probe").global).toBe(true);
  });

  it("a too-small input is reported as clipped", () => {
    const f = fieldOf(chain("[1, 8, 8]", "conv2d(1, 3) -> conv2d(1, 3) -> conv2d(1, 3)"), "probe");
    expect(f.clipped).toBe(true);
    expect(fieldOf(chain("[1, 8, 8]", "conv2d(1, 3) -> conv2d(1, 3) -> conv2d(1, 3)"), "probe", 3).size).toEqual([7, 7]);
  });

  it("LeNet-5 after the 2nd pooling: 16 (REFERENCE.md)", () => {
    const text = readFileSync(new URL("../../specs/lenet5.cnn", import.meta.url), "utf8").replace("-> flatten", "as pool2 -> flatten");
    expect(fieldOf(text, "pool2").size).toEqual([16, 16]);
  });

  it("AlexNet pool5: 195 (REFERENCE.md)", () => {
    const text = readFileSync(new URL("../../specs/alexnet.cnn", import.meta.url), "utf8");
    expect(fieldOf(text, "pool5").size).toEqual([195, 195]);
  });
});
