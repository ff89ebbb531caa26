/**
 * Generators of hostile specs and folders, one per attack of issue 15: each writes into a
 * fresh folder and returns the arguments that run it. Sizes are the ones that broke convspec
 * before (exit 134 out of memory, exit 3, hangs), scaled to stay under the current limits
 * where the point is that legal input must work.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";

export const MODEL = "model m {\n  input x: [1, 8, 8]\n  output x -> relu\n}\n";
export const BLOCK = "block b {\n  input x\n  output x -> relu\n}\n";

export function write(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** `use` of a device, a kernel file, a path above the spec's folder, and a link out of it. */
export function escapingImports(dir: string): void {
  write(dir, {
    "zero.cnn": `use "/dev/zero"\n${MODEL}`,
    "environ.cnn": `use "/proc/self/environ"\n${MODEL}`,
    "passwd.cnn": `use "../../../../../../etc/passwd"\n${MODEL}`,
    "link.cnn": `use "etc/passwd"\n${MODEL}`,
  });
  symlinkSync("/etc", join(dir, "etc"));
}

/** A named pipe used as an import and as the spec itself (opening it for reading would block). */
export function fifo(dir: string): void {
  execFileSync("mkfifo", [join(dir, "pipe.cnn")]);
  write(dir, { "uses-pipe.cnn": `use "pipe.cnn"\n${MODEL}` });
}

/** Two links to `.` and a file that imports itself through both: an exponential fan-out before. */
export function linkFanOut(dir: string): void {
  symlinkSync(".", join(dir, "l1"));
  symlinkSync(".", join(dir, "l2"));
  write(dir, { "a.cnn": `use "l1/a.cnn"\nuse "l2/a.cnn"\n${BLOCK}`, "main.cnn": `use "a.cnn"\n${MODEL}` });
}

/** `width` imported files from one spec (past the 256-file budget) and a chain `depth` deep. */
export function wideAndDeepImports(dir: string, width: number, depth: number): void {
  const files: Record<string, string> = {};
  let wide = "";
  for (let i = 0; i < width; i++) {
    files[`w/f${i}.cnn`] = `block b${i} {\n  input x\n  output x -> relu\n}\n`;
    wide += `use "w/f${i}.cnn"\n`;
  }
  files["wide.cnn"] = wide + MODEL;
  for (let i = 0; i < depth; i++) files[`d/d${i}.cnn`] = i + 1 < depth ? `use "d${i + 1}.cnn"\n` : BLOCK;
  files["deep.cnn"] = `use "d/d0.cnn"\n${MODEL}`;
  write(dir, files);
}

/** Many bad tokens on one line, a huge line with one mistake at its end, many newlines then failing asserts. */
export function bigDiagnostics(dir: string): void {
  write(dir, {
    "bad-tokens.cnn": `model m {\n  input x: [1, 8, 8]\n  output x -> relu ${"@ ".repeat(40_000)}\n}\n`,
    "huge-line.cnn": `model m {\n  input x: [1, 8, 8]\n  output x -> relu${" ".repeat(3_000_000)}@\n}\n`,
    "newlines.cnn": `model m {\n  input x: [1, 8, 8]\n  output x -> relu\n${"\n".repeat(1_000_000)}${"  assert params == 1\n".repeat(5_000)}}\n`,
  });
}

/** A 3 MB argument list (1 M arguments, under the 4 MiB file limit): 4 GB in the parser before. */
export function hugeArgumentList(dir: string): void {
  write(dir, { "args.cnn": `model m {\n  input x: [1, 8, 8]\n  output x -> conv2d(${"1, ".repeat(1_000_000)}1)\n}\n` });
}

/** Names that are properties of Object.prototype, in every position a name can take. */
export function prototypeNames(dir: string): void {
  write(dir, {
    "proto.cnn": `block hasOwnProperty(constructor = 4) {
  input __proto__
  toString = __proto__ -> conv2d(constructor, kernel=3, padding=1) as valueOf
  output toString -> relu
}
model toString {
  input constructor: [3, 8, 8]
  __proto__ = constructor -> hasOwnProperty(constructor=4) as isPrototypeOf
  valueOf = __proto__ -> relu as __defineGetter__
  output concat(valueOf, __proto__)
  assert shape(valueOf) == [4, 8, 8]
  assert params(isPrototypeOf) == 112
}
`,
  });
}

/** Collections past the ~120k elements that `f(...xs)` can spread: layers, merge operands. */
export function wideCollections(dir: string): void {
  const operands = Array.from({ length: 30_000 }, () => "x").join(", ");
  write(dir, {
    "layers.cnn": "model m {\n  input x: [1, 4, 4]\n  output x -> relu * 150000\n}\n",
    "merge.cnn": `model m {\n  input x: [1, 4, 4]\n  output concat(${operands})\n}\n`,
  });
}
