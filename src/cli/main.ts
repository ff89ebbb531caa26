/**
 * The `convspec` command. Commands load their modules only when run, so `analyze` never
 * pays for the execution backend. Exit codes: 0 ok, 1 the spec has errors or a check
 * fails, 2 the call is wrong, 3 an internal error (a bug: please report it).
 */
import { Command, CommanderError, Option } from "commander";
import { allowImportsFrom, EXIT, isUsageError, preloadOnnx, setAllowed } from "./io.js";
import { VERSION } from "./version.js";

/** The counting conventions, stated in `convspec analyze --help` (see docs/counting.md). */
const ANALYZE_CONVENTIONS = `
How convspec counts:
  params       weights + biases + batchnorm γ, β (PyTorch's sum(p.numel())); batchnorm running
               mean/var are buffers, reported separately as non-trainable
  MACs         conv: Cout·∏out·(Cin/groups)·∏K; transposed conv on INPUT positions:
               Cin·∏in·(Cout/groups)·∏K; dense: in·out (torchvision's "GFLOPS" are GMACs)
  FLOPs        2·MACs + bias adds + element-wise work (constants in docs/counting.md)
  memory       output bytes = batch·∏shape·dtype size; peak = most bytes live when each tensor is
               freed after its last use; training = params + grads + optimizer state + activations
  units        KiB/MiB/GiB = 1024
  RF           size/jump per spatial axis, in input pixels (Araujo et al., Distill 2019)
`;

