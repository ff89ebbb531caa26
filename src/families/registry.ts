/**
 * Every layer family, in one list. Adding a family: its folder (family.ts, kernel.ts), one
 * line here, its docs and its tests (CONTRIBUTING.md). Everything else looks families up here.
 */
import type { KindInfo, LayerSchema } from "./schema.js";
import type { Family } from "./types.js";
import { activation, dropout, elu, identity, leakyRelu, softmax } from "./activation/family.js";
import { attention } from "./attention/family.js";
import { channelMaxpool } from "./channel_maxpool/family.js";
import { channelShuffle } from "./channel_shuffle/family.js";
import { conv } from "./conv/family.js";
import { centerCrop, crop } from "./crop/family.js";
import { deconv } from "./deconv/family.js";
import { dense } from "./dense/family.js";
import { adaptivePool, globalPool } from "./global_pool/family.js";
import { groupnorm, instancenorm } from "./groupnorm/family.js";
import { concat, elementwise } from "./merge/family.js";
import { batchnorm, layernorm, lrn } from "./norm/family.js";
import { pad } from "./pad/family.js";
import { permute } from "./permute/family.js";
import { pixelShuffle, pixelUnshuffle } from "./pixel_shuffle/family.js";
import { prelu } from "./prelu/family.js";
import { avgpool, lppool, maxpool } from "./pool/family.js";
import { flatten, reshape } from "./reshape/family.js";
import { tensor } from "./tensor/family.js";
import { resize } from "./resize/family.js";
import { select, slice, split } from "./slice/family.js";
import { upsample } from "./upsample/family.js";

/** The registry: one line per family. */
export const families: readonly Family[] = [
  conv, deconv, maxpool, avgpool, lppool, globalPool, adaptivePool,
  dense, batchnorm, layernorm, lrn,
  activation, leakyRelu, elu, softmax, dropout, identity,
  flatten, reshape, pad, upsample, channelMaxpool,
  channelShuffle, tensor, groupnorm, instancenorm, attention,
  slice, select, split, permute, pixelShuffle, pixelUnshuffle, crop, centerCrop, resize,
  concat, elementwise, prelu,
];

/** Every family's argument schema, in registry order (docs, the grammar's layer list). */
export const schemas: readonly LayerSchema[] = families.map((f) => f.schema);

const byFamily = new Map<string, Family>(families.map((f) => [f.schema.family, f]));
const byName = new Map<string, { schema: LayerSchema; info: KindInfo }>();
const byKind = new Map<string, LayerSchema>();
for (const f of families) {
  for (const [name, info] of Object.entries(f.schema.kinds)) {
    byName.set(name, { schema: f.schema, info });
    byKind.set(info.kind, f.schema);
  }
}

/** The schema and canonical kind for a written layer name, if it is a layer. */
export function lookupLayer(name: string): { schema: LayerSchema; info: KindInfo } | undefined {
  return byName.get(name);
}

/** Every name a user may write for a layer. */
export function layerNames(): string[] {
  return [...byName.keys()];
}

/** The schema of a canonical kind (as stored in the IR). */
export function schemaOfKind(kind: string): LayerSchema | undefined {
  return byKind.get(kind);
}

/** The family record of a node's `family`, if registered. */
export function familyOf(family: string): Family | undefined {
  return byFamily.get(family);
}

/** The analysis rules of a layer family, if it has any. */
export function rulesOf(family: string): Family["rules"] | undefined {
  return byFamily.get(family)?.rules;
}
