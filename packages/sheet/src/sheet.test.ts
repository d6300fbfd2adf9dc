import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { parseRange, resolveRange } from "./a1.js";
import { postMessage } from "./chat.js";
import { initSheet } from "./schema.js";
import { Sheet, SheetLimitError } from "./sheet.js";
import { replicas, syncAll } from "./testing.js";

describe("a new sheet", () => {
  it("has 1,000 rows, 26 columns and a title", () => {
    const doc = new Y.Doc();
    initSheet(doc, { title: "Budget" });
    const sheet = Sheet.of(doc);
    expect(sheet.rowCount).toBe(1000);
    expect(sheet.colCount).toBe(26);
    expect(sheet.title).toBe("Budget");
    expect(new Set(sheet.rows.list()).size).toBe(1000);
    expect(sheet.usedRange()).toBeNull();
  });

  it("refuses to be initialised twice", () => {
    const doc = new Y.Doc();
    initSheet(doc);
    expect(() => initSheet(doc)).toThrow();
    expect(Sheet.of(doc).rowCount).toBe(1000);
  });
});

describe("cells", () => {
  it("sets, reads and clears by A1 in one transaction with the origin", () => {
    const [sheet] = replicas(1);
    const origins: unknown[] = [];
    sheet!.doc.on("afterTransaction", (tr: Y.Transaction) => origins.push(tr.origin));
    sheet!.setCellsA1({ A1: "hello", B2: "42", C3: "=SUM(A1:A3)" }, "me");
    expect(origins).toEqual(["me"]);
    expect(sheet!.readRange(resolveRange(parseRange("A1:C3"), { rows: 10, cols: 5 }))).toEqual([
      ["hello", "", ""],
      ["", "42", ""],
      ["", "", "=SUM(A1:A3)"],
    ]);
    sheet!.setCellsA1({ A1: "" });
    expect(sheet!.getInput(0, 0)).toBe("");
    expect(sheet!.types.cells.size).toBe(2);
  });

  it("grows the sheet when a write lands beyond it", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ AA2000: "far" });
    expect(sheet!.rowCount).toBe(2000);
    expect(sheet!.colCount).toBe(27);
    expect(sheet!.toA1Record()).toEqual({ AA2000: "far" });
  });

  it("refuses writes beyond the limits without writing anything", () => {
    const [sheet] = replicas(1);
    expect(() => sheet!.setCells([{ row: 0, col: 0, input: "x" }, { row: 1_048_576, col: 0, input: "y" }])).toThrow(
      SheetLimitError,
    );
    expect(() => sheet!.setCellsA1({ A1: "x", XFE1: "y" })).toThrow();
    expect(sheet!.types.cells.size).toBe(0);
    expect(sheet!.rowCount).toBe(10);
  });

  it("clears a range and finds the used range", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A1: "1", B2: "2", C3: "3", E9: "4" });
    expect(sheet!.usedRange()).toEqual({ start: { row: 0, col: 0 }, end: { row: 8, col: 4 } });
    sheet!.clearRange({ start: { row: 1, col: 1 }, end: { row: 8, col: 4 } });
    expect(sheet!.toA1Record()).toEqual({ A1: "1" });
  });

  it("clears several ranges in one transaction, each over its own columns", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A1: "a1", B1: "b1", A2: "a2", B2: "b2", A3: "a3", B3: "b3", C3: "c3" });
    let transactions = 0;
    sheet!.doc.on("afterTransaction", () => transactions++);
    sheet!.clearRanges([
      { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } },
      { start: { row: 2, col: 0 }, end: { row: 2, col: 1 } },
      { start: { row: 2, col: 2 }, end: { row: 3, col: 2 } },
    ]);
    expect(transactions).toBe(1);
    expect(sheet!.toA1Record()).toEqual({ B1: "b1", A2: "a2", B2: "b2" });
  });
});

