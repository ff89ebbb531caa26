/**
 * PyTorch syntax written in a spec (`nn.Conv2d(3, 64, 3)`), as people coming from PyTorch
 * do: the ConvSpec form, for a hint. ConvSpec infers input channels and features, so the
 * first argument of a conv, linear or norm constructor goes.
 */

/** PyTorch module class → ConvSpec layer, and whether its first argument is the input size. */
const CLASSES: Readonly<Record<string, readonly [string, boolean]>> = {
  Conv1d: ["conv1d", true], Conv2d: ["conv2d", true], Conv3d: ["conv3d", true],
  ConvTranspose1d: ["deconv1d", true], ConvTranspose2d: ["deconv2d", true], ConvTranspose3d: ["deconv3d", true],
  Linear: ["dense", true], BatchNorm1d: ["batchnorm", true], BatchNorm2d: ["batchnorm", true], BatchNorm3d: ["batchnorm", true],
  LayerNorm: ["layernorm", true],
  MaxPool1d: ["maxpool1d", false], MaxPool2d: ["maxpool2d", false], MaxPool3d: ["maxpool3d", false],
  AvgPool1d: ["avgpool1d", false], AvgPool2d: ["avgpool2d", false], AvgPool3d: ["avgpool3d", false],
  AdaptiveAvgPool1d: ["adaptive_avgpool", false], AdaptiveAvgPool2d: ["adaptive_avgpool", false], AdaptiveAvgPool3d: ["adaptive_avgpool", false],
  AdaptiveMaxPool2d: ["adaptive_maxpool", false], ReLU: ["relu", false], ReLU6: ["relu6", false], LeakyReLU: ["leaky_relu", false],
  ELU: ["elu", false], GELU: ["gelu", false], SiLU: ["silu", false], Sigmoid: ["sigmoid", false], Tanh: ["tanh", false],
  Hardswish: ["hardswish", false], Hardsigmoid: ["hardsigmoid", false], Softmax: ["softmax", false], Dropout: ["dropout", false],
  Dropout2d: ["dropout", false], Flatten: ["flatten", false], Identity: ["identity", false], Upsample: ["upsample", false],
  LocalResponseNorm: ["lrn", false], ZeroPad2d: ["zeropad", false],
  PReLU: ["prelu", false], Mish: ["mish", false], Softplus: ["softplus", false],
};

const RENAMED: Readonly<Record<string, string>> = {
  kernel_size: "kernel", negative_slope: "slope", scale_factor: "scale", dim: "axis", out_features: "units", output_size: "output_size",
  ceil_mode: "ceil", count_include_pad: "count_pad", num_heads: "heads", num_groups: "groups",
};

/** PyTorch argument names ConvSpec does without: what the input already says, or what does not apply. */
const DROPPED: Readonly<Record<string, string>> = {
  in_channels: "input channels are inferred from the tensor piped in", in_features: "input features are inferred from the tensor piped in",
  num_features: "the channel count is inferred from the tensor piped in", num_channels: "the channel count is inferred from the tensor piped in",
  embed_dim: "the embedding size is the input's channel count", inplace: "ConvSpec has no in-place operations", start_dim: "flatten keeps every axis after the (absent) batch axis",
};

/**
 * A hint for an argument a layer does not take, when it is PyTorch's name: the ConvSpec name
 * (when the layer takes it), or why it is not written. Undefined for other names.
 */
export function pytorchArgumentHint(name: string, takes: readonly string[]): string | undefined {
  const renamed = RENAMED[name];
  if (renamed !== undefined && renamed !== name && takes.includes(renamed)) return `PyTorch's ${name} is ${renamed} in ConvSpec: write ${renamed}=...`;
  const why = DROPPED[name];
  return why === undefined ? undefined : `delete it: ${why}`;
}

/** Splits `3, 64, kernel_size=(3, 3)` at the top-level commas. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = "";
  for (const ch of text) {
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/** One PyTorch argument in ConvSpec: tuples become lists, True/False lower case. */
function convertArg(arg: string): string | undefined {
  const m = /^([A-Za-z_]\w*)\s*=\s*([\s\S]*)$/.exec(arg);
  const value = (m ? m[2]! : arg).replace(/\(/g, "[").replace(/\)/g, "]").replace(/\bTrue\b/g, "true").replace(/\bFalse\b/g, "false").replace(/'|"/g, "");
  if (!m) return value;
  if (m[1] === "inplace" || m[1] === "in_channels" || m[1] === "in_features" || m[1] === "num_features") return undefined;
  return `${RENAMED[m[1]!] ?? m[1]}=${value}`;
}

/**
 * The ConvSpec form of a PyTorch constructor call, e.g. `Conv2d` with `3, 64, 3` →
 * `conv2d(64, 3)`; undefined when `cls` is not a module class convspec knows.
 */
export function convSpecForm(cls: string, argsText: string | undefined): string | undefined {
  const known = CLASSES[cls];
  if (!known) return undefined;
  const [name, dropsFirst] = known;
  let args = argsText === undefined ? [] : splitArgs(argsText);
  if (dropsFirst && args.length > 0 && !args[0]!.includes("=")) args = args.slice(1);
  const converted = args.flatMap((a) => convertArg(a) ?? []);
  // A norm's remaining positional argument would be eps: keep only named ones there.
  const kept = name === "batchnorm" || name === "layernorm" ? converted.filter((a) => a.includes("=")) : converted;
  return kept.length === 0 ? name : `${name}(${kept.join(", ")})`;
}

/** The hint for PyTorch's `cls(args)`: the ConvSpec form and why it differs. */
export function pytorchHint(cls: string, argsText: string | undefined): string | undefined {
  const form = convSpecForm(cls, argsText);
  if (!form) return undefined;
  const inferred = CLASSES[cls]![1] ? "; input channels and features are inferred from the tensor piped in" : "";
  return `this is PyTorch's ${cls}; in ConvSpec write ${form}${inferred}`;
}

/** `nn.Conv2d(...)` and `torch.nn.Conv2d(...)` in spec text: where, the class, the argument text. */
export function pytorchCalls(text: string): { start: number; end: number; prefixEnd: number; cls: string; args: string | undefined }[] {
  const out: { start: number; end: number; prefixEnd: number; cls: string; args: string | undefined }[] = [];
  for (const m of text.matchAll(/\b(?:torch\.)?nn\.([A-Za-z_]\w*)(?:\(([^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\))?/g)) {
    // Not in a comment (a spec may well quote PyTorch there).
    if (text.slice(text.lastIndexOf("\n", m.index!) + 1, m.index!).includes("#")) continue;
    const prefix = m[0].indexOf(m[1]!);
    out.push({ start: m.index!, end: m.index! + m[0].length, prefixEnd: m.index! + prefix, cls: m[1]!, args: m[2] });
  }
  return out;
}
