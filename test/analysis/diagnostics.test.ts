/** Shape errors and warnings: codes, spans, both values in the message, no cascades. */
import { describe, expect, test } from "vitest";
import { chain, codes, run } from "./helpers.js";

describe("shape diagnostics", () => {
  test("dropped rows: in=[3,30,30] k=3 s=2 warns with the arithmetic and a padding hint", () => {
    const r = chain([3, 30, 30], "conv2d(8, 3, stride=2) as conv2d_3");
    const d = r.diagnostics.find((x) => x.code === "CS3009")!;
    expect(d.severity).toBe("warning");
    expect(d.message).toBe("conv2d_3: (30 − 3 + 0)/2 + 1 = 14.5 → 14; the last row and the last column of 30 are never read");
    expect(d.hint).toContain("[0, 1]");
    expect(d.span).toBeDefined();
    expect(r.layer("conv2d_3").outputShape).toEqual([8, 14, 14]);
  });
  test("dropped rows along one axis: in=[1,31] k=4 s=3 → (31 − 4)/3 + 1 = 10.0 exact; in=[1,32] → 10.33, 1 position", () => {
    expect(codes(chain([1, 31], "conv1d(1, 4, stride=3)"))).toEqual([]);
    const d = chain([1, 32], "conv1d(1, 4, stride=3)").diagnostics[0]!;
    expect(d.message).toBe("conv1d_1: (32 − 4 + 0)/3 + 1 = 10.33 → 10; the last position of 32 is never read");
  });
  test("--strict makes dropped rows an error", () => {
    const r = chain([3, 30, 30], "conv2d(8, 3, stride=2)", { strict: true });
    expect(codes(r, "error")).toEqual(["CS3009"]);
  });
  test("kernel larger than the padded input: in=[3,4,4] k=7 p=1", () => {
    const r = chain([3, 4, 4], "conv2d(8, 7, padding=1)");
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("CS3003");
    expect(d.message).toContain("spans 7");
    expect(d.message).toBe("conv2d_1: the kernel spans 7 along H and W but the padded input is only 6 (4 + 1 + 1)");
    expect(r.diagnostics).toHaveLength(1);
  });
  test("a dilated kernel too large says D·(K − 1) + 1", () => {
    const d = chain([3, 8, 8], "conv2d(8, 3, dilation=4)").diagnostics[0]!;
    expect(d.code).toBe("CS3003");
    expect(d.hint).toContain("= 9");
  });
  test("channels not divisible by groups: 30 input channels, groups=4", () => {
    const d = chain([30, 8, 8], "conv2d(8, 3, groups=4)").diagnostics[0]!;
    expect(d.code).toBe("CS3004");
    expect(d.message).toContain("30");
    expect(d.message).toContain("groups=4");
  });
  test("dense on [16,5,5] is an error with a flatten hint", () => {
    const d = chain([16, 5, 5], "dense(10)").diagnostics[0]!;
    expect(d.code).toBe("CS3005");
    expect(d.message).toContain("[16, 5, 5]");
    expect(d.hint).toContain("flatten");
  });
  test("conv2d on a rank-2 or rank-4 input names the shapes", () => {
    const d = chain([1, 100], "conv2d(4, 3)").diagnostics[0]!;
    expect(d.code).toBe("CS3001");
    expect(d.message).toContain("[1, 100]");
    expect(d.message).toContain("rank 3");
    expect(codes(chain([3, 4, 8, 8], "maxpool2d(2)"))).toEqual(["CS3001"]);
  });
  test("a kernel list with the wrong number of axes", () => {
    expect(codes(chain([3, 8, 8], "conv2d(4, [3, 3, 3])"))).toEqual(["CS3010"]);
  });
  test("add of [8,14,14] and [8,10,10] names each operand's shape and maker, with related spans", () => {
    const r = run("model t {\n  input x: [3, 30, 30]\n  y = x -> conv2d(8, 3, stride=2, padding=[[0, 1], [0, 1]])\n  z = x -> conv2d(8, 3, stride=3)\n  output add(y, z)\n}");
    const d = r.diagnostics.find((x) => x.code === "CS3006")!;
    expect(d.message).toContain("[8, 15, 15] (conv2d_1)");
    expect(d.message).toContain("[8, 10, 10] (conv2d_2)");
    expect(d.related?.map((x) => x.message)).toEqual(["operand 1: [8, 15, 15], made by conv2d_1", "operand 2: [8, 10, 10], made by conv2d_2"]);
  });
  test("concat of [4,8,8] and [4,7,7] differs off the concat axis", () => {
    const r = run("model t {\n  input x: [4, 8, 8]\n  y = x -> conv2d(4, 2)\n  output concat(x, y)\n}");
    expect(codes(r, "error")).toEqual(["CS3006"]);
  });
  test("a layer whose input failed gets no cascade errors", () => {
    const r = chain([3, 4, 4], "conv2d(8, 7) -> relu -> conv2d(4, 3) -> flatten -> dense(10)");
    expect(codes(r)).toEqual(["CS3003"]);
    expect(r.model.layers).toEqual([]);
  });
  test("an error in one model does not stop the next", () => {
    const r = run("model a {\n  input x: [3, 4, 4]\n  output x -> conv2d(8, 7)\n}\nmodel b {\n  input x: [3, 4, 4]\n  output x -> conv2d(8, 3)\n}");
    expect(codes(r)).toEqual(["CS3003"]);
  });
  test("a transposed conv that shrinks to nothing: in=[2,1] k=1 p=1 → 0 − 2 + 1 = −1", () => {
    const d = chain([2, 1], "deconv1d(2, 1, padding=1)").diagnostics[0]!;
    expect(d.code).toBe("CS3002");
    expect(d.message).toContain("= -1");
  });
  test("pooling padding wider than half the window (PyTorch refuses it): maxpool(3, padding=2)", () => {
    const d = chain([3, 8, 8], "maxpool(3, padding=2)").diagnostics[0]!;
    expect(d.code).toBe("CS3015");
    expect(d.message).toBe("maxpool_1: padding 2 is more than half the window (3)");
  });
  test("softmax on an axis the tensor does not have", () => {
    expect(codes(chain([10], "softmax(axis=2)"))).toEqual(["CS3011"]);
  });
});
