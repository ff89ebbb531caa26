/**
 * `convspec diagram` as a user runs it (the built CLI): SVG and PNG files, refusals to write
 * over specs, diagnostics for a broken spec, and `analyze` staying free of the drawing code.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../cli/run.js";
import { tempDir } from "../tmp.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("convspec diagram", () => {
  it("writes an SVG with every layer of specs/resnet18.cnn", () => {
    const out = join(tempDir("diagram-"), "r18.svg");
    const r = runCli(["diagram", "specs/resnet18.cnn", "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: model resnet18, SVG\n`);
    const svg = readFileSync(out, "utf8");
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="box (layer|merge)"/g)!.length).toBe(69);
    expect(svg).toContain(">64×112×112</text>");
  });

  it("writes a PNG whose size is the SVG's", () => {
    const dir = tempDir("diagram-");
    expect(runCli(["diagram", "specs/lenet5.cnn", "-o", join(dir, "l.svg")]).code).toBe(0);
    const r = runCli(["diagram", "specs/lenet5.cnn", "-o", join(dir, "l.png")]);
    expect(r.code).toBe(0);
    const png = readFileSync(join(dir, "l.png"));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const m = /width="(\d+)" height="(\d+)"/.exec(readFileSync(join(dir, "l.svg"), "utf8"))!;
    expect([w, h]).toEqual([Number(m[1]), Number(m[2])]);
    // 13 layers stacked top to bottom: taller than wide, and far from degenerate.
    expect(w).toBeGreaterThan(200);
    expect(h).toBeGreaterThan(13 * 30);
    expect(r.stdout).toBe(`wrote ${join(dir, "l.png")}: model lenet5, PNG, ${w}×${h} px\n`);
  });

  it("prints the SVG when no file is named", () => {
    const r = runCli(["diagram", "-"], { input: "model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(4, 3) -> relu\n}\n" });
    expect(r.code).toBe(0);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    expect(r.stdout).toContain(">conv2d_1 · conv2d</text>");
    expect(r.stdout).toContain(">4×6×6</text>"); // (8 − 3)/1 + 1 = 6
  });

  it("never writes over a spec", () => {
    const dir = tempDir("diagram-");
    const spec = join(dir, "lenet5.cnn");
    copyFileSync(join(ROOT, "specs/lenet5.cnn"), spec);
    const before = readFileSync(spec, "utf8");
    const own = runCli(["diagram", spec, "-o", spec, "--format", "svg"]);
    expect(own.code).toBe(2);
    expect(own.stderr).toContain("it is a .cnn spec");
    const other = join(dir, "lenet5.svg");
    writeFileSync(other, "x");
    const self = runCli(["diagram", other, "-o", other]);
    expect(self.code).toBe(2);
    expect(self.stderr).toBe(`convspec: refusing to write the diagram over its own input ${other}\n`);
    expect(readFileSync(spec, "utf8")).toBe(before);
    expect(readFileSync(other, "utf8")).toBe("x");
  });

  it("refuses a bad call with one line and exit 2", () => {
    expect(runCli(["diagram", "specs/lenet5.cnn", "--format", "png"]).stderr).toBe("convspec: a PNG needs a file: -o OUT.png\n");
    expect(runCli(["diagram", "specs/lenet5.cnn", "-o", "x.jpg"]).stderr).toContain("name it .svg or .png");
    expect(runCli(["diagram", "specs/lenet5.cnn", "--depth", "0"]).stderr).toBe('convspec: --depth must be a whole number ≥ 1, got "0"\n');
  });

  it("reports a broken spec with its coded diagnostic and draws nothing", () => {
    const dir = tempDir("diagram-");
    const r = runCli(["diagram", "-", "-o", join(dir, "x.svg")], { input: "model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(16, kernal=3)\n}\n" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("<stdin>:3:26: error CS2002: conv2d has no argument \"kernal\"");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps the layout engine and renderer out of analyze's bundle", () => {
    const bundle = join(ROOT, "dist/bundle");
    for (const f of readdirSync(bundle)) {
      const text = readFileSync(join(bundle, f), "utf8");
      for (const heavy of ["elkjs", "@resvg", "codemirror", "ELK", "vite"]) expect(text.includes(heavy), `${f} mentions ${heavy}`).toBe(false);
    }
  });
});

describe("the README's pictures", () => {
  it("docs/resnet50.svg and docs/resnet18.svg are what the commands draw today", () => {
    const r50 = runCli(["diagram", "specs/resnet50.cnn", "--depth", "1"]);
    expect(r50.code).toBe(0);
    expect(r50.stdout).toBe(readFileSync(join(ROOT, "docs/resnet50.svg"), "utf8"));
    const r18 = runCli(["diagram", "specs/resnet18.cnn"]);
    expect(r18.stdout).toBe(readFileSync(join(ROOT, "docs/resnet18.svg"), "utf8"));
  });
});
