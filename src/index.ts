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
export type { ArgValue, LayerSchema, ArgSpec } from "./layers/schema.js";
export { compile, type CompileOptions, type CompileResult, type Resolver } from "./graph/compile.js";
export { renderDiagnostic, renderDiagnostics, lineCol, location } from "./diagnostics/render.js";
export { messages } from "./diagnostics/messages.js";
export { hasErrors } from "./diagnostics/diagnostic.js";
export { schemas, lookupLayer } from "./layers/registry.js";
export { analyze } from "./analysis/analyze.js";
export type * from "./analysis/types.js";
export { DTYPE_BYTES, OPTIMIZER_STATES } from "./analysis/types.js";
export { BUDGET_KINDS, budgetKind, parseBudgetValue, modelReceptiveField, type Budget, type BudgetKind } from "./check/budgets.js";
export { parseConfig, budgetsFor, globMatch, CONFIG_NAME, type CheckConfig, type ConfigEntry } from "./check/config.js";
export { assertResults, budgetResults, diagnosticResults, summarize, summaryLine, type CheckResult, type CheckReport } from "./check/evaluate.js";
export { formatText as formatCheckText, formatJson as formatCheckJson, formatJunit, formatGithub, type CheckFormat } from "./check/report.js";
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
export { importOnnx, skimOnnx, type OnnxImportOptions, type OnnxImportResult, type ReadAt } from "./onnx/import/import.js";

/** Parses one file's text into its AST, with every syntax error found. */
export function parse(text: string, options: ParseOptions = {}): { ast: SpecFile; diagnostics: readonly Diagnostic[] } {
  const r = parseText(text, options);
  return { ast: r.value, diagnostics: r.diagnostics };
}
