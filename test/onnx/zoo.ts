/**
 * The zoo cross-check, sharded over several test files so each stays fast: every model at a
 * reduced input size runs in convspec's runtime and, exported, in onnxruntime (outputs agree),
 * and `verify` finds every prediction (shapes, params, MACs, memory, fields) confirmed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableFastKernels, stopFastWorkers } from "../../src/exec/fast/index.js";
import { setFastKernels, type FastKernels } from "../../src/exec/kernels/api.js";
import { compile, joinPath } from "../../src/graph/compile.js";
import { inferShapes } from "../../src/onnx/shapes.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { ModelGraph } from "../../src/graph/ir.js";
import { analyze } from "../../src/analysis/analyze.js";
import { verify } from "../../src/verify/verify.js";
import { crossCheck } from "./crosscheck.js";

const dir = fileURLToPath(new URL("../../specs/", import.meta.url));

/** Every spec in specs/, sorted. */
export const zooFiles = readdirSync(dir).filter((f) => f.endsWith(".cnn")).sort();

const resolve = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * Inputs chosen by hand where scaling by 1/8, 1/4, 1/2 would not do: the original U-Net accepts
 * only 16k + 12 (k >= 11), so every scaled size fails and it would run at 572 (150 GMACs); 188 is
 * its smallest valid input (4x4 out, 6.1 GMACs). DeepLabV3 keeps output stride 8 with dilated
 * layers, so half its input (257) still costs 42 GMACs in verify: it is verified at 129 (1/4).
 */
const SIZES: Record<string, { cross?: Record<string, number[]>; verify?: Record<string, number[]> }> = {
  "unet.cnn": { cross: { image: [1, 188, 188] }, verify: { image: [1, 188, 188] } },
  "deeplabv3_resnet50.cnn": { verify: { image: [3, 129, 129] } },
};

/** Each model of the spec at the smallest spatial scale (1/8, 1/4, 1/2 or 1) at which its shapes stay valid. */
function reducedModels(file: string): { models: ModelGraph[]; errors: readonly Diagnostic[] } {
  const path = joinPath(dir + "/", file);
  const text = readFileSync(path, "utf8");
  const full = compile({ file: path, text }, { resolve });
  const errors = full.diagnostics.filter((d) => d.severity === "error");
  const fixed = SIZES[file]?.cross;
  if (fixed) return { models: compile({ file: path, text }, { resolve, inputShapes: fixed }).graph.models, errors };
  const tries = [8, 4, 2].map((div) => {
    const shapes: Record<string, number[]> = {};
    for (const m of full.graph.models) for (const id of m.inputs) {
      const [c, ...sp] = m.nodes[id]!.args.shape as number[];
      shapes[m.nodes[id]!.label] = [c!, ...sp.map((v) => Math.max(1, Math.round(v / div)))];
    }
    return compile({ file: path, text }, { resolve, inputShapes: shapes }).graph.models;
  });
  const models = full.graph.models.map((m, i) => tries.map((t) => t[i]).find((r) => r && r.name === m.name && !inferShapes(r).failure) ?? m);
  return { models, errors };
}

/**
 * Each model of the spec for verify: at half the input size where the analyzer accepts that,
 * else at full size (the receptive-field probe sizes its own input either way).
 */
function verifyModels(file: string): ModelGraph[] {
  const path = joinPath(dir + "/", file);
  const text = readFileSync(path, "utf8");
  const full = compile({ file: path, text }, { resolve });
  const fixed = SIZES[file]?.verify;
  if (fixed) return compile({ file: path, text }, { resolve, inputShapes: fixed }).graph.models;
  const shapes: Record<string, number[]> = {};
  for (const m of full.graph.models) for (const id of m.inputs) {
    const [c, ...sp] = m.nodes[id]!.args.shape as number[];
    shapes[m.nodes[id]!.label] = [c!, ...sp.map((v) => Math.max(1, Math.round(v / 2)))];
  }
  const half = compile({ file: path, text }, { resolve, inputShapes: shapes }).graph;
  const ok = (g: typeof half, i: number) => !analyze({ models: [g.models[i]!] }).diagnostics.some((d) => d.severity === "error");
  return full.graph.models.map((m, i) => (half.models[i] && ok(half, i) ? half.models[i]! : m));
}

/**
 * ShuffleNetV2's split, concat and channel_shuffle need every channel, so its probe runs full
 * width (116 to 1024 channels) on an input several times the model's (field 527; 672×672 at
 * full size): about 40 s of CPU at full size, over a minute here under the shards' load; its
 * fields are verified by `convspec verify specs/shufflenet_v2.cnn` (every cell agrees, README).
 * DenseNet-121 and ConvNeXt-T, whose fields need 2240×2240 and 1792×1792 probe inputs, are
 * probed here (about 6 s of CPU each at half size, with summed concats and shared pass tails:
 * docs/verify.md).
 */
const NO_PROBE = new Set(["shufflenet_v2.cnn"]);

/**
 * ViT-B/16 runs at its full 224×224 only (its position embedding holds 197 tokens, as
 * torchvision's does), 17.6 G MACs: the run for verify takes about 17 s and the onnxruntime
 * cross-check another 24 s, so only verify runs here. Its ops' export is cross-checked in
 * families.test.ts (attention, param, concat along an axis, select); the whole model's
 * cross-check, run once when the spec was added, gave a relative error of 1.6e-6.
 */
const NO_CROSS_CHECK = new Set(["vit_b_16.cnn"]);

/** Declares the cross-check tests of the specs whose index modulo `of` is `shard`. */
export function zooShard(shard: number, of: number): void {
  describe(`the zoo (specs/, shard ${shard + 1}/${of}) at reduced input sizes: runtime vs exported model in onnxruntime, and verify`, () => {
    let prev: FastKernels = {};
    beforeAll(() => { prev = enableFastKernels(); });
    afterAll(async () => { setFastKernels(prev); await stopFastWorkers(); });
    for (const file of zooFiles.filter((_, i) => i % of === shard)) {
      it(file, async () => {
        const { models, errors } = reducedModels(file);
        expect(errors).toEqual([]);
        expect(models.length).toBeGreaterThan(0);
        if (!NO_CROSS_CHECK.has(file)) for (const m of models) expect(await crossCheck(m, 5), `model ${m.name}`).toBeLessThan(1e-4);
        for (const m of verifyModels(file)) {
          const v = verify({ models: [m] }, { skipAsserts: "the input is reduced", rf: !NO_PROBE.has(file) }).models[0]!;
          const wrong = v.layers.flatMap((l) => Object.entries(l.cells).filter(([, c]) => !c.ok).map(([q, c]) => `${l.name}.${q}: ${JSON.stringify(c)}`));
          for (const [q, c] of Object.entries(v.totals)) if (!c.ok) wrong.push(`total.${q}`);
          expect(wrong, `verify ${m.name}`).toEqual([]);
          expect(v.ok, `verify ${m.name}: ${v.error ?? ""}`).toBe(true);
        }
      });
    }
  });
}
