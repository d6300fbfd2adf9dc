import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { formatCell } from "./a1.js";
import { CONTENT_LIMITS } from "./content.js";
import { findAll, replaceIn, type FindOptions } from "./find.js";
import { replicas } from "./testing.js";

function sheetWith(cells: Record<string, string>) {
  const [sheet] = replicas(1, { rows: 20, cols: 6 });
  sheet!.setCellsA1(cells);
  return sheet!;
}

const found = (sheet: ReturnType<typeof sheetWith>, options: FindOptions) => findAll(sheet, options).map(formatCell);

describe("find", () => {
  it("finds cells as they show, in reading order, without regard to case unless asked", () => {
    const sheet = sheetWith({ C1: "Apple pie", A2: "apple", B1: "pineapple", A1: "pear", B3: "=UPPER(A2)", C3: "1200" });
    sheet.setStyle({ start: { row: 2, col: 2 }, end: { row: 2, col: 2 } }, { numFmt: "#,##0.00" });
    expect(found(sheet, { query: "apple" })).toEqual(["B1", "C1", "A2", "B3"]);
    expect(found(sheet, { query: "Apple", matchCase: true })).toEqual(["C1"]);
    expect(found(sheet, { query: "APPLE", matchCase: true })).toEqual(["B3"]);
    expect(found(sheet, { query: "apple", wholeCell: true })).toEqual(["A2", "B3"]);
    // A number is found as its format shows it, a formula by its value or, when asked, as typed.
    expect(found(sheet, { query: "1,200.00" })).toEqual(["C3"]);
    expect(found(sheet, { query: "upper" })).toEqual([]);
    expect(found(sheet, { query: "upper", formulas: true })).toEqual(["B3"]);
  });

  it("finds a match far off screen, and none in a deleted row's orphaned cells", () => {
    const sheet = sheetWith({});
    sheet.setCellsA1({ A5000: "needle", B2: "hay" });
    expect(found(sheet, { query: "needle" })).toEqual(["A5000"]);
    sheet.deleteRows(4999, 1);
    expect(found(sheet, { query: "needle" })).toEqual([]);
  });

  it("finds what arrays spilled into empty cells, but not when searching formulas as typed", () => {
    const sheet = sheetWith({ C1: "apple", C2: "pear", A1: "=UNIQUE(C1:C2)" });
    expect(found(sheet, { query: "pear" })).toEqual(["A2", "C2"]);
    expect(found(sheet, { query: "pear", formulas: true })).toEqual(["C2"]);
  });

  it("refuses an empty or over-long query", () => {
    const sheet = sheetWith({ A1: "x" });
    expect(() => findAll(sheet, { query: "" })).toThrow(/search for/);
    expect(() => findAll(sheet, { query: "x".repeat(1001) })).toThrow(/search for/);
  });
});

describe("replace", () => {
  it("replaces every match in what was typed, in one undo step, and leaves formulas unless asked", () => {
    const sheet = sheetWith({ A1: "Cat and cat", A2: "=A1&\"cat\"", A3: "concat", A4: "dog" });
    const undo = new Y.UndoManager([sheet.types.cells], { trackedOrigins: new Set(["me"]) });
    const options = { query: "cat" };
    expect(replaceIn(sheet, findAll(sheet, options), options, "$& dog", "me")).toBe(2);
    expect(sheet.toA1Record()).toMatchObject({ A1: "$& dog and $& dog", A2: '=A1&"cat"', A3: "con$& dog" });
    undo.undo();
    expect(sheet.getInput(0, 0)).toBe("Cat and cat");
    expect(sheet.getInput(2, 0)).toBe("concat");
    const inFormulas = { query: "cat", formulas: true, matchCase: true };
    expect(replaceIn(sheet, findAll(sheet, inFormulas), inFormulas, "dog")).toBe(3);
    expect(sheet.toA1Record()).toEqual({ A1: "Cat and dog", A2: '=A1&"dog"', A3: "condog", A4: "dog" });
  });

  it("replaces a whole cell only where the whole cell matches", () => {
    const sheet = sheetWith({ A1: "Yes", A2: "yes please", A3: "YES" });
    const options = { query: "yes", wholeCell: true };
    expect(replaceIn(sheet, findAll(sheet, options), options, "No")).toBe(2);
    expect(sheet.toA1Record()).toEqual({ A1: "No", A2: "yes please", A3: "No" });
  });

  it("changes nothing when a result would not fit in a cell", () => {
    const sheet = sheetWith({ A1: "ab", A2: "a".repeat(CONTENT_LIMITS.cellInput - 10) });
    const options = { query: "a" };
    expect(() => replaceIn(sheet, findAll(sheet, options), options, "aaaa")).toThrow(/at most/);
    expect(sheet.getInput(0, 0)).toBe("ab");
  });
});