function build(): Command {
  const program = new Command("convspec")
    .description("Design convolutional networks: exact shapes, parameters, MACs/FLOPs, memory and receptive fields.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    // A wrong call is one line: commander's "error: ..." with the way to help on the same line.
    .configureOutput({ outputError: (s, write) => write(`convspec: ${s.replace(/^error: /, "").trim()} (see convspec --help)\n`) });

  program
    .command("parse")
    .description("parse and expand specs; print each model's layer list (or the diagnostics)")
    .argument("<files...>", "spec files (.cnn) or ONNX models (.onnx, imported in memory); - reads standard input")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--strict", "treat warnings as errors")
    .action(async (files: string[], opts) => {
      await preloadOnnx(files);
      const { runParse } = await import("./parse.js");
      process.exitCode = runParse(files, opts);
    });

  const check = program
    .command("check")
    .description("check every assert and budget; exit 0 all hold, 1 one fails, 2 a spec or the call is invalid")
    .argument("<specs...>", "spec files, .onnx models, folders (searched for .cnn) or globs; - reads standard input")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json", "junit", "github"]).default("text"))
    .option("--strict", "warnings fail the check too")
    .option("--batch <n>", "batch size for MACs, FLOPs and memory", "1")
    .addOption(new Option("--dtype <type>", "element type").choices(["float32", "float16", "bfloat16", "int8"]).default("float32"))
    .addOption(new Option("--optimizer <name>", "optimizer state in the training-memory estimate").choices(["sgd", "momentum", "adam"]).default("sgd"))
    .option("--config <file>", "budgets file to use instead of the nearest convspec.json")
    .option("--no-config", "ignore convspec.json files");
  for (const [flag, what] of [
    ["--max-params", "parameters"], ["--max-macs", "multiply-accumulates"], ["--max-flops", "FLOPs"],
    ["--max-memory", "bytes of all forward activations"], ["--max-peak-memory", "peak bytes of live activations"],
    ["--max-training-memory", "training-memory estimate in bytes"], ["--min-rf", "receptive field, at least"],
  ]) check.option(`${flag} <n>`, `budget: ${what} (25M, 4G, 512MiB; the command line wins over convspec.json)`);
  check.action(async (specs: string[], opts) => {
    await preloadOnnx(specs);
    const { runCheck } = await import("./check.js");
    process.exitCode = runCheck(specs, opts);
  });

  program
    .command("diff")
    .description("layer-by-layer and total differences between two models")
    .argument("<a>", "spec file or .onnx model (FILE or FILE#MODEL); with one file, its two models are compared")
    .argument("[b]", "second spec file (FILE or FILE#MODEL)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--all", "list unchanged layers too")
    .option("--batch <n>", "batch size for MACs, FLOPs and memory", "1")
    .addOption(new Option("--dtype <type>", "element type").choices(["float32", "float16", "bfloat16", "int8"]).default("float32"))
    .action(async (a: string, b: string | undefined, opts) => {
      await preloadOnnx([a, b]);
      const { runDiff } = await import("./diff.js");
      process.exitCode = runDiff(a, b, opts);
    });

  program
    .command("analyze")
    .description("shapes, parameters, MACs/FLOPs, memory and receptive field of every layer; checks the spec's asserts")
    .argument("<files...>", "spec files (.cnn) or ONNX models (.onnx, imported in memory); - reads standard input")
    .option("--batch <n>", "batch size", "1")
    .option("--dtype <type>", "float32 | float16 | bfloat16 | int8", "float32")
    .option("--input <NAME=C,H,W>", "replace an input's shape (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--optimizer <name>", "sgd | momentum | adam (for the training-memory estimate)", "sgd")
    .option("--format <format>", "table | json | markdown | csv", "table")
    .option("--depth <n>", "nesting levels to show (1 = the model body); deeper block calls collapse into one row")
    .option("--strict", "treat warnings (e.g. dropped input rows) as errors")
    .addHelpText("after", ANALYZE_CONVENTIONS)
    .action(async (files: string[], opts) => {
      await preloadOnnx(files);
      const { runAnalyze } = await import("./analyze.js");
      process.exitCode = runAnalyze(files, opts);
    });

  program
    .command("export")
    .description("write a model with seeded weights as an ONNX file (opset 17) for Netron or any ONNX runtime")
    .argument("<file>", "spec file (.cnn); - reads standard input")
    .requiredOption("--onnx <out>", "the .onnx file to write")
    .option("--seed <n>", "seed of the weights (the same ones `verify --seed` runs)", "0")
    .option("--batch <n>", "batch size written into the input and output shapes", "1")
    .option("--model <name>", "which model, when the file defines several")
    .option("--force", "overwrite the output file if it exists (never a .cnn file or an input of the run)")
    .option("--max-memory <size>", "refuse a model whose weights take more than this (at most 2GiB, what an ONNX file holds)", "1GiB")
    .action(async (file: string, opts) => {
      await preloadOnnx([file]);
      const { runExport } = await import("./export.js");
      process.exitCode = runExport(file, opts);
    });

  program
    .command("import")
    .description("turn an ONNX model into a ConvSpec file (blocks for repeated sub-graphs); analyze/check/diff/verify also read .onnx directly")
    .argument("<model>", "the .onnx file")
    .option("-o, --output <file>", "the .cnn file to write (default: standard output)")
    .option("--force", "replace the output file if it exists")
    .option("--model <name>", "the model's name in the spec (default: from the file name)")
    .action(async (file: string, opts) => {
      const { runImport } = await import("./import.js");
      process.exitCode = runImport(file, opts);
    });

  program
    .command("verify")
    .description("run the model numerically and check every prediction per layer; exit 0 all agree, 1 a mismatch, 2 invalid or refused")
    .argument("<file>", "spec file (.cnn) or ONNX model (.onnx); - reads standard input")
    .option("--batch <n>", "batch size of the run", "1")
    .option("--input-scale <f>", "shrink spatial inputs by this factor (0 < f ≤ 1) for big models")
    .option("--max-memory <size>", "bytes the run (forward, probe) may allocate; more is refused up front (default: half the free memory, at most 4GiB)")
    .option("--seed <n>", "seed of weights and inputs")
    .option("--no-rf", "skip the receptive-field probe")
    .option("--reference", "run only the plain reference kernels (slower; no fast conv/dense)")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .action(async (file: string, opts) => {
      await preloadOnnx([file]);
      const { runVerify } = await import("./verify.js");
      process.exitCode = await runVerify(file, opts);
    });

  // --allow CODE (repeatable) on every command: those warnings are silenced for the whole run.
  for (const c of program.commands) c.option("--allow <code>", "silence a warning code for the whole run, e.g. CS3012 (repeatable)", (v: string, prev: string[] = []) => [...prev, v]);
  program.hook("preAction", (_program, action) => setAllowed((action.opts() as { allow?: string[] }).allow ?? []));
  // Every command that reads specs takes the import policy's one option.
  for (const c of program.commands) {
    c.option("--allow-imports-from <dir>", "also let `use` read files under DIR (imports stay in the spec's folder otherwise; repeatable)", (v: string, prev: string[] = []) => [...prev, v]);
  }
  program.hook("preAction", (_program, command) => {
    allowImportsFrom((command.opts().allowImportsFrom as string[] | undefined) ?? []);
  });
  program
    .command("diagram")
    .description("draw a model: a box per layer coloured by MACs, tensor shapes on the edges, block calls as frames (SVG or PNG)")
    .argument("<file>", "spec file (.cnn); - reads standard input")
    .option("-o, --output <out>", "the .svg or .png file to write (SVG goes to standard output without it)")
    .option("--format <format>", "svg | png (default: from the output's extension, else svg)")
    .option("--depth <n>", "nesting levels to show, as analyze (1 = the model body, each block call one box); deeper calls are one box")
    .option("--rf", "show each layer's receptive field (size/jump)")
    .option("--model <name>", "which model, when the file defines several")
    .option("--scale <f>", "PNG zoom factor (default 1)")
    .action(async (file: string, opts) => {
      const { runDiagram } = await import("./diagram.js");
      process.exitCode = await runDiagram(file, opts);
    });

  program
    .command("serve")
    .description("serve the web playground (built by `npm run web:build` into dist/web) on this machine")
    .option("--port <n>", "TCP port (0 picks a free one)", "8787")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .action(async (opts) => {
      const { runServe } = await import("./serve.js");
      process.exitCode = await runServe(opts);
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = build();
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // isUsageError, not instanceof: verify and export are loaded from dist/src by the bundle, with their own copy of UsageError.
    if (isUsageError(e)) {
      process.stderr.write(`convspec: ${e.message}\n`);
      return EXIT.usage;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`convspec: internal error: ${msg}\n(this is a bug in convspec; set CONVSPEC_DEBUG=1 for the stack)\n`);
    if (process.env.CONVSPEC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.internal;
  }
}
