/**
 * Chains of `reshape` and `permute` steps between two tensors — how exporters spell out
 * pixel_unshuffle, pixel_shuffle and channel shuffle when they compute the shapes in several
 * views (PyTorch 1.13's pixel_unshuffle: Reshape, Unsqueeze, Reshape, Reshape, Transpose,
 * Reshape, Squeeze) — folded into the one layer they amount to. The chain is run on the element
 * indices with the layers' own kernels and compared with each candidate layer's result, so a
 * fold is exact or does not happen.
 */
import type { Tensor } from "../../exec/tensor.js";
import { channelShuffleForward } from "../../families/channel_shuffle/kernel.js";
import { permuteForward } from "../../families/permute/kernel.js";
import { pixelShuffleForward, pixelUnshuffleForward } from "../../families/pixel_shuffle/kernel.js";
import type { Arg, Step } from "./steps.js";

/** The most elements a chain's input may have for the index run (Float32 holds indices exactly to 2^24). */
const MAX_ELEMENTS = 1 << 22;

interface Candidate {
  readonly call: string;
  readonly args: Arg[];
  readonly run: (x: Tensor) => Tensor;
}

/** Layers that move x's elements into y's shape: pixel_(un)shuffle by the size ratio, or a channel shuffle by each divisor of C. */
function candidates(x: readonly number[], y: readonly number[]): Candidate[] {
  const d = x.length - 1;
  if (d < 1 || y.length !== x.length) return [];
  const out: Candidate[] = [];
  const down = x[1]! / y[1]!, up = y[1]! / x[1]!;
  if (Number.isInteger(down) && down > 1 && y[0] === x[0]! * down ** d && x.every((n, i) => i === 0 || n === y[i]! * down)) {
    out.push({ call: "pixel_unshuffle", args: [{ value: down }], run: (t) => pixelUnshuffleForward(t, down) });
  }
  if (Number.isInteger(up) && up > 1 && x[0] === y[0]! * up ** d && x.every((n, i) => i === 0 || n * up === y[i])) {
    out.push({ call: "pixel_shuffle", args: [{ value: up }], run: (t) => pixelShuffleForward(t, up) });
  }
  if (x.every((n, i) => n === y[i])) {
    for (let g = 2; g < x[0]!; g++) if (x[0]! % g === 0) out.push({ call: "channel_shuffle", args: [{ value: g }], run: (t) => channelShuffleForward(t, g) });
  }
  return out;
}

const isView = (s: Step) => s.call === "reshape" || s.call === "permute";

/** Rewrites, in place, the last step of each view chain that equals one layer into that layer reading the chain's input. */
export function foldViews(steps: Step[]): void {
  const readers = new Map<number, number>();
  for (const s of steps) for (const i of s.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const s of steps) {
    if (!isView(s)) continue;
    const chain: Step[] = [s];
    let src = steps[s.inputs[0]!]!;
    while (isView(src) && readers.get(src.id) === 1) {
      chain.unshift(src);
      src = steps[src.inputs[0]!]!;
    }
    const n = src.shape.reduce((a, b) => a * b, 1);
    const found = chain.length > 1 && n <= MAX_ELEMENTS ? candidates(src.shape, s.shape) : [];
    if (found.length === 0) continue;
    const indices = Float32Array.from({ length: n }, (_, i) => i);
    let t: Tensor = { shape: [1, ...src.shape], data: indices };
    for (const c of chain) t = c.call === "permute" ? permuteForward(t, c.args[0]!.value as number[]) : { shape: [1, ...c.shape], data: t.data };
    const same = (u: Tensor) => u.data.every((v, i) => v === t.data[i]);
    const hit = found.find((c) => same(c.run({ shape: [1, ...src.shape], data: indices })));
    if (hit) steps[s.id] = { ...s, call: hit.call, args: hit.args, inputs: [src.id] };
  }
}
