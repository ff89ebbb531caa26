/**
 * The `convspec` command. Commands load their modules only when run, so `analyze` never
 * pays for the execution backend. Exit codes: 0 ok, 1 the spec has errors or a check
 * fails, 2 the call is wrong, 3 an internal error (a bug: please report it).
 */
import { Command, CommanderError, Option } from "commander";
import { EXIT, UsageError } from "./io.js";
import { VERSION } from "./version.js";

function build(): Command {
  const program = new Command("convspec")
    .description("Design convolutional networks: exact shapes, parameters, MACs/FLOPs, memory and receptive fields.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run convspec --help for usage)")
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });

  program
    .command("parse")
    .description("parse and expand specs; print each model's layer list (or the diagnostics)")
    .argument("<files...>", "spec files (.cnn); - reads standard input")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--strict", "treat warnings as errors")
    .action(async (files: string[], opts) => {
      const { runParse } = await import("./parse.js");
      process.exitCode = runParse(files, opts);
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
    if (e instanceof UsageError) {
      process.stderr.write(`convspec: ${e.message}\n`);
      return EXIT.usage;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`convspec: internal error: ${msg}\n(this is a bug in convspec; set CONVSPEC_DEBUG=1 for the stack)\n`);
    if (process.env.CONVSPEC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.internal;
  }
}
