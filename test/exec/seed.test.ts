/** The seed lectures' numeric examples, run through the reference kernels. */
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec/runtime.js";
import { backward } from "../../src/exec/backward.js";
import { f64, model, nodeId, rows } from "./helpers.js";

const X = [[0, 3, 0, 1], [2, 0, 1, 2], [3, 0, 0, 2], [0, 1, 2, 0]];
const K = [[-1, 1], [2, 1]];
const flip2 = (k: number[][]) => k.map((r) => [...r].reverse()).reverse();

/** Full 2-D convolution by its definition: (a * b)[i, j] = Σ a[p, q] · b[i − p, j − q]. */
function trueConv(a: number[][], b: number[][]): number[][] {
  const H = a.length + b.length - 1, W = a[0]!.length + b[0]!.length - 1;
  const out = Array.from({ length: H }, () => new Array<number>(W).fill(0));
  for (let p = 0; p < a.length; p++) for (let q = 0; q < a[0]!.length; q++)
    for (let u = 0; u < b.length; u++) for (let v = 0; v < b[0]!.length; v++) out[p + u]![q + v]! += a[p]![q]! * b[u]![v]!;
  return out;
}

function conv2(x: number[][], k: number[][], padding: string | number) {
  const m = model(`model m {
    input x: [1, ${x.length}, ${x[0]!.length}]
    output x -> conv2d(1, [${k.length}, ${k[0]!.length}], padding=${padding}, bias=false) as c
  }`);
  const r = run(m, {
    precision: "f64",
    inputs: { x: f64([1, 1, x.length, x[0]!.length], x) },
    params: new Map([[nodeId(m, "c"), { weight: f64([1, 1, k.length, k[0]!.length], k) }]]),
  });
  expect(r.diagnostics).toEqual([]);
  const y = r.outputs.output!;
  return rows(y.data, y.shape[2]!, y.shape[3]!);
}

describe("seed examples", () => {
  it("4×4 input cross-correlated with [[-1,1],[2,1]] gives [[7,-2,5],[4,1,3],[-2,4,6]]", () => {
    // Top-left by hand: 0·(−1) + 3·1 + 2·2 + 0·1 = 7.
    expect(conv2(X, K, 0)).toEqual([[7, -2, 5], [4, 1, 3], [-2, 4, 6]]);
  });

  it("the flipped kernel gives true convolution, which is commutative", () => {
    const xk = conv2(X, flip2(K), "full");
    expect(xk).toEqual(trueConv(X, K));
    expect(conv2(K, flip2(X), "full")).toEqual(xk);
  });

  it("convolution is equivariant to translation", () => {
    const base = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    const shifted = base.map((r) => [...r]);
    const vals = [[1, -2, 3], [0.5, 4, -1], [2, 2, -3]];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      base[2 + i]![2 + j] = vals[i]![j]!;
      shifted[3 + i]![4 + j] = vals[i]![j]!; // moved down 1, right 2
    }
    const k = [[1, 0, -1], [2, 1, 0], [0, 3, 1]];
    const a = conv2(base, k, 1), b = conv2(shifted, k, 1);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
      const src = i - 1 >= 0 && j - 2 >= 0 ? a[i - 1]![j - 2]! : 0;
      expect(b[i]![j]).toBeCloseTo(src, 12);
    }
  });

  it("max pooling is invariant to a shift that stays inside the window", () => {
    const m = model(`model m {
      input x: [1, 4, 4]
      output x -> maxpool(2)
    }`);
    const img = (r: number, c: number) => {
      const z = Array.from({ length: 4 }, () => [0.1, 0.2, 0.1, 0.3]);
      z[r]![c] = 5;
      return f64([1, 1, 4, 4], z);
    };
    const a = run(m, { precision: "f64", inputs: { x: img(0, 0) } }).outputs.output!;
    const b = run(m, { precision: "f64", inputs: { x: img(1, 1) } }).outputs.output!;
    expect(Array.from(a.data)).toEqual([5, 0.3, 0.2, 0.3]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it("the 1-D kernel gradient of a true convolution is Σ_t y'_t · x_{t−i}", () => {
    const x = [1, -2, 0.5, 3, -1, 2, 0];
    const w = [0.3, -0.7, 1.1];
    const m = model(`model m {
      input x: [1, 7]
      output x -> conv1d(1, 3, padding=full, bias=false) as c
    }`);
    const id = nodeId(m, "c");
    // True convolution y_t = Σ_i w_i x_{t−i} is cross-correlation with the flipped kernel.
    const r = run(m, {
      precision: "f64", keep: true, inputs: { x: f64([1, 1, 7], x) },
      params: new Map([[id, { weight: f64([1, 1, 3], [...w].reverse()) }]]),
    });
    const y = r.outputs.output!;
    expect(y.shape).toEqual([1, 1, 9]);
    for (let t = 0; t < 9; t++) {
      let s = 0;
      for (let i = 0; i < 3; i++) if (t - i >= 0 && t - i < 7) s += w[i]! * x[t - i]!;
      expect(y.data[t]).toBeCloseTo(s, 12);
    }
    const dy = [0.2, -1, 0.4, 0.9, -0.3, 0.6, 1.5, -0.8, 0.1];
    const g = backward(r, new Map([[id, f64([1, 1, 9], dy)]]));
    const dFlipped = g.params.get(id)!.weight!.data;
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let t = 0; t < 9; t++) if (t - i >= 0 && t - i < 7) s += dy[t]! * x[t - i]!;
      expect(dFlipped[2 - i]).toBeCloseTo(s, 12);
    }
  });
});
