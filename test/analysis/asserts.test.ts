/** Assertions against analysis results: values, comparisons, failure messages. */
import { describe, expect, test } from "vitest";
import { run } from "./helpers.js";

const model = (asserts: string) => run(`block pair(c) {
  input x
  output x -> conv2d(c, 3, padding=1) -> relu -> conv2d(c, 3, padding=1)
}
model t {
  input x: [3, 8, 8]
  output x -> pair(4) as p -> flatten -> dense(2) as head
${asserts}
}
`);

describe("asserts", () => {
  // pair: 4·3·9 + 4 = 112 and 4·4·9 + 4 = 148; head: 256·2 + 2 = 514; total 774
  test("model and per-target quantities pass", () => {
    const r = model([
      "  assert params == 774",
      "  assert params(p) == 112 + 148",
      "  assert params(head) == 514",
      "  assert trainable_params == params",
      "  assert shape(p) == [4, 8, 8]",
      "  assert rf(p) == 5",
      "  assert rf(p) == [5, 5]",
      "  assert layers(p) == 3",
      "  assert macs(head) == 512",
      "  assert memory(head) == 8",
      "  assert params < 1K",
      "  assert params != 775",
      "  assert shape(output) == [2]",
    ].join("\n"));
    expect(r.model.asserts.map((a) => a.pass)).toEqual(Array(13).fill(true));
    expect(r.diagnostics).toEqual([]);
  });
  test("a failure names the file and line, both values and the gap", () => {
    const r = model("  assert params == 700");
    const a = r.model.asserts[0]!;
    expect(a.pass).toBe(false);
    expect(a.message).toBe("t.cnn:8:3: assert params == 700 failed: the left side is 774, the right side 700; off by +74 (+10.6%)");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS3013"]);
  });
  test("a list failure shows the difference per axis; a number compares with every axis", () => {
    const r = model("  assert shape(p) == [4, 8, 9]\n  assert rf(p) == 3");
    expect(r.model.asserts.map((a) => a.pass)).toEqual([false, false]);
    expect(r.model.asserts[0]!.message).toContain("[0, 0, -1]");
    expect(r.model.asserts[1]!.message).toContain("[5, 5]");
  });
  test("list elements group their digits with '_', so [8, 12345] never reads as three axes '[8, 12,345]'", () => {
    const r = run("model m {\n  input t: [4, 12345]\n  output t -> conv1d(8, 1)\n  assert shape(output) == [8, 1000]\n  assert params == 1000\n}\n");
    expect(r.model.asserts[0]!.message).toBe("t.cnn:4:3: assert shape(output) == [8, 1000] failed: the left side is [8, 12_345], the right side [8, 1_000] (differences per axis: [0, 11_345])");
    // A number alone keeps its commas: params 4·8 + 8 = 40.
    expect(r.model.asserts[1]!.message).toBe("t.cnn:5:3: assert params == 1000 failed: the left side is 40, the right side 1,000; off by -960 (-96.0%)");
  });
  test("asserts are not checked in a model with errors", () => {
    const r = run("model t {\n  input x: [3, 4, 4]\n  output x -> conv2d(8, 7)\n  assert params == 1\n}");
    expect(r.model.asserts).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CS3003", "CS3016"]);
  });
});
