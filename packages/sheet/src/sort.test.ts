import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { FormulaEngine } from "./formula.js";
import { cellKey } from "./schema.js";
import type { Sheet } from "./sheet.js";
import { compareValues } from "./compare.js";
import { sortRows } from "./sort.js";
import { Workbook } from "./tabs.js";
import { prng, RandomNetwork, replicas, syncAll } from "./testing.js";
import type { CellValue } from "./value.js";

function column(sheet: Sheet, col = 0, rows = sheet.rowCount): string[] {
  return Array.from({ length: rows }, (_, r) => sheet.getInput(r, col));
}

function fill(sheet: Sheet, values: readonly string[], col = 0): void {
  sheet.setCells(values.map((input, row) => ({ row, col, input })));
}

describe("sorting rows", () => {
  it("orders numbers before text before logicals before errors, text without regard to case", () => {
    const values: CellValue[] = ["b", true, 10, { error: "#N/A" }, "A", 2, false, "a"];
    const sorted = [...values].sort(compareValues);
    expect(sorted.slice(0, 2)).toEqual([2, 10]);
    expect(sorted.slice(2, 5).map((v) => String(v).toLowerCase())).toEqual(["a", "a", "b"]);
    expect(sorted.slice(5)).toEqual([false, true, { error: "#N/A" }]);
  });

  it("sorts by a column ascending and descending, empty cells last both ways, equal rows kept in order", () => {
    const [sheet] = replicas(1, { rows: 8, cols: 3 });
    fill(sheet!, ["pear", "10", "", "apple", "9", "Apple", "TRUE"]);
    fill(sheet!, ["1", "2", "3", "4", "5", "6", "7"], 1);
    expect(sortRows(sheet!, { start: 0, end: 6, keys: [{ col: 0 }] })).toBe(true);
    expect(column(sheet!, 0, 7)).toEqual(["9", "10", "apple", "Apple", "pear", "TRUE", ""]);
    // The rows moved whole: column B still says where each came from.
    expect(column(sheet!, 1, 7)).toEqual(["5", "2", "4", "6", "1", "7", "3"]);
    sortRows(sheet!, { start: 0, end: 6, keys: [{ col: 0, descending: true }] });
    expect(column(sheet!, 0, 7)).toEqual(["TRUE", "pear", "apple", "Apple", "10", "9", ""]);
  });

  it("sorts by several columns, the first deciding first, and by formulas' values", () => {
    const [sheet] = replicas(1, { rows: 6, cols: 3 });
    fill(sheet!, ["b", "a", "b", "a"]);
    fill(sheet!, ["=2*1", "=3", "=1", "=1+0"], 1);
    sortRows(sheet!, { start: 0, end: 3, keys: [{ col: 0 }, { col: 1, descending: true }] });
    expect(column(sheet!, 0, 4)).toEqual(["a", "a", "b", "b"]);
    expect(column(sheet!, 1, 4)).toEqual(["=3", "=1+0", "=2*1", "=1"]);
  });

  it("leaves rows outside the range, a header above it, as they are, and says when nothing moved", () => {
    const [sheet] = replicas(1, { rows: 6, cols: 2 });
    fill(sheet!, ["Name", "c", "a", "b", "z"]);
    const outside = [sheet!.rows.idAt(0), sheet!.rows.idAt(4), sheet!.rows.idAt(5)];
    sortRows(sheet!, { start: 1, end: 3, keys: [{ col: 0 }] });
    expect(column(sheet!, 0, 5)).toEqual(["Name", "a", "b", "c", "z"]);
    expect([sheet!.rows.idAt(0), sheet!.rows.idAt(4), sheet!.rows.idAt(5)]).toEqual(outside);
    const updates: Uint8Array[] = [];
    sheet!.doc.on("update", (u: Uint8Array) => updates.push(u));
    expect(sortRows(sheet!, { start: 1, end: 3, keys: [{ col: 0 }] })).toBe(false);
    expect(updates).toHaveLength(0);
  });

  it("refuses a range or a column outside the sheet, and no columns, before changing anything", () => {
    const [sheet] = replicas(1, { rows: 4, cols: 2 });
    fill(sheet!, ["b", "a"]);
    for (const spec of [
      { start: 0, end: 4, keys: [{ col: 0 }] },
      { start: 2, end: 1, keys: [{ col: 0 }] },
      { start: 0, end: 1, keys: [{ col: 2 }] },
      { start: 0, end: 1, keys: [{ col: -1 }] },
      { start: 0.5, end: 1, keys: [{ col: 0 }] },
      { start: 0, end: 1, keys: [] },
    ]) {
      expect(() => sortRows(sheet!, spec)).toThrow(/sort/);
    }
    expect(column(sheet!, 0, 2)).toEqual(["b", "a"]);
  });

  it("keeps references to one cell on their cell, and ranges over the rows on their places, on every tab", () => {
    const [sheet] = replicas(1, { rows: 8, cols: 4 });
    const book = Workbook.of(sheet!.doc);
    fill(sheet!, ["30", "10", "20"]);
    sheet!.setCellsA1({ D5: "=A1", D6: "=SUM(A1:A3)", D7: "=MAX(A2:A8)" });
    // A range within one row follows the row it is in.
    sheet!.setCellsA1({ B1: "=SUM(A1:A1)*1", C1: "=A1+B1" });
    const other = book.sheet(book.add({ name: "Other" }));
    other.setCellsA1({ A1: "=Sheet1!A1", A2: "=SUM(Sheet1!A1:A2)", A3: "=Sheet1!A1:A3" });
    sortRows(sheet!, { start: 0, end: 2, keys: [{ col: 0 }] });
    expect(column(sheet!, 0, 3)).toEqual(["10", "20", "30"]);
    expect(sheet!.toA1Record()).toMatchObject({ D5: "=A3", D6: "=SUM(A1:A3)", D7: "=MAX(A2:A8)", B3: "=SUM(A3:A3)*1", C3: "=A3+B3" });
    expect(other.toA1Record()).toEqual({ A1: "=Sheet1!A3", A2: "=SUM(Sheet1!A1:A2)", A3: "=Sheet1!A1:A3" });
    const engine = FormulaEngine.of(sheet!);
    expect([engine.valueAt(4, 3), engine.valueAt(5, 3), engine.valueAt(6, 3), engine.valueAt(2, 1)]).toEqual([30, 60, 30, 30]);
    expect(FormulaEngine.of(other).valueAt(1, 0)).toBe(30);
  });

  it("is one undo step, which puts the rows and the formulas back", () => {
    const [sheet] = replicas(1, { rows: 5, cols: 2 });
    fill(sheet!, ["b", "c", "a"]);
    sheet!.setCellsA1({ B5: "=SUM(A1:A2)" });
    const undo = new Y.UndoManager([sheet!.types.rows, sheet!.types.cells], { trackedOrigins: new Set(["me"]) });
    sortRows(sheet!, { start: 0, end: 2, keys: [{ col: 0 }] }, "me");
    expect(column(sheet!, 0, 3)).toEqual(["a", "b", "c"]);
    undo.undo();
    expect(column(sheet!, 0, 3)).toEqual(["b", "c", "a"]);
    expect(sheet!.getInput(4, 1)).toBe("=SUM(A1:A2)");
    expect(undo.undoStack).toHaveLength(0);
  });
});

