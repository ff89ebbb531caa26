/**
 * Seeded, deterministic initialization: He-normal conv/dense weights (std √(2/fan_in)), small
 * biases, batch-norm γ near 1, β and running means small, running variances positive. The
 * receptive-field probe uses positive weights instead (uniform in [0.5, 1.5] / fan_in) so no
 * path can cancel another.
 */
import type { Float, Tensor } from "./tensor.js";
import type { ParamSpec } from "./ops/types.js";
import { prod } from "./kernels/util.js";

/** A small fast PRNG (mulberry32) with uniform and normal draws; same seed, same numbers. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export type Precision = "f32" | "f64";

function buffer(n: number, precision: Precision): Float {
  return precision === "f64" ? new Float64Array(n) : new Float32Array(n);
}

/** A parameter tensor drawn for its spec; `positive` draws the probe's positive values. */
export function initParam(spec: ParamSpec, rng: Rng, precision: Precision, positive = false): Tensor {
  const n = prod(spec.shape);
  const d = buffer(n, precision);
  const fanIn = spec.fanIn ?? 1;
  for (let i = 0; i < n; i++) {
    if (positive) {
      d[i] = spec.init === "weight" ? rng.uniform(0.5, 1.5) / fanIn : spec.init === "bias" || spec.init === "beta" || spec.init === "mean" ? 0 : rng.uniform(0.5, 1.5);
      continue;
    }
    switch (spec.init) {
      case "weight": d[i] = rng.normal() * Math.sqrt(2 / fanIn); break;
      case "bias": case "beta": case "mean": d[i] = rng.uniform(-0.1, 0.1); break;
      case "gamma": d[i] = rng.uniform(0.8, 1.2); break;
      case "var": d[i] = rng.uniform(0.5, 1.5); break;
    }
  }
  return { shape: [...spec.shape], data: d };
}

/** An input tensor with values uniform in [−1, 1) (the probe: all ones). */
export function initInput(shape: readonly number[], rng: Rng, precision: Precision, ones = false): Tensor {
  const n = prod(shape);
  const d = buffer(n, precision);
  for (let i = 0; i < n; i++) d[i] = ones ? 1 : rng.uniform(-1, 1);
  return { shape: [...shape], data: d };
}
