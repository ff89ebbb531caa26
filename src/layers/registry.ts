/** Every layer family, looked up by the name a user writes. Adding a family: one line here. */
import type { KindInfo, LayerSchema } from "./schema.js";
import { convSchema } from "./conv.js";
import { deconvSchema } from "./deconv.js";
import { maxpoolSchema, avgpoolSchema, lppoolSchema } from "./pool.js";
import { globalPoolSchema, adaptivePoolSchema } from "./global_pool.js";
import { denseSchema } from "./dense.js";
import { batchnormSchema, layernormSchema, lrnSchema } from "./norm.js";
import { activationSchema, leakyReluSchema, eluSchema, softmaxSchema, dropoutSchema, identitySchema } from "./activation.js";
import { flattenSchema, reshapeSchema } from "./reshape.js";
import { padSchema } from "./pad.js";
import { upsampleSchema } from "./upsample.js";
import { channelMaxpoolSchema } from "./channel_maxpool.js";
import { concatSchema, elementwiseSchema } from "./merge.js";

export const schemas: readonly LayerSchema[] = [
  convSchema, deconvSchema, maxpoolSchema, avgpoolSchema, lppoolSchema, globalPoolSchema, adaptivePoolSchema,
  denseSchema, batchnormSchema, layernormSchema, lrnSchema, activationSchema, leakyReluSchema, eluSchema,
  softmaxSchema, dropoutSchema, identitySchema, flattenSchema, reshapeSchema, padSchema, upsampleSchema,
  channelMaxpoolSchema, concatSchema, elementwiseSchema,
];

const byName = new Map<string, { schema: LayerSchema; info: KindInfo }>();
for (const s of schemas) for (const [name, info] of Object.entries(s.kinds)) byName.set(name, { schema: s, info });

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
  for (const s of schemas) for (const info of Object.values(s.kinds)) if (info.kind === kind) return s;
  return undefined;
}