describe("rows and columns", () => {
  it("inserting a row moves the cells below it", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A5: "five", A4: "four" });
    sheet!.insertRows(4, 2);
    expect(sheet!.rowCount).toBe(12);
    expect(sheet!.toA1Record()).toEqual({ A4: "four", A7: "five" });
  });

  it("deleting a row drops its cells in the same transaction", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A5: "gone", A6: "stays" });
    let transactions = 0;
    sheet!.doc.on("afterTransaction", () => transactions++);
    sheet!.deleteRows(4, 1);
    expect(transactions).toBe(1);
    expect(sheet!.types.cells.size).toBe(1);
    expect(sheet!.toA1Record()).toEqual({ A5: "stays" });
  });

  it("inserts and deletes columns", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ B1: "b", C1: "c" });
    sheet!.insertCols(1, 1);
    expect(sheet!.toA1Record()).toEqual({ C1: "b", D1: "c" });
    sheet!.deleteCols(2, 1);
    expect(sheet!.toA1Record()).toEqual({ C1: "c" });
  });

  it("rejects impossible inserts and deletes", () => {
    const [sheet] = replicas(1);
    expect(() => sheet!.insertRows(11, 1)).toThrow(SheetLimitError);
    expect(() => sheet!.insertRows(0, 0)).toThrow(SheetLimitError);
    expect(() => sheet!.insertCols(0, 16_384)).toThrow(SheetLimitError);
    expect(() => sheet!.deleteRows(-1, 1)).toThrow(SheetLimitError);
  });

  it("refuses to delete every row or every column, changing nothing", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A1: "kept", E10: "kept too" });
    let transactions = 0;
    sheet!.doc.on("afterTransaction", () => transactions++);
    expect(() => sheet!.deleteRows(0, 10)).toThrow(new SheetLimitError("You can't delete all the rows on the sheet"));
    expect(() => sheet!.deleteRows(0, 1000)).toThrow(SheetLimitError);
    expect(() => sheet!.deleteCols(0, 5)).toThrow(new SheetLimitError("You can't delete all the columns on the sheet"));
    expect(transactions).toBe(0);
    expect([sheet!.rowCount, sheet!.colCount]).toEqual([10, 5]);
    expect(sheet!.toA1Record()).toEqual({ A1: "kept", E10: "kept too" });
    sheet!.deleteRows(0, 9);
    sheet!.deleteCols(1, 4);
    expect([sheet!.rowCount, sheet!.colCount]).toEqual([1, 1]);
    expect(() => sheet!.deleteRows(0, 1)).toThrow(SheetLimitError);
    expect(() => sheet!.deleteCols(0, 1)).toThrow(SheetLimitError);
    expect([sheet!.rowCount, sheet!.colCount]).toEqual([1, 1]);
  });

  it("positions seen from another type's observer are already current", () => {
    const [a, b] = replicas(2);
    const seen: (string | null)[] = [];
    b!.types.cells.observe((event) => {
      for (const key of event.keysChanged) {
        const pos = b!.positionOf(key);
        seen.push(pos ? `${pos.row},${pos.col}` : null);
      }
    });
    a!.doc.transact(() => {
      a!.insertRows(0, 3);
      a!.setCellsA1({ A1: "x" });
    });
    syncAll([a!, b!]);
    expect(seen).toEqual(["0,0"]);
  });
});

describe("chat", () => {
  it("appends trimmed messages, ignores blank ones, and syncs like the rest", () => {
    const [a, b] = replicas(2);
    expect(postMessage(a!.doc, { author: "Ada", color: "#000", text: "   " })).toBeNull();
    postMessage(a!.doc, { author: "Ada", color: "#000", text: "  hello <b>there</b> " });
    postMessage(b!.doc, { author: "Bob", color: "#111", text: "x".repeat(5000) });
    syncAll([a!, b!]);
    for (const s of [a!, b!]) {
      const texts = s.types.chat.toArray().map((m) => m.text);
      expect(texts).toContain("hello <b>there</b>");
      expect(texts.find((t) => t.startsWith("x"))).toHaveLength(2000);
    }
    expect(a!.types.chat.toJSON()).toEqual(b!.types.chat.toJSON());
  });
});

describe("column widths", () => {
  it("stay with their column when columns are inserted, and go when it is deleted", () => {
    const [sheet] = replicas(1);
    sheet!.setColWidth(1, 250);
    sheet!.setColWidth(2, 5);
    expect(sheet!.colWidth(1)).toBe(250);
    expect(sheet!.colWidth(2)).toBe(20);
    expect(sheet!.colWidth(0)).toBeUndefined();
    sheet!.insertCols(0, 1);
    expect(sheet!.colWidth(2)).toBe(250);
    sheet!.deleteCols(2, 1);
    expect(sheet!.types.colWidths.size).toBe(1);
  });
});

describe("row heights", () => {
  it("stay with their row, clamped to their limits, go back to fitting with null, and go when the row is deleted", () => {
    const [sheet] = replicas(1);
    sheet!.setRowHeight(1, 2, 60);
    sheet!.setRowHeight(4, 4, 5);
    expect([0, 1, 2, 4].map((r) => sheet!.rowHeight(r))).toEqual([undefined, 60, 60, 16]);
    sheet!.insertRows(0, 1);
    expect(sheet!.rowHeight(2)).toBe(60);
    sheet!.setRowHeight(3, 3, null);
    expect(sheet!.rowHeight(3)).toBeUndefined();
    sheet!.deleteRows(2, 1);
    expect(sheet!.types.rowHeights.size).toBe(1);
    expect(() => sheet!.setRowHeight(50, 50, 30)).toThrow(SheetLimitError);
  });
});

describe("changesStructure", () => {
  it("tells row and column changes from cell edits", () => {
    const [sheet] = replicas(1);
    const seen: boolean[] = [];
    sheet!.doc.on("afterTransaction", (tr: Y.Transaction) => seen.push(sheet!.changesStructure(tr)));
    sheet!.setCellsA1({ A1: "x" });
    sheet!.insertRows(0, 1);
    sheet!.deleteCols(0, 1);
    sheet!.setCellsA1({ AZ1: "grows" });
    expect(seen).toEqual([false, true, true, true]);
  });
});

describe("cells by ids", () => {
  it("finds a cell again after inserts, and loses it when its row is deleted", () => {
    const [sheet] = replicas(1);
    const ids = sheet!.idsAt(4, 2)!;
    expect(sheet!.idsAt(10, 0)).toBeNull();
    sheet!.insertRows(0, 2);
    sheet!.insertCols(1, 1);
    expect(sheet!.positionOfIds(ids)).toEqual({ row: 6, col: 3 });
    sheet!.deleteRows(6, 1);
    expect(sheet!.positionOfIds(ids)).toBeNull();
  });
});
