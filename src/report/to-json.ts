/** One entry for every JSON document: the result's kind picks analysis, check or verify. */
import type { AnalysisResult } from "../analysis/types.js";
import type { CheckReport } from "../check/evaluate.js";
import type { VerifyResult } from "../verify/verify.js";
import { analysisToJson, checkToJson, type AnalysisJson, type CheckJson, type JsonContext } from "./json.js";
import { verifyToJson, type VerifyJson, type VerifyJsonContext } from "./verify-json.js";

/** Any result as its CLI JSON document: an analysis (or a list of them), a check report, or a verification. */
export function toJson(result: AnalysisResult | readonly AnalysisResult[], context?: JsonContext): AnalysisJson;
export function toJson(result: CheckReport, context?: JsonContext): CheckJson;
export function toJson(result: VerifyResult, context?: VerifyJsonContext): VerifyJson;
export function toJson(result: AnalysisResult | readonly AnalysisResult[] | CheckReport | VerifyResult, context: VerifyJsonContext = {}): AnalysisJson | CheckJson | VerifyJson {
  if ("results" in result && "exitCode" in result) return checkToJson(result, context);
  if ("ok" in result && "models" in result) return verifyToJson(result, context);
  return analysisToJson(result as AnalysisResult | readonly AnalysisResult[], context);
}
