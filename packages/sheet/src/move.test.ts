import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { mergeCells, merges } from "./merges.js";
import { MAX_MOVED_CELLS, moveCells } from "./move.js";
import { Sheet, SheetLimitError } from "./sheet.js";
import { Workbook } from "./tabs.js";
import { replicas } from "./testing.js";

describe("moving cells (a cut pasted)", () => {
  it("moves what cells hold and their formatting, and formulas anywhere follow the cells they pointed at", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 6 });
    const book = Workbook.of(sheet!.doc);
    const other = Sheet.of(sheet!.doc, book.add({ name: "Other" }));
    sheet!.setCellsA1({ A1: "2", B1: "3", C1: "=A1+B1", C2: "=SUM(A1:B1)", C3: "=SUM(A1:A3)", A2: "=F9", F1: "old" });
    sheet!.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { bold: true });
    other.setCellsA1({ A1: "=Sheet1!B1*2" });
    const undo = new Y.UndoManager([sheet!.types.cells, sheet!.types.styles, other.types.cells], { trackedOrigins: new Set(["me"]) });
    // A1:B2 (A2's formula included) to E1: F1's "old" is written over.
    moveCells(sheet!, { start: { row: 0, col: 0 }, end: { row: 1, col: 1 } }, { row: 0, col: 4 }, "me");
    expect(sheet!.toA1Record()).toEqual({
      E1: "2",
      F1: "3",
      E2: "=F9",
      C1: "=E1+F1",
      C2: "=SUM(E1:F1)",
      // Only partly moved: the range keeps its places.
      C3: "=SUM(A1:A3)",
    });
    expect(sheet!.styleAt(0, 4)).toEqual({ bold: true });
    expect(sheet!.styleAt(0, 0)).toEqual({});
    expect(other.toA1Record()).toEqual({ A1: "=Sheet1!F1*2" });
    // One step undoes it all.
    undo.undo();
    expect(sheet!.toA1Record()).toEqual({ A1: "2", B1: "3", C1: "=A1+B1", C2: "=SUM(A1:B1)", C3: "=SUM(A1:A3)", A2: "=F9", F1: "old" });
    expect(other.toA1Record()).toEqual({ A1: "=Sheet1!B1*2" });
  });

  it("moves onto cells of its own range, and grows the sheet to where the cells go", () => {
    const [sheet] = replicas(1, { rows: 4, cols: 2 });
    sheet!.setCellsA1({ A1: "1", A2: "2", A3: "3", B1: "=A3" });
    moveCells(sheet!, { start: { row: 0, col: 0 }, end: { row: 2, col: 0 } }, { row: 2, col: 0 });
    expect(sheet!.toA1Record()).toEqual({ A3: "1", A4: "2", A5: "3", B1: "=A5" });
    expect(sheet!.rowCount).toBe(5);
    expect(() => moveCells(sheet!, { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { row: 0, col: 20_000 })).toThrow(SheetLimitError);
  });

  it("takes merged areas within the cells with them, and refuses a move past its size", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 6 });
    sheet!.setCellsA1({ A1: "title" });
    mergeCells(sheet!, { start: { row: 0, col: 0 }, end: { row: 0, col: 1 } });
    moveCells(sheet!, { start: { row: 0, col: 0 }, end: { row: 1, col: 2 } }, { row: 4, col: 3 });
    expect(merges(sheet!)).toEqual([{ start: { row: 4, col: 3 }, end: { row: 4, col: 4 } }]);
    expect(sheet!.toA1Record()).toEqual({ D5: "title" });
    const [big] = replicas(1, { rows: MAX_MOVED_CELLS + 1, cols: 2 });
    expect(() => moveCells(big!, { start: { row: 0, col: 0 }, end: { row: MAX_MOVED_CELLS, col: 0 } }, { row: 0, col: 1 })).toThrow(/at most/);
  });
});
