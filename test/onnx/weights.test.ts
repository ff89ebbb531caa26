import { describe, expect, it } from "vitest";
import { run } from "../../src/exec/runtime.js";
import { seededParams } from "../../src/onnx/weights.js";
import { model } from "./ort.js";

describe("seeded weights for export equal the runtime's", () => {
  it("draws the same tensors as run() with the same seed (two inputs, several families)", () => {
    const m = model(`model t {
      input a: [3, 12, 12]
      input b: [5]
      x = a -> conv2d(4, 3) -> batchnorm -> relu -> layernorm(axes=all) -> flatten -> dense(5)
      output add(x, b) -> dense(2)
    }`);
    const r = run(m, { seed: 42 });
    expect(r.diagnostics).toEqual([]);
    const mine = seededParams(m, 42);
    expect(mine.diagnostics).toEqual([]);
    expect([...mine.params!.keys()]).toEqual([...r.params.keys()]);
    for (const [id, p] of r.params) {
      for (const [name, t] of Object.entries(p)) {
        const q = mine.params!.get(id)![name]!;
        expect(q.shape).toEqual(t.shape);
        expect(Array.from(q.data)).toEqual(Array.from(t.data));
      }
    }
  });
});
