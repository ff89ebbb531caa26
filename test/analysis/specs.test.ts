/**
 * The seven LANGUAGE.md examples in specs/ analyze without error and their asserts pass;
 * totals against ../shared/REFERENCE.md (torchvision counts) and hand sums.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { run } from "./helpers.js";

const spec = (name: string) => run(readFileSync(new URL(`../../specs/${name}.cnn`, import.meta.url), "utf8"));

describe("LANGUAGE.md examples", () => {
  for (const name of ["lenet5", "alexnet", "vgg16", "resnet18", "googlenet_3a", "genre1d", "c3d_small"]) {
    test(`${name}: no errors or warnings, every assert passes`, () => {
      const r = spec(name);
      expect(r.diagnostics).toEqual([]);
      expect(r.model.asserts.length).toBeGreaterThan(0);
      expect(r.model.asserts.filter((a) => !a.pass).map((a) => a.message)).toEqual([]);
    });
  }

  test("lenet5: 61,706 params; 416,520 MACs = 6·28²·25 + 16·10²·150 + 400·120 + 120·84 + 84·10", () => {
    const t = spec("lenet5").model.totals;
    expect(t.params).toBe(61_706n);
    expect(t.macs).toBe(117_600n + 240_000n + 48_000n + 10_080n + 840n);
  });
  test("alexnet (one tower, 227): 62,378,344 params, 1,135,256,096 MACs", () => {
    const t = spec("alexnet").model.totals;
    expect([t.params, t.macs]).toEqual([62_378_344n, 1_135_256_096n]);
  });
  test("vgg16: 138,357,544 params, 15,470,264,320 MACs", () => {
    const t = spec("vgg16").model.totals;
    expect([t.params, t.macs]).toEqual([138_357_544n, 15_470_264_320n]);
  });
  test("resnet18: 11,689,512 params (= trainable), 1,814,073,344 MACs; 9,600 buffer values = 2 × 4,800 BN channels", () => {
    const t = spec("resnet18").model.totals;
    expect([t.params, t.trainableParams, t.macs]).toEqual([11_689_512n, 11_689_512n, 1_814_073_344n]);
    // BN channels: 64 + 4·64 (layer1) + 5·128 + 5·256 + 5·512 = 64 + 256 + 640 + 1,280 + 2,560 = 4,800
    expect(t.nonTrainableParams).toBe(9_600n);
  });
  test("googlenet_3a: [256, 28, 28]", () => {
    expect(spec("googlenet_3a").model.outputs.output).toEqual([256, 28, 28]);
  });
  test("genre1d: 16000 → 4000 → 1000 → 250 → 50 → [3]", () => {
    const r = spec("genre1d");
    expect(r.model.layers.filter((l) => l.kind === "maxpool").map((l) => l.outputShape[1])).toEqual([1000, 250, 50]);
    expect(r.model.outputs.output).toEqual([3]);
  });
  test("c3d_small: pool3 [256, 4, 14, 14]", () => {
    expect(spec("c3d_small").layer("pool3").outputShape).toEqual([256, 4, 14, 14]);
  });
});
