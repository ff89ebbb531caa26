/**
 * The playground's pure parts, in Node: share links, the analysis the worker runs (same
 * numbers and diagnostics as the CLI), and the convolution arithmetic with hand-worked numbers.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeText, answerText, diagramAt, EDITOR_FILE } from "../../web/analysis.js";
import { pack, same, unpack } from "../../web/delta.js";
import { openMailbox, post, take } from "../../web/mailbox.js";
import { formulaLines, layerWindows, taps, arithSvg } from "../../web/arith.js";
import { decodeSpec, encodeSpec, hashFor, specFromHash } from "../../web/share.js";
import { runCli } from "../cli/run.js";
import { XMLValidator } from "fast-xml-parser";

const files: Record<string, string> = {};
for (const f of ["specs/lib/resnet.cnn", "specs/lib/vgg.cnn"]) files[f] = readFileSync(f, "utf8");

describe("share links", () => {
  it("round-trips UTF-8 text through base64url without padding", () => {
    const text = "# Größe × 2 — ünïcödé 🙂\nmodel m {\n  input x: [3, 8, 8]\n  output x -> relu\n}\n";
    const code = encodeSpec(text);
    expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSpec(code)).toBe(text);
    expect(specFromHash(hashFor(text))).toBe(text);
  });
  it("matches RFC 4648's base64url of the UTF-8 bytes", () => {
    // "ab?>" is 0x61 0x62 0x3f 0x3e: base64 "YWI/Pg==", base64url "YWI_Pg".
    expect(encodeSpec("ab?>")).toBe("YWI_Pg");
    expect(Buffer.from(encodeSpec("€ x"), "base64url").toString("utf8")).toBe("€ x");
  });
  it("ignores what is not a spec", () => {
    expect(specFromHash("")).toBeUndefined();
    expect(specFromHash("#other=1")).toBeUndefined();
    expect(specFromHash("#spec=***")).toBeUndefined();
    expect(decodeSpec("_w")).toBeUndefined(); // the byte 0xff is not UTF-8
  });
});

describe("the worker's analysis", () => {
  it("gives LeNet-5's published totals", () => {
    const r = analyzeText(readFileSync("specs/lenet5.cnn", "utf8"), files);
    expect(r.diagnostics).toEqual([]);
    const m = r.models[0]!;
    expect(m.total[3]).toBe("61,706"); // LeCun et al. 1998, and LANGUAGE.md's assert
    expect(m.total[4]).toBe("416,520");
    expect(m.rows.filter((x) => x.node !== undefined).length).toBe(13);
    expect(m.summary[0]).toContain("params 61,706 (trainable 61,706)");
  });
  it("resolves the examples' imports from memory: ResNet-50 has 25,557,032 params", () => {
    const r = analyzeText(readFileSync("specs/resnet50.cnn", "utf8"), files);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.models[0]!.total[3]).toBe("25,557,032"); // torchvision's resnet50
  });
  it("reports a broken spec exactly as the CLI does", () => {
    const text = "model m {\n  input x: [3, 8, 8]\n  output x -> conv2d(16, kernal=3)\n}\n";
    const r = analyzeText(text, files);
    const cli = runCli(["analyze", "-"], { input: text });
    expect(cli.code).toBe(1);
    const d = r.diagnostics.find((x) => x.code === "CS2002")!;
    expect(d.message).toBe('conv2d has no argument "kernal"');
    expect(d.hint).toBe('did you mean "kernel"?');
    expect(text.slice(d.from, d.to)).toBe("kernal");
    expect(cli.stderr).toContain(d.rendered.replaceAll(EDITOR_FILE, "<stdin>"));
  });
});

function layerOf(spec: string, name: string) {
  const m = analyzeText(spec, files).models[0]!;
  return { layer: m.layers.find((l) => l.name === name)!, model: m };
}

describe("answers sent as changes (delta.ts)", () => {
  const text = readFileSync("specs/resnet18.cnn", "utf8");
  // The classifier's width 1000 -> 10: only the fc row, the totals and the fc layer change.
  const fc = /dense\(1000\)/.exec(text);
  it("rebuilds the worker's answer exactly, sending only what changed", () => {
    expect(fc, "resnet18.cnn's classifier").not.toBeNull();
    const before = answerText(2, text, files, 0).response;
    const after = answerText(3, text.replace(fc![0], "dense(10)"), files, 0).response;
    const packed = pack(before, after);
    expect(unpack(before, packed)).toEqual(after);
    const m = packed.models[0]!;
    const a = after.models[0]!;
    const b = before.models[0]!;
    // The rows sent are exactly those whose cells differ (compared as text here).
    const differ = a.rows.map((r, i) => r.cells.join("|") !== b.rows[i]!.cells.join("|"));
    expect(differ.filter(Boolean).length).toBeGreaterThan(0);
    expect(m.rows.map((r) => r !== null)).toEqual(differ);
    expect(m.rows.filter((r) => r !== null).map((r) => r!.cells[1])).toEqual(["dense"]);
    expect(m.layers.filter((l) => l !== null).map((l) => l!.kind)).toEqual(["dense"]);
    expect(m.total).toEqual(a.total);
    // A first answer (nothing sent before) goes whole.
    expect(pack(undefined, after).models[0]!.rows.every((r) => r !== null)).toBe(true);
    expect(unpack(undefined, pack(undefined, after))).toEqual(after);
  });
  it("compares plain data by value, bigints and key sets included", () => {
    expect(same({ a: [1, 2n, "x"], b: { c: true } }, { a: [1, 2n, "x"], b: { c: true } })).toBe(true);
    expect(same(2n, 2)).toBe(false);
    expect(same({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(same({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false);
    expect(same([1], { 0: 1 })).toBe(false);
    expect(same([1, 2], [1, 2, 3])).toBe(false);
    expect(same(null, {})).toBe(false);
  });
  it("refuses a change list that does not fit the previous answer", () => {
    const r = answerText(2, text, files, 0).response;
    expect(() => unpack(undefined, pack(r, r))).toThrow("answer 2 is changes to answer 2, not to undefined");
    expect(() => unpack({ ...r, models: [] }, pack(r, r))).toThrow(/"as before", but there is no such one before/);
  });
});

describe("the mailbox (shared memory for the worker's newest answer)", () => {
  const text = readFileSync("specs/resnet18.cnn", "utf8");
  it("hands over an answer whole, bigints included, and only a newer one", () => {
    const box = openMailbox(new SharedArrayBuffer(1 << 20));
    expect(take(box, 0)).toBeUndefined(); // nothing written yet
    const first = answerText(2, text, files, 0).response;
    const packed = pack(undefined, first);
    expect(post(box, packed)).toBe(true);
    const got = take(box, 0)!;
    expect(got).toEqual(JSON.parse(JSON.stringify(packed)));
    expect(unpack(undefined, got)).toEqual(first);
    expect(take(box, 2)).toBeUndefined(); // the page has it already
    const second = answerText(3, text.replace("dense(1000)", "dense(10)"), files, 0).response;
    post(box, pack(first, second));
    expect(unpack(first, take(box, 2)!)).toEqual(second);
  });
  it("gives nothing while the worker writes, or when the answer does not fit or is not JSON", () => {
    const box = openMailbox(new SharedArrayBuffer(64));
    const r = answerText(2, text, files, 0).response;
    expect(post(box, pack(undefined, r))).toBe(false);
    expect(take(box, 0)).toBeUndefined();
    const big = openMailbox(new SharedArrayBuffer(1 << 20));
    const layer = r.models[0]!.layers[0]!;
    const withBigint = { ...r, models: [{ ...r.models[0]!, layers: [{ ...layer, args: { ...layer.args, out: 2n ** 64n } }] }] };
    expect(post(big, pack(undefined, withBigint))).toBe(false); // the message carries it (structured clone has bigints)
    expect(take(big, 0)).toBeUndefined();
    Atomics.store(box.header, 0, 0); // the sequence lock: 0 while the worker writes
    expect(take(box, -1)).toBeUndefined();
  });
});

describe("convolution arithmetic", () => {
  it("AlexNet conv1: (227 − 11 + 2·0)/4 + 1 = 55", () => {
    const { layer } = layerOf(readFileSync("specs/alexnet.cnn", "utf8"), "conv1");
    const geo = layerWindows(layer)!;
    expect(formulaLines(geo)).toEqual(["H, W: (N − K + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55"]);
  });
  it("ResNet-18 conv1 rounds down: (224 − 7 + 2·3)/2 + 1 = 112.5 → 112", () => {
    const { layer, model } = layerOf(readFileSync("specs/resnet18.cnn", "utf8"), "conv2d_1");
    const geo = layerWindows(layer)!;
    expect(formulaLines(geo)).toEqual(["H, W: (N − K + 2P)/S + 1 = (224 − 7 + 2·3)/2 + 1 = 112.5 → 112"]);
    // Output (0,1) reads input columns 2·1 − 3 + k for k = 0..6: −1 … 5.
    expect(taps(geo[1]!, 1)).toEqual([-1, 0, 1, 2, 3, 4, 5]);
    const svg = arithSvg(layer, geo, model.inputSpatial);
    expect(XMLValidator.validate(svg)).toBe(true);
    // 7×7 taps for each of the three units drawn, clipped to the 18×18 corner shown.
    expect(svg.match(/class="tap" data-unit="0,0"/g)!.length).toBe(49);
    // Output (0,0)'s field on the input: 7 wide, centred at 0 (start = −3 + 3).
    expect(svg).toContain("receptive field of output (0,0): 7×7 of the model's input 224×224");
  });
  it("a dilated conv: Keff = 2·(3 − 1) + 1 = 5; ⌊(32 + 2 + 2 − 5)/1⌋ + 1 = 32", () => {
    const spec = "model m {\n  input x: [1, 32, 32]\n  output x -> conv2d(4, 3, padding=[[2, 2], [1, 1]], dilation=2)\n}\n";
    const { layer } = layerOf(spec, "conv2d_1");
    const lines = formulaLines(layerWindows(layer)!);
    expect(lines).toEqual([
      "H: ⌊(N + Pb + Pa − Keff)/S⌋ + 1 = ⌊(32 + 2 + 2 − (2·(3 − 1) + 1))/1⌋ + 1 = ⌊31/1⌋ + 1 = 32",
      "  dilated kernel: Keff = D·(K − 1) + 1 = 2·(3 − 1) + 1 = 5",
      "W: ⌊(N + Pb + Pa − Keff)/S⌋ + 1 = ⌊(32 + 1 + 1 − (2·(3 − 1) + 1))/1⌋ + 1 = ⌊29/1⌋ + 1 = 30",
      "  dilated kernel: Keff = D·(K − 1) + 1 = 2·(3 − 1) + 1 = 5",
    ]);
  });
  it("no panel for layers without a forward window", () => {
    const { layer } = layerOf(readFileSync("specs/lenet5.cnn", "utf8"), "dense_1");
    expect(layerWindows(layer)).toBeUndefined();
  });
});

describe("the playground's diagram depth", () => {
  it("auto keeps big models to at most 120 boxes by collapsing block calls", () => {
    const r50 = analyzeText(readFileSync("specs/resnet50.cnn", "utf8"), files).analyses[0]!;
    // 175 layers + input + output would be 177 boxes: auto draws each block call as one box.
    const auto = diagramAt(r50, "auto");
    expect(auto.diagramDepth).toBe(1);
    expect(auto.diagram.boxes.length).toBeLessThanOrEqual(120);
    expect(diagramAt(r50, "all").diagram.boxes.length).toBe(177);
    const lenet = diagramAt(analyzeText(readFileSync("specs/lenet5.cnn", "utf8"), files).analyses[0]!, "auto");
    expect(lenet.diagramDepth).toBe(Infinity);
    expect(lenet.diagram.boxes.length).toBe(15);
  });
});
