import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { FilteredRows, filterChoices, hiddenRows, newFilter, shareColumnFilter, sharedFilter, shareFilter, withColumn, type Filter } from "./filter.js";
import { SheetLimitError, type Sheet } from "./sheet.js";
import { sortRows } from "./sort.js";
import { Workbook } from "./tabs.js";
import { prng, replicas, syncAll } from "./testing.js";
import { validateUpdate } from "./update.js";

/** A table: a header row, then fruit, amounts and dates (`=DATE` shows as a date). */
function table(): Sheet {
  const [sheet] = replicas(1, { rows: 12, cols: 4 });
  sheet!.setCellsA1({
    A1: "Fruit",
    B1: "Amount",
    C1: "When",
    A2: "apple",
    B2: "10",
    C2: "=DATE(2024,1,5)",
    A3: "Banana",
    B3: "2.5",
    A4: "cherry",
    B4: "=B2*3",
    A5: "Apple",
    B5: "text",
    A6: "",
    B6: "7",
  });
  return sheet!;
}

const keep = (sheet: Sheet, filter: Filter, col: number, kept: Filter["columns"][string]) =>
  withColumn(filter, sheet.cols.idAt(col)!, kept);

describe("a filter", () => {
  it("hides the rows below its header that a value list or a condition does not keep, reading what cells show", () => {
    const sheet = table();
    const all = newFilter(sheet, 0, 0, 2);
    expect(hiddenRows(sheet, all)).toEqual([]);
    // By values: as shown, case and all ("apple" and "Apple" are two values), empty cells as "".
    expect(hiddenRows(sheet, keep(sheet, all, 0, { hidden: ["apple", ""] }))).toEqual([1, 5]);
    // By condition on text: without regard to case.
    expect(hiddenRows(sheet, keep(sheet, all, 0, { op: "contains", value: "AN" }))).toEqual([1, 3, 4, 5]);
    expect(hiddenRows(sheet, keep(sheet, all, 0, { op: "startsWith", value: "a" }))).toEqual([2, 3, 5]);
    expect(hiddenRows(sheet, keep(sheet, all, 0, { op: "empty" }))).toEqual([1, 2, 3, 4]);
    // On numbers, by size: a formula's value counts, text never passes a number comparison.
    expect(hiddenRows(sheet, keep(sheet, all, 1, { op: "gt", value: "5" }))).toEqual([2, 4]);
    expect(hiddenRows(sheet, keep(sheet, all, 1, { op: "lte", value: "7" }))).toEqual([1, 3, 4]);
    expect(hiddenRows(sheet, keep(sheet, all, 1, { op: "is", value: "30" }))).toEqual([1, 2, 4, 5]);
    // A date is compared as the date it is, typed as people type dates.
    expect(hiddenRows(sheet, keep(sheet, all, 2, { op: "gte", value: "1/1/2024" }))).toEqual([2, 3, 4, 5]);
    // Two columns: a row must pass both.
    const both = keep(sheet, keep(sheet, all, 0, { op: "notEmpty" }), 1, { op: "lt", value: "20" });
    expect(hiddenRows(sheet, both)).toEqual([3, 4, 5]);
  });

  it("stays on its rows and columns when others are inserted, and goes when its header row is deleted", () => {
    const sheet = table();
    const filter = keep(sheet, newFilter(sheet, 0, 0, 1), 0, { hidden: ["cherry"] });
    expect(hiddenRows(sheet, filter)).toEqual([3]);
    sheet.insertRows(0, 2);
    sheet.insertCols(0, 1);
    expect(hiddenRows(sheet, filter)).toEqual([5]);
    sheet.deleteRows(2, 1);
    expect(hiddenRows(sheet, filter)).toEqual([]);
  });

  it("lists the values of a column once each, in sort order with numbers by size, empty last", () => {
    const sheet = table();
    const filter = newFilter(sheet, 0, 0, 2);
    expect(filterChoices(sheet, filter, 1)).toEqual([
      { value: "2.5", count: 1 },
      { value: "7", count: 1 },
      { value: "10", count: 1 },
      { value: "30", count: 1 },
      { value: "text", count: 1 },
    ]);
    expect(filterChoices(sheet, filter, 0).map((c) => c.value)).toEqual(["apple", "Apple", "Banana", "cherry", ""]);
  });

  it("refuses a condition it could not keep", () => {
    const sheet = table();
    const filter = newFilter(sheet, 0, 0, 1);
    expect(() => withColumn(filter, "c", { op: "near" as never })).toThrow(SheetLimitError);
    expect(() => withColumn(filter, "c", { hidden: ["x".repeat(1001)] })).toThrow(SheetLimitError);
    expect(() => newFilter(sheet, 99, 0, 1)).toThrow(SheetLimitError);
  });
});

