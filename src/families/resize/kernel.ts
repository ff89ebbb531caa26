/**
 * Reference resize kernels: PyTorch's F.interpolate with align_corners=false, per spatial axis
 * (aten/src/ATen/native/UpSample.h). The interpolation itself is the separable sweep of
 * ../upsample/kernel.ts; here are the taps of each mode:
 * - nearest: source ⌊o · scale⌋ in float32, scale = 1/factor when a factor is given, else in/out
 *   (o itself when out = in, o >> 1 when out = 2·in), clamped to in − 1;
 * - linear: source x = (o + ½)·scale − ½ clamped at 0, between ⌊x⌋ and the next index (o itself
 *   when out = in);
 * - cubic: x unclamped, four taps ⌊x⌋ − 1 ... ⌊x⌋ + 2 clamped to the axis, Keys' kernel with
 *   A = −0.75 (bicubic).
 */
import type { Tensor } from "../../exec/tensor.js";
import { ExecError } from "../../exec/kernels/util.js";
import { upsampleBackward, upsampleForward, type Taps } from "../upsample/kernel.js";

export type ResizeMode = "nearest" | "linear" | "cubic";

export type { Taps };

/** PyTorch's output size for a scale factor: ⌊n · factor⌋ (in double precision). */
export function scaledSize(n: number, factor: number): number {
  return Math.floor(n * factor);
}

const A = -0.75;
const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| ≤ 1
const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2

/** Taps of one axis from n to `out` positions; `factor` is the scale factor if one was given. */
export function resizeTaps(n: number, out: number, factor: number | undefined, mode: ResizeMode): Taps {
  if (out < 1 || n < 1) throw new ExecError(`cannot resize an axis of ${n} to ${out}`);
  const ratio = factor !== undefined && factor > 0 ? 1 / factor : n / out;
  const taps: Taps = [];
  for (let o = 0; o < out; o++) {
    if (mode === "nearest") {
      const f32 = Math.fround(ratio);
      const i = out === n ? o : out === 2 * n ? o >> 1 : Math.min(Math.floor(Math.fround(o * f32)), n - 1);
      taps.push({ idx: [i], w: [1] });
    } else if (mode === "linear") {
      if (out === n) {
        taps.push({ idx: [o], w: [1] });
        continue;
      }
      const x = Math.max(0, ratio * (o + 0.5) - 0.5);
      const i0 = Math.min(Math.floor(x), n - 1), l = Math.min(Math.max(x - i0, 0), 1);
      taps.push({ idx: [i0, i0 < n - 1 ? i0 + 1 : i0], w: [1 - l, l] });
    } else {
      const x = ratio * (o + 0.5) - 0.5, i = Math.floor(x), t = x - i;
      const clamp = (k: number) => Math.min(Math.max(k, 0), n - 1);
      taps.push({ idx: [clamp(i - 1), clamp(i), clamp(i + 1), clamp(i + 2)], w: [far(t + 1), near(t), near(1 - t), far(2 - t)] });
    }
  }
  return taps;
}

/** Resizes the spatial axes of x along the given taps (one list per axis). */
export function resizeForward(x: Tensor, axes: readonly Taps[]): Tensor {
  return upsampleForward(x, axes);
}

/**
 * The gradient of resizeForward: each output's gradient flows back along its taps. `positive`
 * (the receptive-field probe) uses |w|, so bicubic's negative lobes cannot cancel a path.
 */
export function resizeBackward(x: Tensor, axes: readonly Taps[], dy: Tensor, positive = false): Tensor {
  const taps = positive ? axes.map((t) => t.map((u) => ({ idx: u.idx, w: u.w.map(Math.abs) }))) : axes;
  return upsampleBackward(x, taps, dy);
}
