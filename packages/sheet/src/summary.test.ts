import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { parseRange } from "./a1.js";
import { FormulaEngine } from "./formula.js";
import { initSheet } from "./schema.js";
import { Sheet } from "./sheet.js";
import { summarize } from "./summary.js";

function sheetWith(cells: Record<string, string>): Sheet {
  const doc = new Y.Doc();
  initSheet(doc);
  const sheet = Sheet.of(doc);
  sheet.setCellsA1(cells);
  return sheet;
}

/** The summary of a range as the status bar computes it. */
function summaryOf(sheet: Sheet, a1: string) {
  const engine = FormulaEngine.of(sheet);
  return summarize([...sheet.filledIn(parseRange(a1))].map(({ row, col }) => engine.valueAt(row, col)));
}

describe("a selection's summary", () => {
  it("counts what is filled, and sums and averages the numbers, computed ones included, as spreadsheets do", () => {
    const sheet = sheetWith({ A1: "1", A2: "2.5", A3: "text", A4: "=A1+A2", A6: "TRUE", A7: "=1/0", B1: "100" });
    expect(summaryOf(sheet, "A1:A10")).toEqual({ count: 6, numbers: 3, sum: 7, average: 7 / 3 });
    expect(summaryOf(sheet, "A1:B2")).toEqual({ count: 3, numbers: 3, sum: 103.5, average: 34.5 });
    expect(summaryOf(sheet, "C1:D5")).toEqual({ count: 0, numbers: 0, sum: 0, average: null });
    expect(summaryOf(sheet, "A3")).toEqual({ count: 1, numbers: 0, sum: 0, average: null });
  });

  it("reads a whole column of a large sheet from its stored cells, and the same as reading every position", () => {
    const sheet = sheetWith({ A1: "5", A900: "7", B3: "1" });
    const column = parseRange("A1:A1000");
    const filled = [...sheet.filledIn(column)];
    expect(filled).toHaveLength(2);
    expect(filled).toEqual(expect.arrayContaining([{ row: 0, col: 0 }, { row: 899, col: 0 }]));
    expect(summaryOf(sheet, "A1:A1000")).toEqual({ count: 2, numbers: 2, sum: 12, average: 6 });
    // A small range is read by position: the same answer.
    expect([...sheet.filledIn(parseRange("A1:B3"))]).toEqual([{ row: 0, col: 0 }, { row: 2, col: 1 }]);
    // After rows move, the cells are where they are now.
    sheet.insertRows(0, 2);
    expect(summaryOf(sheet, "A1:A3")).toEqual({ count: 1, numbers: 1, sum: 5, average: 5 });
    expect(summaryOf(sheet, "A900:A1002")).toEqual({ count: 1, numbers: 1, sum: 7, average: 7 });
  });
});
