/** The JSON document of `convspec verify --format json` (see json.ts for the shared parts). */
import type { ModelCheck, VerifyResult } from "../verify/verify.js";
import { diagnostics, plain, SCHEMA_VERSION, type DiagnosticJson, type JsonContext } from "./json.js";

/** What the verify report adds about its run: the file, batch and --input-scale the CLI used. */
export interface VerifyJsonContext extends JsonContext {
  readonly file?: string;
  readonly batch?: number;
  readonly inputScale?: number;
}

/** What `convspec verify --format json` prints. */
export interface VerifyJson {
  readonly schemaVersion: number;
  readonly file?: string;
  readonly batch?: number;
  readonly inputScale?: number;
  readonly ok: boolean;
  readonly models: readonly ModelCheck[];
  readonly diagnostics: readonly DiagnosticJson[];
}

/** The verification report, as `convspec verify --format json` prints it (file, batch, scale from the context). */
export function verifyToJson(result: VerifyResult, context: VerifyJsonContext = {}): VerifyJson {
  return {
    schemaVersion: SCHEMA_VERSION,
    ...(context.file === undefined ? {} : { file: context.file }),
    ...(context.batch === undefined ? {} : { batch: context.batch }),
    ...(context.inputScale === undefined ? {} : { inputScale: context.inputScale }),
    ok: result.ok,
    models: plain(result.models) as ModelCheck[],
    diagnostics: diagnostics(result.diagnostics, context),
  };
}
