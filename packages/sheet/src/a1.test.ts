import { describe, expect, it } from "vitest";
import {
  A1Error,
  colToLetters,
  formatCell,
  formatRange,
  lettersToCol,
  MAX_COLS,
  MAX_ROWS,
  parseCell,
  parseRange,
  rangeContains,
  resolveRange,
} from "./a1.js";

describe("column letters", () => {
  it.each([
    [0, "A"],
    [25, "Z"],
    [26, "AA"],
    [51, "AZ"],
    [52, "BA"],
    [701, "ZZ"],
    [702, "AAA"],
    [16383, "XFD"],
  ])("%i <-> %s", (col, letters) => {
    expect(colToLetters(col)).toBe(letters);
    expect(lettersToCol(letters)).toBe(col);
    expect(lettersToCol(letters.toLowerCase())).toBe(col);
  });

  it("round-trips every column", () => {
    for (let c = 0; c < MAX_COLS; c++) expect(lettersToCol(colToLetters(c))).toBe(c);
  });

  it("rejects columns past XFD and junk", () => {
    expect(() => lettersToCol("XFE")).toThrow(A1Error);
    expect(() => lettersToCol("AAAA")).toThrow(A1Error);
    expect(() => lettersToCol("A1")).toThrow(A1Error);
    expect(() => colToLetters(MAX_COLS)).toThrow(A1Error);
    expect(() => colToLetters(-1)).toThrow(A1Error);
  });
});

describe("cells", () => {
  it("parses and prints", () => {
    expect(parseCell("B3")).toEqual({ row: 2, col: 1 });
    expect(parseCell("$c$10")).toEqual({ row: 9, col: 2 });
    expect(formatCell({ row: 0, col: 0 })).toBe("A1");
    expect(parseCell(`XFD${MAX_ROWS}`)).toEqual({ row: MAX_ROWS - 1, col: MAX_COLS - 1 });
  });

  it.each(["", "A", "1", "A0", "A01", `A${MAX_ROWS + 1}`, "1A", "A1B", "A-1", "<b>"])("rejects %j", (text) => {
    expect(() => parseCell(text)).toThrow(A1Error);
  });
});

describe("ranges", () => {
  it("parses rectangles in either corner order", () => {
    expect(parseRange("C3:A1")).toMatchObject({ start: { row: 0, col: 0 }, end: { row: 2, col: 2 } });
    expect(parseRange("B2")).toMatchObject({ start: { row: 1, col: 1 }, end: { row: 1, col: 1 } });
  });

  it("parses whole columns and rows and clips them to the sheet", () => {
    const col = parseRange("B:B");
    expect(col.wholeColumns).toBe(true);
    expect(resolveRange(col, { rows: 1000, cols: 26 })).toEqual({
      start: { row: 0, col: 1 },
      end: { row: 999, col: 1 },
    });
    const row = parseRange("2:3");
    expect(row.wholeRows).toBe(true);
    expect(resolveRange(row, { rows: 1000, cols: 26 })).toEqual({
      start: { row: 1, col: 0 },
      end: { row: 2, col: 25 },
    });
  });

  it("rejects mixed and malformed ranges", () => {
    for (const text of ["A:1", "A1:B", "A1:B2:C3", ":", "A1:"]) expect(() => parseRange(text)).toThrow(A1Error);
  });

  it("tells whether a cell is inside", () => {
    const r = { start: { row: 1, col: 1 }, end: { row: 5, col: 3 } };
    expect(rangeContains(r, 3, 2)).toBe(true);
    expect(rangeContains(r, 0, 2)).toBe(false);
    expect(rangeContains(r, 5, 4)).toBe(false);
  });

  it("prints", () => {
    expect(formatRange({ start: { row: 0, col: 0 }, end: { row: 2, col: 2 } })).toBe("A1:C3");
    expect(formatRange({ start: { row: 4, col: 1 }, end: { row: 4, col: 1 } })).toBe("B5");
  });
});
