/** `convspec diff` as a subprocess, and the alignment it rests on. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { align } from "../../src/diff/align.js";
import { runCli } from "../cli/run.js";

describe("align", () => {
  const keys = (s: string) => [...s].map((ch) => [ch, ch.toLowerCase(), "k"]);
  const show = (pairs: { a?: number; b?: number }[]) => pairs.map((p) => `${p.a ?? "-"}:${p.b ?? "-"}`).join(" ");

  it("an insertion in the middle leaves the rest paired in order", () => {
    expect(show(align(keys("abc"), keys("abxc")))).toBe("0:0 1:1 -:2 2:3");
  });
  it("a removal", () => {
    expect(show(align(keys("abc"), keys("ac")))).toBe("0:0 1:- 2:1");
  });
  it("a looser key pairs what the strict one could not (a changed layer)", () => {
    // `B` and `b` differ strictly but agree on the second key.
    expect(show(align(keys("aBc"), keys("abc")))).toBe("0:0 1:1 2:2");
  });
  it("empty sides", () => {
    expect(show(align([], keys("ab")))).toBe("-:0 -:1");
    expect(show(align(keys("a"), []))).toBe("0:-");
  });
});

describe("convspec diff specs/vgg16.cnn specs/vgg19.cnn", () => {
  // VGG-19 adds one 3×3 conv (and its ReLU) to each of the last three stages:
  // 3·3·256·256 + 256 = 590,080 and twice 3·3·512·512 + 512 = 2,359,808, so
  // 590,080 + 2 · 2,359,808 = 5,309,696 = 143,667,240 − 138,357,544 (REFERENCE.md).
  it("text: three added conv layers and a params delta of +5,309,696", () => {
    const r = runCli(["diff", "specs/vgg16.cnn", "specs/vgg19.cnn"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("vgg16 (specs/vgg16.cnn) → vgg19 (specs/vgg19.cnn)");
    expect(lines[1]).toBe("layers: 40 unchanged, 0 changed, 6 added, 0 removed");
    const addedConvs = lines.filter((l) => /^\+\s+\S+\s+conv2d\s/.test(l));
    expect(addedConvs).toHaveLength(3);
    expect(addedConvs.map((l) => l.split(/\s{2,}/)[3])).toEqual(["[256, 56, 56]", "[512, 28, 28]", "[512, 14, 14]"]);
    expect(addedConvs.map((l) => l.split(/\s{2,}/)[4])).toEqual(["+590,080", "+2,359,808", "+2,359,808"]);
    expect(lines.find((l) => l.startsWith("params "))).toMatch(/^params\s+138,357,544\s+143,667,240\s+\+5,309,696 \(\+3\.8%\)$/);
    // Receptive field at pool5: 212 → 268 (REFERENCE.md).
    expect(lines.find((l) => l.startsWith("rf "))).toMatch(/^rf\s+212\s+268\s+\+56/);
  });

  it("json and markdown say the same", () => {
    const j = JSON.parse(runCli(["diff", "specs/vgg16.cnn", "specs/vgg19.cnn", "--format", "json"]).stdout);
    expect(j.counts).toEqual({ same: 40, changed: 0, added: 6, removed: 0 });
    expect(j.totals.find((t: { name: string }) => t.name === "params")).toMatchObject({ a: 138_357_544, b: 143_667_240, delta: 5_309_696 });
    const added = j.layers.filter((l: { status: string; b?: { kind: string } }) => l.status === "added" && l.b?.kind === "conv2d");
    expect(added.map((l: { delta: { params: number } }) => l.delta.params)).toEqual([590_080, 2_359_808, 2_359_808]);
    const md = runCli(["diff", "specs/vgg16.cnn", "specs/vgg19.cnn", "--format", "markdown"]).stdout;
    expect(md.split("\n").filter((l) => l.startsWith("| `+` |") && l.includes("| conv2d |"))).toHaveLength(3);
    expect(md).toContain("| params | 138,357,544 | 143,667,240 | +5,309,696 (+3.8%) |");
  });
});

describe("convspec diff: one file, two models", () => {
  // Model b widens the labelled conv from 8 to 16 filters and drops the relu:
  // 3·3·3·8 + 8 = 224 → 3·3·3·16 + 16 = 448 params; 8·16·16·27 = 55,296 → 110,592 MACs.
  // The pooled vector grows from 8 to 16, so the head goes from 8·10 + 10 = 90 to 16·10 + 10 = 170.
  const text = `model a {
  input x: [3, 16, 16]
  output x -> conv2d(8, 3, padding=1) as body -> relu -> global_avgpool -> flatten -> dense(10) as head
}
model b {
  input x: [3, 16, 16]
  output x -> conv2d(16, 3, padding=1) as body -> global_avgpool -> flatten -> dense(10) as head
}
`;
  const dir = mkdtempSync(join(tmpdir(), "convspec-diff-"));
  writeFileSync(join(dir, "pair.cnn"), text);

  it("pairs labelled layers by label, shows what changed and what was removed", () => {
    const r = runCli(["diff", "pair.cnn", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const rows = j.layers.map((l: { status: string; a?: { name: string }; b?: { name: string } }) => `${l.status}:${l.a?.name ?? ""}>${l.b?.name ?? ""}`);
    expect(rows).toEqual(["changed:body>body", "removed:relu_1>", "changed:global_avgpool_1>global_avgpool_1", "changed:flatten_1>flatten_1", "changed:head>head"]);
    const body = j.layers[0];
    expect(body.fields).toEqual(["outputShape", "params", "macs", "activationBytes"]);
    expect(body.delta).toEqual({ params: 448 - 224, macs: 110_592 - 55_296, activationBytes: (16 - 8) * 16 * 16 * 4 });
    expect(j.layers[2].fields).toEqual(["outputShape", "activationBytes"]);
    expect(j.layers[4].fields).toEqual(["params", "macs"]);
    expect(j.layers[4].delta.params).toBe(170 - 90);
    expect(j.totals.find((t: { name: string }) => t.name === "params").delta).toBe(224 + 80);
    const text = runCli(["diff", "pair.cnn"], { cwd: dir }).stdout;
    expect(text).toMatch(/^~\s+body\s+conv2d\s+\[8, 16, 16\] → \[16, 16, 16\]\s+\+224\s+\+55,296\s+\+8,192\s+3$/m);
    expect(text).toMatch(/^-\s+relu_1\s+relu\s+\[8, 16, 16\]\s+0\s+0\s+-8,192\s+3$/m);
  });

  it("FILE#MODEL picks models; a file of many models needs one", () => {
    const r = runCli(["diff", "specs/seeds.cnn#seed_n6_k3", "specs/seeds.cnn#seed_n8_k3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^~\s+conv\s+conv2d\s+\[1, 4, 4\] → \[1, 6, 6\]/m);
    const bad = runCli(["diff", "specs/seeds.cnn", "specs/vgg16.cnn"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^convspec: specs\/seeds\.cnn has 8 models; name one as specs\/seeds\.cnn#MODEL/);
    expect(runCli(["diff", "specs/vgg16.cnn"]).code).toBe(2);
  });
});
