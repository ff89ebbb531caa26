/**
 * `convspec diagram FILE [-o OUT.svg|OUT.png] [--format svg|png] [--depth N] [--rf] [--model NAME]`:
 * draws one model. SVG goes to standard output without -o; PNG is rendered by resvg and needs
 * -o. Never writes over the spec it reads or any .cnn file. Exit 0 drawn, 1 spec errors, 2 a bad call.
 */
import { realpathSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { analyze } from "../analysis/analyze.js";
import type { ModelAnalysis } from "../analysis/types.js";
import { diagramSvg } from "../diagram/index.js";
import { compileFile, EXIT, exitFor, printDiagnostics, UsageError } from "./io.js";

export interface DiagramCommandOptions {
  readonly output?: string;
  readonly format?: string;
  readonly depth?: string;
  readonly rf?: boolean;
  readonly model?: string;
  readonly scale?: string;
}

type Format = "svg" | "png";

/** svg or png: --format wins, then the output's extension, then svg. */
export function formatFor(output: string | undefined, format: string | undefined): Format {
  if (format !== undefined) {
    if (format !== "svg" && format !== "png") throw new UsageError(`--format must be svg or png, got "${format}"`);
    if (output && /\.(svg|png)$/i.test(output) && !output.toLowerCase().endsWith(`.${format}`)) {
      throw new UsageError(`--format ${format} disagrees with the output's extension (${basename(output)})`);
    }
    return format;
  }
  if (output?.toLowerCase().endsWith(".png")) return "png";
  if (output === undefined || output.toLowerCase().endsWith(".svg")) return "svg";
  throw new UsageError(`cannot tell the format of ${basename(output)}: name it .svg or .png, or give --format`);
}

/** Refuses an output that is a spec: any .cnn file, or the very file being read. */
export function checkOutput(output: string, input: string): void {
  if (/\.cnn$/i.test(output)) throw new UsageError(`refusing to write a diagram to ${output}: it is a .cnn spec`);
  if (input === "-") return;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  if (real(output) === real(input)) throw new UsageError(`refusing to write the diagram over its own input ${input}`);
}

function pickModel(models: readonly ModelAnalysis[], name: string | undefined, file: string): ModelAnalysis {
  const names = models.map((m) => m.name).join(", ");
  if (name === undefined) {
    if (models.length > 1) throw new UsageError(`${file} defines ${models.length} models (${names}); choose one with --model NAME`);
    return models[0]!;
  }
  const m = models.find((x) => x.name === name);
  if (!m) throw new UsageError(`${file} has no model ${name} (it has ${names})`);
  return m;
}

/** Renders SVG text to PNG bytes with resvg (loaded only here). */
export async function svgToPng(svg: string, scale = 1): Promise<{ png: Uint8Array; width: number; height: number }> {
  const { Resvg } = await import("@resvg/resvg-js");
  const r = new Resvg(svg, { fitTo: { mode: "zoom", value: scale }, background: "#ffffff", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans Mono" } });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height };
}

/** Runs the command; returns the exit code. */
export async function runDiagram(file: string, opts: DiagramCommandOptions): Promise<number> {
  const format = formatFor(opts.output, opts.format);
  if (opts.depth !== undefined && (!/^\d+$/.test(opts.depth) || Number(opts.depth) < 1)) throw new UsageError(`--depth must be a whole number ≥ 1, got "${opts.depth}"`);
  const scale = opts.scale === undefined ? 1 : Number(opts.scale);
  if (!(scale > 0 && scale <= 8)) throw new UsageError(`--scale must be a number in (0, 8], got "${opts.scale}"`);
  if (opts.output !== undefined) checkOutput(opts.output, file);
  if (format === "png" && opts.output === undefined) throw new UsageError("a PNG needs a file: -o OUT.png");

  const compiled = compileFile(file);
  printDiagnostics(compiled.diagnostics, compiled.sources);
  if (exitFor(compiled.diagnostics) !== EXIT.ok) return EXIT.specError;
  const r = analyze(compiled.graph, { sources: (x) => compiled.sources.get(x) });
  printDiagnostics(r.diagnostics, compiled.sources);
  if (exitFor(r.diagnostics) !== EXIT.ok) return EXIT.specError;
  if (r.models.length === 0) throw new UsageError(`${file} defines no model to draw`);
  const model = pickModel(r.models, opts.model, file);
  const svg = await diagramSvg(model, { ...(opts.depth !== undefined ? { depth: Number(opts.depth) } : {}), rf: opts.rf === true });

  if (opts.output === undefined) {
    process.stdout.write(svg);
    return EXIT.ok;
  }
  let bytes: Uint8Array | string = svg;
  let size = "";
  if (format === "png") {
    const p = await svgToPng(svg, scale);
    bytes = p.png;
    size = `, ${p.width}×${p.height} px`;
  }
  try {
    writeFileSync(opts.output, bytes);
  } catch (e) {
    throw new UsageError(`cannot write ${opts.output}: ${(e as Error).message}`);
  }
  process.stdout.write(`wrote ${opts.output}: model ${model.name}, ${format.toUpperCase()}${size}\n`);
  return EXIT.ok;
}
