/** Every layer family, looked up by the name a user writes. Adding a family: one line here. */
import type { KindInfo, LayerSchema } from "./schema.js";
import type { LayerRules } from "./types.js";
import { convSchema, convRules } from "./conv.js";
import { deconvSchema, deconvRules } from "./deconv.js";
import { maxpoolSchema, avgpoolSchema, lppoolSchema, maxpoolRules, avgpoolRules, lppoolRules } from "./pool.js";
import { globalPoolSchema, adaptivePoolSchema, globalPoolRules, adaptivePoolRules } from "./global_pool.js";
import { denseSchema, denseRules } from "./dense.js";
import { batchnormSchema, layernormSchema, lrnSchema, batchnormRules, layernormRules, lrnRules } from "./norm.js";
import {
  activationSchema, leakyReluSchema, eluSchema, softmaxSchema, dropoutSchema, identitySchema,
  activationRules, leakyReluRules, eluRules, softmaxRules, dropoutRules, identityRules,
} from "./activation.js";
import { flattenSchema, reshapeSchema, flattenRules, reshapeRules } from "./reshape.js";
import { padSchema, padRules } from "./pad.js";
import { upsampleSchema, upsampleRules } from "./upsample.js";
import { channelMaxpoolSchema, channelMaxpoolRules } from "./channel_maxpool.js";
import { concatSchema, elementwiseSchema, concatRules, elementwiseRules } from "./merge.js";
import { tensorRules } from "./tensor.js";

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

/** Analysis rules by family (LayerNode.family). Adding a family: one line here. */
const rulesByFamily: Readonly<Record<string, LayerRules>> = {
  conv: convRules, deconv: deconvRules, maxpool: maxpoolRules, avgpool: avgpoolRules, lppool: lppoolRules,
  global_pool: globalPoolRules, adaptive_pool: adaptivePoolRules, dense: denseRules, batchnorm: batchnormRules,
  layernorm: layernormRules, lrn: lrnRules, activation: activationRules, leaky_relu: leakyReluRules, elu: eluRules,
  softmax: softmaxRules, dropout: dropoutRules, identity: identityRules, flatten: flattenRules, reshape: reshapeRules,
  pad: padRules, upsample: upsampleRules, channel_maxpool: channelMaxpoolRules, concat: concatRules, elementwise: elementwiseRules,
  tensor: tensorRules,
};

/** The analysis rules of a layer family, if it has any. */
export function rulesOf(family: string): LayerRules | undefined {
  return Object.hasOwn(rulesByFamily, family) ? rulesByFamily[family] : undefined;
}
