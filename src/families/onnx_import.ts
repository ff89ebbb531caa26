/**
 * The families' import faces: for each family that ONNX reads back into, the op types it reads
 * and how (src/families/<folder>/onnx_import.ts, beside the family's `onnx` emitter). Adding a
 * family that ONNX can be read back into: its onnx_import.ts, and one entry here.
 *
 * This list is not in the family records (registry.ts) on purpose: the readers use the
 * importer's walk and folding, and only the importer (src/onnx/import/ops.ts, loaded on demand)
 * loads this file, so `convspec analyze` does not load them. test/families/registry.test.ts
 * checks that every registered family is here or is listed there with the reason it is not.
 */
import type { FamilyReads } from "../onnx/import/walk.js";
import { activationReads, eluReads, leakyReluReads, softmaxReads } from "./activation/onnx_import.js";
import { attentionReads } from "./attention/onnx_import.js";
import { channelShuffleReads } from "./channel_shuffle/onnx_import.js";
import { convReads } from "./conv/onnx_import.js";
import { deconvReads } from "./deconv/onnx_import.js";
import { denseReads } from "./dense/onnx_import.js";
import { adaptivePoolReads, globalPoolReads } from "./global_pool/onnx_import.js";
import { channelMaxpoolReads } from "./channel_maxpool/onnx_import.js";
import { groupnormReads, instancenormReads } from "./groupnorm/onnx_import.js";
import { concatReads, elementwiseReads } from "./merge/onnx_import.js";
import { batchnormReads, layernormReads, lrnReads } from "./norm/onnx_import.js";
import { padReads } from "./pad/onnx_import.js";
import { permuteReads } from "./permute/onnx_import.js";
import { pixelShuffleReads, pixelUnshuffleReads } from "./pixel_shuffle/onnx_import.js";
import { preluReads } from "./prelu/onnx_import.js";
import { avgpoolReads, lppoolReads, maxpoolReads } from "./pool/onnx_import.js";
import { flattenReads, reshapeReads } from "./reshape/onnx_import.js";
import { resizeReads } from "./resize/onnx_import.js";
import { selectReads, sliceReads, splitReads } from "./slice/onnx_import.js";

/** One entry per family that ONNX reads back into, in registry order. */
export const familyReads: readonly FamilyReads[] = [
  convReads, deconvReads, maxpoolReads, avgpoolReads, lppoolReads, globalPoolReads, adaptivePoolReads,
  denseReads, batchnormReads, layernormReads, lrnReads,
  activationReads, leakyReluReads, eluReads, softmaxReads,
  flattenReads, reshapeReads, padReads, channelMaxpoolReads,
  channelShuffleReads, groupnormReads, instancenormReads, attentionReads,
  sliceReads, selectReads, splitReads, permuteReads, pixelShuffleReads, pixelUnshuffleReads, resizeReads,
  concatReads, elementwiseReads, preluReads,
];
