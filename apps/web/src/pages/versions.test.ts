import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { cellKey, initSheet, Sheet } from "@cosheet/sheet";
import { authorName, changedCells, changedCount, localTime, versionLabel, versionSheet } from "./versions";

function sheetWith(cells: Record<string, string>): Sheet {
  const doc = new Y.Doc();
  initSheet(doc, { rows: 5, cols: 5 });
  const sheet = Sheet.of(doc);
  sheet.setCellsA1(cells);
  return sheet;
}

/** A copy of a sheet in a document of its own, as a version's state comes from the server. */
const copyOf = (sheet: Sheet) => versionSheet(Y.encodeStateAsUpdate(sheet.doc));

const keyOf = (sheet: Sheet, row: number, col: number) => {
  const ids = sheet.idsAt(row, col)!;
  return cellKey(ids.rowId, ids.colId);
};

describe("the cells a version changed", () => {
  it("are those set, changed or cleared since, by their ids", () => {
    const then = sheetWith({ A1: "draft", A2: "same", A3: "gone" });
    const now = copyOf(then);
    now.setCellsA1({ A1: "final", B2: "extra", A3: "" });
    expect(changedCells(then, now)).toEqual(new Set([keyOf(then, 0, 0), keyOf(then, 1, 1), keyOf(then, 2, 0)]));
    expect(changedCells(now, then)).toEqual(changedCells(then, now));
  });

  it("are none for a copy, whatever rows were inserted since", () => {
    const then = sheetWith({ A1: "1", B3: "=A1*2" });
    const now = copyOf(then);
    now.insertRows(0, 2);
    expect(now.getInput(2, 0)).toBe("1");
    expect(changedCells(then, now).size).toBe(0);
  });
});

describe("how versions read", () => {
  const at = "2030-01-02T10:00:00.000Z";

  it("names a named version, and dates every one", () => {
    expect(versionLabel({ id: "1", at, authors: ["Ada"], changedCells: 3 })).toBe(`the version of ${localTime(at)}`);
    expect(versionLabel({ id: "x", at, authors: [], name: "First draft", changedCells: 0 })).toBe(
      `the version “First draft” of ${localTime(at)}`,
    );
  });

  it("calls the API's changes the API's, and counts cells", () => {
    expect(["Ada", ""].map(authorName)).toEqual(["Ada", "API"]);
    expect([0, 1, 37].map(changedCount)).toEqual(["", "1 cell changed", "37 cells changed"]);
  });
});
