import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { CIRCULAR, FormulaEngine } from "./formula.js";
import { FIRST_TAB } from "./schema.js";
import type { Sheet } from "./sheet.js";
import { Workbook } from "./tabs.js";
import { replicas, syncAll } from "./testing.js";

/** A workbook with tabs Sheet1 (the first), Data and "Q1 plan". */
function workbook(sheet: Sheet) {
  const book = Workbook.of(sheet.doc);
  const data = book.sheet(book.add({ name: "Data", rows: 20, cols: 5 }));
  const plan = book.sheet(book.add({ name: "Q1 plan", rows: 20, cols: 5 }));
  return { book, first: sheet, data, plan };
}

const value = (sheet: Sheet, a1: string) => {
  const m = /^([A-Z]+)([0-9]+)$/.exec(a1)!;
  return FormulaEngine.of(sheet).valueAt(Number(m[2]) - 1, m[1]!.charCodeAt(0) - 65);
};

describe("formulas across tabs", () => {
  it("read other tabs by name, quoted or not, cells, ranges and whole columns, and follow their edits", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 5 });
    const { first, data, plan } = workbook(sheet!);
    data.setCellsA1({ B2: "21", A1: "1", A2: "2", A3: "3" });
    plan.setCellsA1({ A1: "10", A2: "20", A3: "=A1+A2" });
    first.setCellsA1({ A1: "=Data!B2*2", A2: "=SUM('Q1 plan'!A1:A3)", A3: "=SUM(Data!A:A)", A4: "=data!B2+A1" });
    expect(["A1", "A2", "A3", "A4"].map((a) => value(first, a))).toEqual([42, 60, 6, 63]);
    // Edits on the other tabs reach the formulas here, through formulas there too.
    data.setCellsA1({ B2: "5" });
    plan.setCellsA1({ A1: "100" });
    data.setCellsA1({ A4: "10" });
    expect(["A1", "A2", "A3", "A4"].map((a) => value(first, a))).toEqual([10, 240, 16, 15]);
    expect(first.getInput(1, 0)).toBe("=SUM('Q1 plan'!A1:A3)");
    // Rows inserted above on the other tab: the reference follows its cell.
    data.insertRows(0, 2);
    expect(first.getInput(0, 0)).toBe("=Data!B4*2");
    expect(value(first, "A1")).toBe(10);
  });

  it("keep working when a tab is renamed, show #REF! for a deleted tab and a name no tab has, and come back", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 5 });
    const { book, first, data } = workbook(sheet!);
    data.setCellsA1({ B2: "7" });
    first.setCellsA1({ A1: "=Data!B2", B1: "7", A2: "=Nope!B1" });
    book.rename(data.tab, "Inputs");
    expect([first.getInput(0, 0), value(first, "A1")]).toEqual(["=Inputs!B2", 7]);
    // Not this tab's B1: a name no tab has is #REF!, until a tab has it.
    expect(value(first, "A2")).toEqual({ error: "#REF!" });
    const nope = book.sheet(book.add({ name: "Nope", rows: 3, cols: 3 }));
    nope.setCellsA1({ B1: "99" });
    expect(value(first, "A2")).toBe(99);
    const undo = new Y.UndoManager(first.types.tabs, { trackedOrigins: new Set(["me"]) });
    book.delete(data.tab, "me");
    expect([first.getInput(0, 0), value(first, "A1")]).toEqual(["=#REF!", { error: "#REF!" }]);
    undo.undo();
    expect([first.getInput(0, 0), value(first, "A1")]).toEqual(["=Inputs!B2", 7]);
  });

  it("show a cycle through tabs as #CIRCULAR!", () => {
    const [sheet] = replicas(1, { rows: 5, cols: 5 });
    const { first, data } = workbook(sheet!);
    first.setCellsA1({ A1: "=Data!A1+1" });
    data.setCellsA1({ A1: "=Sheet1!A1+1" });
    expect(value(first, "A1")).toEqual({ error: CIRCULAR });
    data.setCellsA1({ A1: "5" });
    expect(value(first, "A1")).toBe(6);
  });

  it("typed offline by a tab's old name, point at the renamed tab after merging", () => {
    const [ada, bob] = replicas(2, { rows: 5, cols: 5 });
    const data = Workbook.of(ada!.doc).add({ name: "Data", rows: 5, cols: 5 });
    Workbook.of(ada!.doc).sheet(data).setCellsA1({ A1: "3" });
    syncAll([ada!, bob!]);
    Workbook.of(ada!.doc).rename(data, "Inputs");
    bob!.setCellsA1({ B1: "=Data!A1*10" });
    syncAll([ada!, bob!]);
    for (const s of [ada!, bob!]) {
      expect(s.getInput(0, 1)).toBe("=Inputs!A1*10");
      expect(value(s, "B1")).toBe(30);
    }
    expect(Workbook.of(bob!.doc).find(FIRST_TAB)?.name).toBe("Sheet1");
  });
});

describe("formulas across tabs, hardened", () => {
  it("refresh what depends on a formula forgotten because another tab moved or the tabs changed", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 5 });
    const { book, first, data } = workbook(sheet!);
    data.setCellsA1({ A1: "5", A2: "3" });
    first.setCellsA1({ A2: "=SUM(Data!A1:A3)", B2: "=A2*10", A1: "=Data!A1", B1: "=A1+1" });
    expect([value(first, "B2"), value(first, "B1")]).toEqual([80, 6]);
    data.insertRows(0, 1);
    data.setCellsA1({ A2: "100" });
    expect(value(first, "B2")).toBe(1030);
    book.delete(data.tab);
    expect(value(first, "B1")).toEqual({ error: "#REF!" });
  });

  it("keep their values when a tab is only coloured, and read again when names or order change", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 5 });
    const { book, first, data } = workbook(sheet!);
    data.setCellsA1({ A1: "7" });
    first.setCellsA1({ A1: "=Data!A1*2" });
    expect(value(first, "A1")).toBe(14);
    const engine = FormulaEngine.of(first);
    const before = engine.evaluations;
    book.setColor(data.tab, "#ff0000");
    expect(value(first, "A1")).toBe(14);
    expect(engine.evaluations).toBe(before);
    book.rename(data.tab, "Inputs");
    expect(value(first, "A1")).toBe(14);
    expect(engine.evaluations).toBe(before + 1);
  });

  it("follow a long chain through tabs without recursion", () => {
    const [sheet] = replicas(1, { rows: 2001, cols: 2 });
    const { first, data } = workbook(sheet!);
    // A1 on each tab reads A2 on the other, which reads A3 on the first, …: 4,000 hops.
    const writes = (other: string) => Array.from({ length: 2000 }, (_, i) => ({ row: i, col: 0, input: `=${other}!A${i + 2}+1` }));
    first.setCells(writes("Data"));
    data.setCells(writes("Sheet1"));
    expect(value(first, "A1")).toBe(2000);
    expect(value(data, "A1")).toBe(2000);
    first.setCellsA1({ B5: "=1+1" });
    expect(value(first, "B5")).toBe(2);
  });
});
