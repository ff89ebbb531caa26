/** Activation bytes, peak live bytes and the training estimate, computed by hand. */
import { describe, expect, test } from "vitest";
import { chain, run } from "./helpers.js";

describe("memory", () => {
  test("in=[1,4,4] conv2d(2,3,p=1) → relu, float32: 64 B input, 128 B per layer output", () => {
    const r = chain([1, 4, 4], "conv2d(2, 3, padding=1) -> relu");
    expect(r.layer("conv2d_1").activationBytes).toBe(128n); // 2·4·4 values · 4 bytes
    const t = r.model.totals;
    expect(t.activationBytes).toBe(256n); // layer outputs only, the input not included
    // conv runs with its input alive: 64 + 128; then relu with conv's output alive: 128 + 128
    expect(t.peakActivationBytes).toBe(256n);
    expect(t.paramBytes).toBe(80n); // 2·1·9 + 2 = 20 params · 4 bytes
  });
  test("a branch keeps x alive until its last reader: x, relu, tanh alive together = 192 B", () => {
    const r = run("model t {\n  input x: [1, 4, 4]\n  a = x -> relu\n  b = x -> tanh\n  output add(a, b)\n}");
    // after relu: x + a = 128; after tanh: x + a + b = 192, then x is freed; add: a + b + out = 192
    expect(r.model.totals.peakActivationBytes).toBe(192n);
  });
  test("batch 2, float16: 2·32 values · 2 bytes = 128 B for conv's output; MACs double", () => {
    const one = chain([1, 4, 4], "conv2d(2, 3, padding=1)");
    const r = chain([1, 4, 4], "conv2d(2, 3, padding=1)", { batch: 2, dtype: "float16" });
    expect(r.layer("conv2d_1").activationBytes).toBe(128n);
    expect(r.layer("conv2d_1").macs).toBe(2n * one.layer("conv2d_1").macs);
    expect(r.model.totals.params).toBe(20n);
  });
  test("training with adam: params 80 + grads 80 + 2 states 160 + activations (input 64 + 128 + 128) = 640 B", () => {
    const r = chain([1, 4, 4], "conv2d(2, 3, padding=1) -> relu", { optimizer: "adam" });
    expect(r.model.totals.trainingBytes).toBe(640n);
    const sgd = chain([1, 4, 4], "conv2d(2, 3, padding=1) -> relu", { optimizer: "sgd" });
    expect(sgd.model.totals.trainingBytes).toBe(480n);
  });
  test("batchnorm buffers count in parameter bytes but get no gradient: [2,1,1] int8", () => {
    const r = chain([2, 1, 1], "batchnorm", { dtype: "int8", optimizer: "momentum" });
    const t = r.model.totals;
    expect([t.params, t.nonTrainableParams, t.paramBytes]).toEqual([4n, 4n, 8n]);
    // 8 (params + buffers) + 4 grads + 4 momentum + 2 input + 2 output
    expect(t.trainingBytes).toBe(20n);
  });
  test("counts beyond 2^53 stay exact: [1, 2^26, 2^26] floats", () => {
    const r = chain([1, 67_108_864, 67_108_864], "relu", { batch: 4 });
    expect(r.layer("relu_1").activationBytes).toBe(4n * 2n ** 52n * 4n);
  });
});

describe("VGG-16 activations (docs/counting.md)", () => {
  test("every layer output: 28,677,072 values; peak = two 64×224×224 tensors", async () => {
    const { readFileSync } = await import("node:fs");
    const r = run(readFileSync(new URL("../../specs/vgg16.cnn", import.meta.url), "utf8"));
    const conv = 2 * 64 * 224 * 224 + 2 * 128 * 112 * 112 + 3 * 256 * 56 * 56 + 3 * 512 * 28 * 28 + 3 * 512 * 14 * 14; // 13,547,520
    const pools = 64 * 112 * 112 + 128 * 56 * 56 + 256 * 28 * 28 + 512 * 14 * 14 + 512 * 7 * 7; // 1,530,368
    const tail = 25_088 + 3 * 4_096 * 2 + 2 * 1_000; // flatten; dense, relu, dropout twice; dense, softmax
    expect(conv * 2 + pools + tail).toBe(28_677_072); // each conv's ReLU output counted separately
    expect(r.model.totals.activationBytes).toBe(4n * 28_677_072n);
    // conv1_1's output is alive while relu writes its own: 2 · 64·224·224 · 4 bytes
    expect(r.model.totals.peakActivationBytes).toBe(2n * 64n * 224n * 224n * 4n);
  });
});
