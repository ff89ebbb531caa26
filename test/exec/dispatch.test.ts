/** The kernel-dispatch interface: registered fast kernels are used for float32 runs only. */
import { afterEach, describe, expect, it } from "vitest";
import { setFastKernels, type ConvImpl, type DenseImpl } from "../../src/exec/kernels/api.js";
import { convForward } from "../../src/families/conv/kernel.js";
import { denseForward } from "../../src/families/dense/kernel.js";
import { run } from "../../src/exec/runtime.js";
import { probeReceptiveFields } from "../../src/exec/rf.js";
import { model } from "./helpers.js";

const m = model(`model m {
  input x: [2, 6, 6]
  output x -> conv2d(3, 3) -> flatten -> dense(4)
}`);

afterEach(() => setFastKernels({}));

describe("fast kernel registry", () => {
  it("float32 runs call the registered kernels and count the MACs they report", () => {
    const calls: string[] = [];
    // Stand-ins that report a fixed count, so the test sees which counter the runtime used.
    const conv: ConvImpl = (x, w, b, p) => {
      calls.push("conv");
      return convForward(x, w, b, p, { add() {} });
    };
    const dense: DenseImpl = (x, w, b, counter) => {
      calls.push("dense");
      counter.add(7);
      return denseForward(x, w, b, { add() {} });
    };
    setFastKernels({ conv, dense });
    const r = run(m, { seed: 1 });
    expect(calls).toEqual(["conv", "dense"]);
    expect(r.layers.map((l) => l.macs)).toEqual([0, 0, 7]);
    const reference = run(m, { seed: 1 });
    setFastKernels({});
    const plain = run(m, { seed: 1 });
    // Same numbers from the stand-ins (which wrap the reference) and the reference itself.
    expect(Array.from(reference.outputs.output!.data)).toEqual(Array.from(plain.outputs.output!.data));
    // By hand: conv 3·4·4 outputs × 2·3·3 taps = 864; dense 4 × 48 = 192.
    expect(plain.layers.map((l) => l.macs)).toEqual([864, 0, 192]);
  });

  it("float64 runs and the receptive-field probe always use the reference kernels", () => {
    let used = 0;
    setFastKernels({ conv: (x, w, b, p, c) => { used++; return convForward(x, w, b, p, c); } });
    run(m, { precision: "f64" });
    probeReceptiveFields(m);
    expect(used).toBe(0);
    run(m);
    expect(used).toBe(1);
  });
});
