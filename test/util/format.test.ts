import { expect, it } from "vitest";
import { groupDigits } from "../../src/util/format.js";

it("groups digits by thousands, exactly, beyond 2^53 too", () => {
  expect(groupDigits(0n)).toBe("0");
  expect(groupDigits(999)).toBe("999");
  expect(groupDigits(61706n)).toBe("61,706");
  expect(groupDigits(-1234)).toBe("-1,234");
  expect(groupDigits(15470264320n)).toBe("15,470,264,320");
  expect(groupDigits(2n ** 64n)).toBe("18,446,744,073,709,551,616");
  expect(groupDigits(1.5)).toBe("1.5");
});
