/**
 * grid() draws what the `table` package draws, byte for byte: on every bundled model's report
 * (plain and coloured), and on random cells, alignments and both border styles.
 */
import fc from "fast-check";
import { table } from "table";
import { describe, expect, it } from "vitest";
import { grid, PLAIN_GRID, tableConfig, type GridOptions } from "../../src/report/grid.js";
import { REPORT_GRID, reportCells } from "../../src/report/text.js";
import { load, specFiles } from "../zoo/load.js";

describe("grid() against table()", () => {
  it("every zoo report, plain and coloured", () => {
    for (const file of specFiles()) {
      for (const m of load(file).models) {
        for (const color of [false, true]) {
          const cells = reportCells(m, { color });
          expect(grid(cells, REPORT_GRID), `${file} ${m.name} color=${color}`).toBe(table(cells, tableConfig(REPORT_GRID)));
        }
      }
    }
  });

  it("random cells (ASCII, ×, ✓, −, bold, wide and combining characters), both styles, any alignment", () => {
    const piece = fc.constantFrom("a", "Z", "0", " ", "_", "/", "#", "×", "✓", "✗", "−", "·", "γ", "→", "\u001b[1mB\u001b[22m", "中", "e\u0301", "🙂");
    const cell = fc.array(piece, { maxLength: 8 }).map((xs) => xs.join(""));
    const shape = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }));
    fc.assert(fc.property(shape.chain(([cols, rows]) => fc.tuple(
      fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }),
      fc.array(fc.constantFrom("left" as const, "right" as const), { minLength: cols, maxLength: cols }),
      fc.boolean(),
    )), ([rows, align, boxed]) => {
      const o: GridOptions = { ...(boxed ? REPORT_GRID : PLAIN_GRID), align: Object.fromEntries(align.map((a, i) => [i, a])) };
      expect(grid(rows, o)).toBe(table(rows, tableConfig(o)));
    }), { numRuns: 300 });
  });
});
