/**
 * The message table: every diagnostic convspec can emit, by code. Codes come in bands:
 *   CS1xxx syntax · CS2xxx semantics (names, arguments, expansion) · CS3xxx shapes and
 *   analysis · CS4xxx verification and execution · CS5xxx checks and budgets · CS6xxx limits.
 * A test checks that codes are unique and that each band holds only its own kind.
 */
import type { MessageDef } from "./diagnostic.js";

function m(code: string, severity: MessageDef["severity"], template: string): MessageDef {
  return { code, severity, template };
}

export const messages = {
  // ── CS1xxx syntax ───────────────────────────────────────────────────────────
  unexpectedCharacter: m("CS1001", "error", "unexpected character {text}"),
  syntaxError: m("CS1002", "error", "{message}"),
  invalidNumber: m("CS1003", "error", "invalid number {text}: {reason}"),
  invalidString: m("CS1004", "error", "invalid string {text}: {reason}"),

  // ── CS2xxx semantics ────────────────────────────────────────────────────────
  unknownCallee: m("CS2001", "error", "unknown layer or block \"{name}\""),
  unknownArgument: m("CS2002", "error", "{callee} has no argument \"{name}\""),
  missingArgument: m("CS2003", "error", "{callee} needs argument \"{name}\""),
  tooManyArguments: m("CS2004", "error", "{callee} takes at most {max} positional argument(s), got {count}"),
  duplicateArgument: m("CS2005", "error", "argument \"{name}\" of {callee} is given twice"),
  argumentType: m("CS2006", "error", "{callee}: {name} must be {expected}, got {actual}"),
  argumentRange: m("CS2007", "error", "{callee}: {name} = {value} {reason}"),
  unknownWord: m("CS2008", "error", "{callee}: {name} cannot be \"{value}\"; it is one of {allowed}"),
  unknownTensor: m("CS2009", "error", "unknown tensor \"{name}\""),
  duplicateBinding: m("CS2010", "error", "\"{name}\" is already bound in this {scope}"),
  duplicateLabel: m("CS2011", "error", "label \"{name}\" is used twice in this {scope}"),
  unknownBlockArgument: m("CS2012", "error", "block {block} has no parameter \"{name}\""),
  missingBlockArgument: m("CS2013", "error", "block {block} needs argument \"{name}\""),
  tooManyBlockArguments: m("CS2014", "error", "block {block} takes {max} argument(s), got {count}"),
  recursiveBlock: m("CS2015", "error", "block {block} uses itself: {cycle}"),
  badRepeat: m("CS2016", "error", "a repeat count must be an integer ≥ 0, got {value}"),
  zeroRepeat: m("CS2050", "warning", "{step} * {count} repeats nothing: the tensor passes through unchanged"),
  missingOutput: m("CS2017", "error", "{what} {name} has no output"),
  duplicateOutput: m("CS2018", "error", "{what} {name} has more than one output"),
  importNotFound: m("CS2019", "error", "cannot read \"{path}\": {reason}"),
  circularImport: m("CS2020", "error", "circular import: {cycle}"),
  duplicateBlock: m("CS2021", "error", "block {name} is defined twice"),
  duplicateModel: m("CS2022", "error", "model {name} is defined twice"),
  unusedTensor: m("CS2023", "warning", "\"{name}\" is bound but never used"),
  inputWithoutShape: m("CS2024", "error", "model input \"{name}\" needs a shape, e.g. input {name}: [3, 224, 224]"),
  blockInputCount: m("CS2025", "error", "block {block} must declare at least one input, it declares {count}"),
  badInputShape: m("CS2026", "error", "{what} \"{name}\": {reason}"),
  expressionError: m("CS2027", "error", "{reason}"),
  unknownName: m("CS2028", "error", "unknown name \"{name}\""),
  badMerge: m("CS2029", "error", "{callee}: {reason}"),
  badChainSource: m("CS2030", "error", "a chain starts with a tensor name or a merge, not {what} \"{name}\""),
  unknownQuantity: m("CS2031", "error", "unknown quantity \"{name}\" in assert"),
  unknownTarget: m("CS2032", "error", "no layer, block call or tensor named \"{name}\" in model {model}"),
  ambiguousTarget: m("CS2033", "error", "\"{name}\" names {count} layers in model {model}"),
  assertOutsideModel: m("CS2034", "error", "assert belongs in a model, not in block {block}"),
  modelWithoutInput: m("CS2035", "error", "model {name} declares no input"),
  duplicateParam: m("CS2036", "error", "block {block} declares parameter \"{name}\" twice"),
  blockShadowsLayer: m("CS2037", "error", "block {name} has the name of a built-in layer"),
  badAssert: m("CS2038", "error", "assert: {reason}"),
  noModel: m("CS2039", "warning", "{file} defines no model"),
  mergeArgument: m("CS2040", "error", "{callee}: operand {index} must be {expected}, got {what}"),
  namedBlockOutput: m("CS2041", "error", "block {block}: a block has one output, which takes no name (\"{name}\")"),
  deadLayers: m("CS2042", "warning", "{count} of model {model} {feed} no output and {are} left out of it: {names}"),
  unusedParam: m("CS2043", "warning", "{what} \"{name}\" is used by no output"),
  badAllow: m("CS2044", "error", "allow {code}: {reason}"),
  unusualPositional: m("CS2046", "warning", "{callee}: {name} = {value}, given by position, is not the small number {name} usually is"),
  blockInput: m("CS2048", "error", "block {block}: {what}"),
  blockResults: m("CS2047", "error", "block {block} gives {count} results ({names}): {what}"),
  importOutside: m("CS2045", "error", "cannot use \"{path}\": it is outside {root}, the folder of the main spec"),
  splitNames: m("CS2080", "error", "{what}"),

  // ── CS3xxx shapes and analysis ──────────────────────────────────────────────
  rankMismatch: m("CS3001", "error", "{layer}: {op} expects {expected}, got {shape} from {source}"),
  nonPositiveSize: m("CS3002", "error", "{layer}: output size along {axis} is {arith} = {out}; it must be at least 1"),
  kernelTooLarge: m("CS3003", "error", "{layer}: the kernel spans {keff} along {axis} but the padded input is only {padded} ({n} + {pb} + {pa})"),
  groupsMismatch: m("CS3004", "error", "{layer}: {what} {channels} is not divisible by groups={groups}"),
  denseRank: m("CS3005", "error", "{layer}: dense needs a rank-1 input, got {shape} from {source}"),
  mergeMismatch: m("CS3006", "error", "{layer}: {op} cannot combine {shapes}: {reason}"),
  transposedSame: m("CS3007", "error", "{layer}: padding=same with stride {stride} is ambiguous on a transposed conv"),
  reshapeMismatch: m("CS3008", "error", "{layer}: cannot reshape {shape} ({count} elements) into {target}"),
  droppedRows: m("CS3009", "warning", "{layer}: ({n} − {k} + {p})/{s} + 1 = {exact} → {out}; {what} of {n} {verb} never read"),
  axisCount: m("CS3010", "error", "{layer}: {name} gives {count} values but the input {shape} has {dims} spatial axes"),
  badAxis: m("CS3011", "error", "{layer}: axis {axis} is outside the {rank} axes of {shape}"),
  rfMisaligned: m("CS3012", "warning", "{layer}: the merged paths' receptive fields are not aligned ({details})"),
  assertFailed: m("CS3013", "error", "{text} failed: the left side is {actual}, the right side {expected}{gap}"),
  sizeTooLarge: m("CS3014", "error", "{layer}: output size {size} is beyond the exact integer range (2^53)"),
  badLayer: m("CS3015", "error", "{layer}: {reason}"),
  assertSkipped: m("CS3016", "info", "assert not checked: {reason}"),
  rfEmpty: m("CS3017", "warning", "{layer}: no output unit depends on the model input along {axis}: the windows read only zeros that a transposed conv inserted, so the output is the bias alone"),
  ignoredPadValue: m("CS3019", "warning", "{layer}: value={value} is ignored with mode={mode}, which pads {what}"),
  copiedPadTooLarge: m("CS3020", "error", "{layer}: {arg}={mode} pads {pad} along {axis}, but the input has {n} there; {rule}"),
  channelsLast: m("CS3018", "warning", "input {input} {shape} looks channels-last: {layer} reads its first axis, {channels}, as {channels} channels"),

  // ── CS40xx execution and verification ──────────────────────────────────────
  execFailed: m("CS4001", "error", "{layer} cannot run: {reason}"),
  badWeights: m("CS4002", "error", "{layer}: weights \"{param}\" have shape {given}, the layer needs {needed}"),
  unknownWeights: m("CS4003", "error", "{layer}: no parameter \"{param}\" (it has {known})"),
  badInput: m("CS4004", "error", "input \"{name}\": {reason}"),
  noKernel: m("CS4005", "error", "{layer}: the execution backend has no kernel for {family}"),
  memoryRefused: m("CS4006", "error", "model {model}: the {phase} needs about {need} at batch {batch}, more than the limit of {limit}"),
  verifyMismatch: m("CS4007", "error", "{layer}: predicted {quantity} {predicted}, measured {measured}"),
  noAnalysis: m("CS4008", "error", "model {model}: no static analysis to compare with ({reason})"),
  rfNotProbed: m("CS4009", "info", "{layer}: receptive field not measured: {reason}"),

  // ── CS48xx ONNX import ──────────────────────────────────────────────────────
  onnxUnreadable: m("CS4801", "error", "{file} is not a readable ONNX model: {reason}"),
  onnxUnmapped: m("CS4802", "warning", "ONNX {op} node \"{node}\" (inputs {shapes}) has no ConvSpec layer: {reason}"),
  onnxBadGraph: m("CS4803", "error", "{file}: {reason}"),
  onnxFoldedBatchnorm: m("CS4804", "info", "{count} convolution(s) carry a bias the exporter folded from batchnorm"),
  onnxExternalData: m("CS4805", "info", "{count} initializer(s) keep their data in external files, which are not read: their dims are enough"),
  onnxImportCompile: m("CS4806", "error", "the spec imported from {file} does not compile: {message}"),

  // ── CS49xx ONNX export ──────────────────────────────────────────────────────
  onnxUnsupported: m("CS4901", "error", "{layer}: cannot export to ONNX: {reason}"),
  onnxNoModel: m("CS4902", "error", "{file} has no model to export{detail}"),
  onnxTooLarge: m("CS4903", "error", "model {model} has {bytes} of weights, more than {what}"),

  // ── CS5xxx checks and budgets ───────────────────────────────────────────────
  configSyntax: m("CS5001", "error", "{file} is not valid JSON: {reason}"),
  configShape: m("CS5002", "error", "{file}: {reason}"),
  configUnknownBudget: m("CS5003", "error", "{file}: \"{name}\" (for {pattern}) is not a budget"),
  configBadValue: m("CS5004", "error", "{file}: {name} = {value} (for {pattern}): {reason}"),
  budgetExceeded: m("CS5005", "error", "{quantity} {actual} exceeds budget {limit} by {gap} ({percent})"),
  budgetBelow: m("CS5006", "error", "{quantity} {actual} is below the minimum {limit} by {gap} ({percent})"),
  budgetUnmeasurable: m("CS5007", "error", "{quantity} cannot be measured for model {model}: {reason}"),
  strictWarning: m("CS5008", "error", "warning treated as a failure (--strict): {message}"),

  // ── CS6xxx limits ───────────────────────────────────────────────────────────
  tooManyLayers: m("CS6001", "error", "the model would expand to {count} layers, more than the limit of {limit}"),
  nestingTooDeep: m("CS6002", "error", "block calls nest deeper than {limit}"),
  fileTooLarge: m("CS6003", "error", "{file} is {size} bytes, more than the limit of {limit}"),
  syntaxTooDeep: m("CS6004", "error", "expressions or lists nest deeper than {limit}"),
  integerTooLarge: m("CS6005", "error", "{value} is beyond the exact integer range ({limit})"),
  importTooDeep: m("CS6006", "error", "imports nest deeper than {limit}"),
  stopped: m("CS6007", "error", "compilation stopped: {reason}"),
  expressionTooLong: m("CS6008", "error", "an expression chains more than {limit} operators"),
  tooManyTokens: m("CS6009", "error", "{file} holds more than {limit} tokens{scope}"),
  importBudget: m("CS6010", "error", "cannot use \"{path}\": the imports would exceed {limit} {what}"),
} as const satisfies Record<string, MessageDef>;

export type MessageName = keyof typeof messages;