describe("sorting with others at once", () => {
  /** Cells by row id: what each row holds, wherever it is. */
  const byRow = (sheet: Sheet) =>
    Object.fromEntries(sheet.rows.list().map((id) => [id, Array.from({ length: sheet.colCount }, (_, c) => sheet.types.cells.get(cellKey(id, sheet.cols.idAt(c)!)) ?? "")]));

  it("keeps an edit made in a row during the sort in that row", () => {
    const [a, b] = replicas(2, { rows: 5, cols: 2 });
    fill(a!, ["c", "a", "b"]);
    syncAll([a!, b!]);
    sortRows(a!, { start: 0, end: 2, keys: [{ col: 0 }] });
    b!.setCellsA1({ B1: "c's note" }); // row 1 holds "c" where b is
    syncAll([a!, b!]);
    for (const s of [a!, b!]) expect(s.toA1Record()).toEqual({ A1: "a", A2: "b", A3: "c", B3: "c's note" });
  });

  it("two sorts at once leave every row once, the same on both", () => {
    const [a, b] = replicas(2, { rows: 6, cols: 2 });
    fill(a!, ["3", "1", "2", "5", "4"]);
    syncAll([a!, b!]);
    sortRows(a!, { start: 0, end: 4, keys: [{ col: 0 }] });
    sortRows(b!, { start: 0, end: 4, keys: [{ col: 0, descending: true }] });
    syncAll([a!, b!]);
    expect(a!.rows.list()).toEqual(b!.rows.list());
    expect(a!.rowCount).toBe(6);
    expect(new Set(a!.rows.list()).size).toBe(6);
    const shown = column(a!, 0, 5);
    expect([["1", "2", "3", "4", "5"], ["5", "4", "3", "2", "1"]]).toContainEqual(shown);
    // A row held twice in the array is deleted whole, and inserting next to it lands beside it.
    a!.deleteRows(0, 1);
    a!.insertRows(1, 1);
    syncAll([a!, b!]);
    for (const s of [a!, b!]) {
      expect(s.rowCount).toBe(6);
      expect(column(s, 0, 5)).toEqual([shown[1], "", ...shown.slice(2)]);
    }
  });

  it("a row inserted in the range during the sort is there once, on every replica", () => {
    const [a, b] = replicas(2, { rows: 6, cols: 2 });
    fill(a!, ["e", "d", "c", "b", "a"]);
    syncAll([a!, b!]);
    sortRows(a!, { start: 0, end: 4, keys: [{ col: 0 }] });
    b!.insertRows(2, 1);
    b!.setCellsA1({ A3: "new" });
    syncAll([a!, b!]);
    for (const s of [a!, b!]) {
      expect(s.rowCount).toBe(7);
      expect(column(s, 0, 7).sort()).toEqual(["", "a", "b", "c", "d", "e", "new"].sort());
    }
    expect(column(a!, 0, 7)).toEqual(column(b!, 0, 7));
  });

  it.each(Array.from({ length: 20 }, (_, i) => i + 1))("random sorts, edits, inserts and deletes in random delivery order converge (seed %i)", (seed) => {
    const rand = prng(7000 + seed);
    const int = (n: number) => Math.floor(rand() * n);
    const sheets = replicas(3, { rows: 12, cols: 3 });
    const net = new RandomNetwork(sheets, rand);
    for (let step = 0; step < 60; step++) {
      const sheet = sheets[int(sheets.length)]!;
      const rows = sheet.rowCount;
      const kind = int(6);
      if (kind <= 1) sheet.setCells([{ row: int(rows), col: int(3), input: String(int(50)) }]);
      else if (kind === 2) sheet.insertRows(int(rows + 1), 1 + int(2));
      else if (kind === 3 && rows > 4) sheet.deleteRows(int(rows - 1), 1);
      else {
        const start = int(rows - 1);
        sortRows(sheet, { start, end: start + int(rows - start), keys: [{ col: int(3), descending: rand() < 0.5 }] });
      }
      net.deliverSome();
    }
    net.deliverAll();
    const [first, ...others] = sheets;
    for (const other of others) {
      expect(other.rows.list()).toEqual(first!.rows.list());
      expect(byRow(other)).toEqual(byRow(first!));
      expect(other.toA1Record()).toEqual(first!.toA1Record());
    }
    expect(new Set(first!.rows.list()).size).toBe(first!.rowCount);
  });
});
