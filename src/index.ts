/**
 * convspec's library API, the only public entry. Runs in Node and in a browser: nothing here
 * imports a Node built-in, and files are read only through the resolver the host passes.
 */
import { parseText, type ParseOptions } from "./ast/build.js";
import type { SpecFile } from "./ast/nodes.js";
import type { Diagnostic } from "./diagnostics/diagnostic.js";

export type * from "./ast/nodes.js";
export type { Diagnostic, Span, Severity, RelatedInfo, Result } from "./diagnostics/diagnostic.js";
export type * from "./graph/ir.js";
export type { ArgValue, LayerSchema, ArgSpec } from "./families/schema.js";
export { compile, compileAsync, type CompileOptions, type AsyncCompileOptions, type AsyncResolver, type CompileResult, type Resolver, type ResolvedFile, type MainSource } from "./graph/compile.js";
export { renderDiagnostic, renderDiagnostics, lineCol, location, type SourceLookup, type RenderOptions } from "./diagnostics/render.js";
export { messages } from "./diagnostics/messages.js";
export { hasErrors } from "./diagnostics/diagnostic.js";
export { schemas, lookupLayer } from "./families/registry.js";
export { analyze } from "./analysis/analyze.js";
export type * from "./analysis/types.js";
export { DTYPE_BYTES, OPTIMIZER_STATES } from "./analysis/types.js";
export { BUDGET_KINDS, budgetKind, parseBudgetValue, modelReceptiveField, type Budget, type BudgetKind } from "./check/budgets.js";
export { parseConfig, budgetsFor, globMatch, CONFIG_NAME, type CheckConfig, type ConfigEntry } from "./check/config.js";
export { assertResults, budgetResults, diagnosticResults, summarize, summaryLine, type CheckResult, type CheckReport } from "./check/evaluate.js";
export { formatText as formatCheckText, formatJson as formatCheckJson, formatJunit, formatGithub, type CheckFormat } from "./check/report.js";
export {
  analysisToJson, checkToJson, diagnosticToJson, exact, SCHEMA_VERSION,
  type JsonContext, type JsonInteger, type Jsonify, type AnalysisJson, type ModelJson, type LayerJson, type TotalsJson,
  type AssertJson, type AssertValueJson, type CheckJson, type CheckResultJson, type DiagnosticJson,
} from "./report/json.js";
export { verifyToJson, type VerifyJson, type VerifyJsonContext } from "./report/verify-json.js";
export { toJson } from "./report/to-json.js";
export { diffModels, type ModelDiff, type LayerChange, type TotalChange, type LayerStatus } from "./diff/diff.js";
export { diffText, diffMarkdown, diffJson, type DiffFormat } from "./diff/render.js";
export { verify, type VerifyOptions, type VerifyResult, type ModelCheck, type LayerCheck, type Cell, type CellValue } from "./verify/verify.js";
export { run, type RunOptions, type RunResult, type LayerMeasure } from "./exec/runtime.js";
export { backward, type Gradients } from "./exec/backward.js";
export { probeReceptiveFields, type RfMeasure, type RfProbeOptions } from "./exec/rf.js";
export { setFastKernels, getFastKernels, type ConvImpl, type DenseImpl, type ConvGeometry, type MacCounter, type FastKernels } from "./exec/kernels/api.js";
export type { Tensor, LayerParams, ModelParams, Float } from "./exec/tensor.js";
export { exportOnnx, exportedFamilies, ONNX_OPSET, type OnnxExportOptions, type OnnxExportResult } from "./onnx/export.js";
export { seededParams } from "./onnx/weights.js";
export { diagramSvg, diagramGraph, layoutDiagram, renderSvg, type DiagramOptions, type DiagramGraph, type DiagramBox, type DiagramEdge, type DiagramCluster, type Layout } from "./diagram/index.js";
export { importOnnx, skimOnnx, type OnnxImportOptions, type OnnxImportResult, type ReadAt } from "./onnx/import/import.js";

/** Parses one file's text into its AST, with every syntax error found. */
export function parse(text: string, options: ParseOptions = {}): { ast: SpecFile; diagnostics: readonly Diagnostic[] } {
  const r = parseText(text, options);
  return { ast: r.value, diagnostics: r.diagnostics };
}
