/**
 * How many layers a call would expand to, computed without building them: the layer limit
 * (CS6001) refuses `* 1000` inside `* 1000`, or blocks that double each other 30 deep, before
 * a single node exists.
 */
import type * as A from "../ast/nodes.js";
import { lookupLayer } from "../families/registry.js";
import type { BlockDef } from "./ir.js";
import { evaluate, showValue, type Env, type Value } from "./values.js";

export class LayerEstimator {
  private readonly estimates = new Map<string, number>();

  constructor(
    private readonly blocks: ReadonlyMap<string, BlockDef>,
    private readonly maxLayers: number,
    private readonly maxDepth: number,
    /** Binds a block call's arguments (undefined when they do not bind). */
    private readonly bind: (def: BlockDef, call: A.Call, env: Env) => Map<string, Value> | undefined,
  ) {}

  /** Layers a call would expand to, without building them (for the layer limit). */
  estimate(call: A.Call, env: Env, visiting: readonly string[]): number {
    if (lookupLayer(call.name)) return 1;
    const def = this.blocks.get(call.name);
    if (!def || visiting.includes(call.name) || visiting.length > this.maxDepth) return 1;
    const inner = this.bind(def, call, env);
    if (!inner) return 1;
    // Memoised by block and argument values, so shared sub-blocks are sized once.
    const key = `${call.name}(${[...inner].map(([k, v]) => `${k}=${showValue(v)}`).join(",")})`;
    const known = this.estimates.get(key);
    if (known !== undefined) return known;
    const total = this.estimateBody(def, inner, [...visiting, call.name]);
    this.estimates.set(key, total);
    return total;
  }

  private estimateBody(def: BlockDef, inner: Env, visiting: readonly string[]): number {
    let total = 0;
    for (const st of def.decl.body) {
      if (st.kind !== "bind" && st.kind !== "output") continue;
      for (const step of [st.chain.source, ...st.chain.steps]) {
        let reps = 1;
        if (step.repeat) {
          const v = evaluate(step.repeat, inner, []);
          if (v?.kind === "int" && v.value >= 0n) reps = Number(v.value);
        }
        if (step === st.chain.source && !step.call.hasParens) continue;
        total += reps * this.estimate(step.call, inner, visiting);
        if (total > this.maxLayers) return Infinity;
      }
    }
    return Math.max(1, total);
  }
}
