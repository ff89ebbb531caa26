/**
 * Property tests run on one fixed seed so that `npm test` is reproducible (a red run can be
 * replayed exactly); FC_SEED=<n> explores another sequence. Long random searches belong to the
 * fuzz script (bench/fuzz.ts).
 */
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261129) });
