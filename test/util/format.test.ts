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

it("groups like Intl's en-US grouping for every length and sign (an independent formatter)", () => {
  for (let len = 1; len <= 25; len++) {
    for (const lead of ["1", "9"]) {
      const v = BigInt(lead + "0".repeat(len - 1)) + BigInt(len * 7);
      for (const x of [v, -v]) expect(groupDigits(x)).toBe(x.toLocaleString("en-US"));
    }
  }
  expect(groupDigits(1000n)).toBe("1,000");
  expect(groupDigits(-100000)).toBe("-100,000");
});
