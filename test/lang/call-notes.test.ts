/**
 * Errors found while expanding a block body (a repeat count, an argument computed from the
 * block's parameters, ...) name the call that made them, as analysis-time ones do
 * ("in the call of block X that made X_3"), for nested calls too (innermost first). The same
 * mistake made by several calls is reported once, with a note for each call.
 */
import { describe, expect, test } from "vitest";
import { compile } from "../../src/graph/compile.js";
import { lineCol } from "../../src/diagnostics/render.js";

/** Each diagnostic as code, message and its notes as `line:col message`. */
function notes(text: string): { code: string; message: string; notes: string[] }[] {
  const c = compile({ file: "t.cnn", text });
  return c.diagnostics.map((d) => ({
    code: d.code, message: d.message,
    notes: (d.related ?? []).map((r) => { const p = lineCol(text, r.span.start); return `${p.line}:${p.col} ${r.message}`; }),
  }));
}

describe("call notes on expansion errors", () => {
  test("CS2016 from * n, the count an argument of the call (blind finding 1's repro)", () => {
    const text = "block b(c, n) {\n  input x\n  output x -> conv2d(c, 3, padding=1) * (n - 1)\n}\nmodel m {\n  input x: [3, 16, 16]\n  y = x -> b(8, 2)\n  output y -> b(8, 0)\n}\n";
    expect(notes(text)).toEqual([{ code: "CS2016", message: "a repeat count must be an integer ≥ 0, got -1", notes: ["8:15 in the call of block b that made b_2"] }]);
  });

  test("CS2006 for conv2d(c / 3, 3) in a block called b(8): 8 / 3, with the call named", () => {
    const text = "block b(c) {\n  input x\n  output x -> conv2d(c / 3, 3)\n}\nmodel m {\n  input x: [3, 16, 16]\n  output x -> b(9) -> b(8)\n}\n";
    expect(notes(text)).toEqual([{
      code: "CS2006", message: "conv2d: out_channels must be an integer ≥ 1, got the number 2.6666666666666665",
      notes: ["7:23 in the call of block b that made b_2"],
    }]);
  });

  test("nested calls: the chain of calls, innermost first; a second call with the same mistake is noted 'also'", () => {
    const text = `block ir(c, n) {
  input x
  output x -> conv2d(c, 3, padding=1) * (n - 2)
}
block stage(c, n) {
  input x
  output x -> ir(c, n) -> ir(c, 3)
}
model m {
  input x: [3, 16, 16]
  a = x -> stage(8, 3)
  b = x -> stage(8, 1)
  c = x -> stage(8, 1)
  output concat(a, b, c)
}
`;
    // stage(8, 3) makes ir_1, ir_2 (counts 1 and 1); stage(8, 1) makes ir_3 (count -1, fails), ir_4 never: the chain stopped.
    expect(notes(text)).toEqual([{
      code: "CS2016", message: "a repeat count must be an integer ≥ 0, got -1",
      notes: [
        "7:15 in the call of block ir that made ir_3",
        "12:12 in the call of block stage that made stage_2",
        "7:15 also in the call of block ir that made ir_4",
        "13:12 in the call of block stage that made stage_3",
      ],
    }]);
  });

  test("ten calls with the same mistake: eight notes, then a count of the rest", () => {
    const calls = Array.from({ length: 10 }, (_, i) => `  y${i} = x -> b(0)\n`).join("");
    const text = `block b(n) {\n  input x\n  output x -> relu * (n - 1)\n}\nmodel m {\n  input x: [3, 16, 16]\n${calls}  output concat(${Array.from({ length: 10 }, (_, i) => `y${i}`).join(", ")})\n}\n`;
    const [d, ...rest] = notes(text);
    expect(rest).toEqual([]);
    expect(d!.notes).toEqual([
      "7:13 in the call of block b that made b_1",
      ...Array.from({ length: 7 }, (_, i) => `${8 + i}:13 also in the call of block b that made b_${i + 2}`),
      "15:13 and 2 more calls",
    ]);
  });

  test("an error in the call's own arguments points at the call, with no note", () => {
    const text = "block b(c) {\n  input x\n  output x -> conv2d(c, 3)\n}\nmodel m {\n  input x: [3, 16, 16]\n  output x -> b(8, 2)\n}\n";
    expect(notes(text)).toEqual([{ code: "CS2014", message: "block b takes 1 argument(s), got 2", notes: [] }]);
  });
});