describe("the rows a filter hides, kept as the tab changes", () => {
  it("are always what reading the whole table gives, whatever is edited, inserted, sorted or formatted", () => {
    const [sheet] = replicas(1, { rows: 30, cols: 4 });
    const book = Workbook.of(sheet!.doc);
    const other = book.sheet(book.add({ name: "Other" }));
    const rand = prng(11);
    const int = (n: number) => Math.floor(rand() * n);
    sheet!.setCellsA1({ A1: "Name", B1: "Score", C1: "Note" });
    for (let r = 2; r <= 20; r++) sheet!.setCellsA1({ [`A${r}`]: `n${r % 4}`, [`B${r}`]: String(r % 9) });
    let filter = withColumn(newFilter(sheet!, 0, 0, 2), sheet!.cols.idAt(0)!, { hidden: ["n1"] });
    filter = withColumn(filter, sheet!.cols.idAt(1)!, { op: "lt", value: "6" });
    const tracked = new FilteredRows(sheet!, filter);
    for (let step = 0; step < 300; step++) {
      const rows = sheet!.rowCount;
      const kind = int(20);
      const row = 1 + int(rows - 1);
      if (kind < 10) sheet!.setCells([{ row, col: int(3), input: rand() < 0.5 ? String(int(12)) : `n${int(4)}` }]);
      else if (kind === 10) sheet!.setCells([{ row, col: 1, input: "" }]);
      else if (kind === 11) sheet!.setCells([{ row, col: 1, input: `=Other!A1+${int(5)}` }]);
      else if (kind === 12) other.setCellsA1({ A1: String(int(10)) });
      else if (kind === 13) sheet!.insertRows(row, 1);
      else if (kind === 14 && rows > 10) sheet!.deleteRows(row, 1);
      else if (kind === 15) sortRows(sheet!, { start: 1, end: rows - 1, keys: [{ col: 1, descending: rand() < 0.5 }] });
      else if (kind === 16) sheet!.setStyle({ start: { row, col: 1 }, end: { row, col: 1 } }, { numFmt: "0.0" });
      else if (kind === 17) sheet!.setCells([{ row: Math.min(rows - 1, 25 + int(5)), col: 0, input: rand() < 0.5 ? "" : "late" }]);
      else sheet!.setCells([{ row, col: 3, input: "outside the filter" }]);
      expect(tracked.rows(), `step ${step}`).toEqual(hiddenRows(sheet!, filter));
    }
    tracked.dispose();
  });

  it("reads only the rows edited when plain values change, and the same array when nothing moved", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 2 });
    sheet!.setCellsA1({ A1: "Team", A2: "red", A3: "blue", A4: "red", A5: "end" });
    const tracked = new FilteredRows(sheet!, withColumn(newFilter(sheet!, 0, 0, 1), sheet!.cols.idAt(0)!, { hidden: ["blue"] }));
    const first = tracked.rows();
    expect(first).toEqual([2]);
    sheet!.setCellsA1({ B2: "a note" });
    expect(tracked.rows()).toBe(first);
    sheet!.setCellsA1({ A4: "blue" });
    expect(tracked.rows()).toEqual([2, 3]);
    // A change in the chat reads nothing again.
    const now = tracked.rows();
    sheet!.types.chat.push([{ id: "m", author: "a", color: "#000000", text: "hi", at: 1 }]);
    expect(tracked.rows()).toBe(now);
    tracked.dispose();
    sheet!.setCellsA1({ A2: "blue" });
    expect(tracked.rows()).toBe(now);
  });
});

