import { describe, expect, test } from "vitest";
import { rulesOf, schemas } from "../../src/families/registry.js";

describe("registry", () => {
  test("every layer family has analysis rules", () => {
    expect(schemas.filter((s) => !rulesOf(s.family)).map((s) => s.family)).toEqual([]);
  });
  test("an unknown family has none", () => {
    expect(rulesOf("toString")).toBeUndefined();
    expect(rulesOf("nope")).toBeUndefined();
  });
});