describe("a filter for everyone", () => {
  it("is shared through the document, and two people filtering different columns at once keep both", () => {
    const [ada, bob] = replicas(2, { rows: 6, cols: 3 });
    ada!.setCellsA1({ A1: "Name", B1: "Team", A2: "x", B2: "red", A3: "y", B3: "blue", A4: "z", B4: "red" });
    syncAll([ada!, bob!]);
    shareFilter(ada!, newFilter(ada!, 0, 0, 1));
    syncAll([ada!, bob!]);
    const colA = ada!.cols.idAt(0)!;
    const colB = ada!.cols.idAt(1)!;
    shareColumnFilter(ada!, colA, { hidden: ["y"] });
    shareColumnFilter(bob!, colB, { hidden: ["blue", "red"] });
    syncAll([ada!, bob!]);
    for (const sheet of [ada!, bob!]) {
      expect(Object.keys(sharedFilter(sheet)!.columns).sort()).toEqual([colA, colB].sort());
      expect(hiddenRows(sheet, sharedFilter(sheet)!)).toEqual([1, 2, 3]);
    }
    // Keeping every value again removes the column's entry.
    shareColumnFilter(bob!, colB, { hidden: [] });
    syncAll([ada!, bob!]);
    expect(hiddenRows(ada!, sharedFilter(ada!)!)).toEqual([2]);
  });

  it("does not take on what someone set on a filter removed at the same time", () => {
    const [ada, bob] = replicas(2, { rows: 6, cols: 3 });
    ada!.setCellsA1({ A1: "Name", A2: "x", A3: "y" });
    shareFilter(ada!, newFilter(ada!, 0, 0, 1));
    syncAll([ada!, bob!]);
    // Bob filters a column while Ada removes the filter and makes a new one.
    shareColumnFilter(bob!, bob!.cols.idAt(0)!, { hidden: ["x"] });
    shareFilter(ada!, null);
    shareFilter(ada!, newFilter(ada!, 0, 0, 2));
    syncAll([ada!, bob!]);
    for (const sheet of [ada!, bob!]) {
      expect(sharedFilter(sheet)!.columns).toEqual({});
      expect(hiddenRows(sheet, sharedFilter(sheet)!)).toEqual([]);
    }
    shareFilter(bob!, null);
    syncAll([ada!, bob!]);
    expect(sharedFilter(ada!)).toBeNull();
    expect([...ada!.types.meta.keys()].filter((k) => k.startsWith("filter"))).toEqual([]);
  });

  it("passes the update check as a sheet writes it, and a crafted one does not", () => {
    const [ada] = replicas(1, { rows: 4, cols: 2 });
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(ada!.doc));
    const before = Y.encodeStateVector(ada!.doc);
    const filter = withColumn(newFilter(ada!, 0, 0, 1), ada!.cols.idAt(0)!, { op: "contains", value: "a", hidden: ["b"] });
    shareFilter(ada!, filter);
    expect(() => validateUpdate(server, Y.encodeStateAsUpdate(ada!.doc, before))).not.toThrow();
    for (const [key, value] of [
      ["filter", { id: "f", header: "r", from: "a", to: "b", extra: 1 }],
      ["filter", { id: "f", header: "r:x", from: "a", to: "b" }],
      [`filter:${filter.id}:c`, { op: "eval" }],
      [`filter:${filter.id}:c`, { value: "x" }],
      [`filter:${filter.id}:c`, { hidden: Array.from({ length: 10_001 }, () => "v") }],
      ["filter:bad key", { op: "empty" }],
    ] as const) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(ada!.doc));
      const known = Y.encodeStateVector(doc);
      doc.getMap("meta").set(key, value);
      expect(() => validateUpdate(server, Y.encodeStateAsUpdate(doc, known)), key).toThrow();
    }
  });
});
