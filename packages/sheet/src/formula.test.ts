import * as Y from "yjs";
import { describe, expect, it, vi } from "vitest";
import { CIRCULAR, displayValue, FormulaEngine } from "./formula.js";
import { parseCell } from "./a1.js";
import { Sheet } from "./sheet.js";
import { Workbook } from "./tabs.js";
import { prng, replicas } from "./testing.js";

function setup(cells: Record<string, string>) {
  const [sheet] = replicas(1, { rows: 100, cols: 10 });
  sheet!.setCellsA1(cells);
  const engine = FormulaEngine.of(sheet!);
  const value = (a1: string) => {
    const { row, col } = parseCell(a1);
    return engine.valueAt(row, col);
  };
  return { sheet: sheet!, value, show: (a1: string) => displayValue(value(a1)) };
}

/** The values of every cell of every tab, from the engines kept so far and from a fresh copy. */
function compared(doc: Y.Doc) {
  const values = (d: Y.Doc) =>
    Workbook.of(d).list().map(({ id }) => {
      const tab = Sheet.of(d, id);
      const engine = FormulaEngine.of(tab);
      return Array.from({ length: tab.rowCount }, (_, r) => Array.from({ length: tab.colCount }, (_, c) => engine.valueAt(r, c)));
    });
  const fresh = new Y.Doc();
  Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc));
  return { kept: values(doc), fresh: values(fresh) };
}

describe("formula values", () => {
  it("computes arithmetic, references, ranges and functions", () => {
    const { value, show } = setup({
      A1: "2", A2: "3", A3: "4", B1: "=A1*A2+A3", B2: "=SUM(A1:A3)", B3: "=AVERAGE(A1:A3)",
      B4: '=IF(B2>5,"big","small")', B5: '=A1&" apples"', B6: "=0.1+0.2", B7: "=A1>1", B8: "=B1+B2",
    });
    expect(value("B1")).toBe(10);
    expect(value("B2")).toBe(9);
    expect(value("B3")).toBe(3);
    expect(value("B4")).toBe("big");
    expect(value("B5")).toBe("2 apples");
    expect(show("B6")).toBe("0.3");
    expect(show("B7")).toBe("TRUE");
    expect(value("B8")).toBe(19);
    expect(value("A1")).toBe(2);
  });

  it("shows the errors spreadsheet users know", () => {
    const { show } = setup({ A1: "=1/0", A2: "=NOSUCHFUNCTION(1)", A3: "=(1+", A4: '=VLOOKUP(9,C1:D2,2,FALSE)', A5: "=A1+1", A6: '="a"*2' });
    expect(show("A1")).toBe("#DIV/0!");
    expect(show("A2")).toBe("#NAME?");
    expect(show("A3")).toBe("#ERROR!");
    expect(show("A4")).toBe("#N/A");
    expect(show("A5")).toBe("#DIV/0!");
    expect(show("A6")).toBe("#VALUE!");
  });

  it("finds circular references instead of hanging", () => {
    const { show } = setup({ A1: "=A1+1", B1: "=C1", C1: "=B1", D1: "=B1*2", E1: "=SUM(E2:E3)", E2: "=E1" });
    expect(show("A1")).toBe(CIRCULAR);
    expect(show("B1")).toBe(CIRCULAR);
    expect(show("C1")).toBe(CIRCULAR);
    expect(show("D1")).toBe(CIRCULAR);
    expect(show("E1")).toBe(CIRCULAR);
  });

  it("does not take two formulas reading the same one for a cycle, whichever is evaluated first", () => {
    // A1 and A2 both wait on B1 and C1; C1 reads B1 too. Reading order must not matter.
    for (const first of ["A1", "A2", "C1", "B1"]) {
      const { value } = setup({ A1: "=B1+C1", A2: "=C1+B1", B1: "=D1+1", C1: "=B1*2", D1: "1" });
      value(first);
      expect([value("A1"), value("A2"), value("B1"), value("C1")]).toEqual([6, 6, 2, 4]);
    }
  });

  it("evaluates running totals that read every row above", () => {
    const cells: Record<string, string> = { A1: "1" };
    for (let r = 2; r <= 40; r++) cells[`A${r}`] = `=SUM(A1:A${r - 1})`;
    const { value } = setup(cells);
    // A(r) = 2^(r-2) for r >= 2.
    expect(value("A40")).toBe(2 ** 38);
    expect(value("A20")).toBe(2 ** 18);
  });

  it("evaluates a cycle again once an edit breaks it", () => {
    const { sheet, value } = setup({ A1: "=B1+1", B1: "=C1+1", C1: "=A1+1", D1: "=A1" });
    expect([value("D1"), value("A1"), value("B1"), value("C1")]).toEqual(Array(4).fill({ error: CIRCULAR }));
    sheet.setCellsA1({ C1: "10" });
    expect([value("A1"), value("B1"), value("C1"), value("D1")]).toEqual([12, 11, 10, 12]);
  });

  it("evaluates a long chain of formulas without recursion", () => {
    // Each level would nest dozens of parser frames in a recursive evaluator.
    const [sheet] = replicas(1, { rows: 1501, cols: 2 });
    sheet!.setCells(Array.from({ length: 1500 }, (_, i) => ({ row: i, col: 0, input: `=A${i + 2}+1` })));
    sheet!.setCellsA1({ A1501: "1" });
    expect(FormulaEngine.of(sheet!).valueAt(0, 0)).toBe(1501);
  });

  it("recomputes after a change, and a deleted reference gives #REF!", () => {
    const { sheet, value, show } = setup({ A1: "1", A2: "=A1*10" });
    expect(value("A2")).toBe(10);
    sheet.setCellsA1({ A1: "5" });
    expect(value("A2")).toBe(50);
    sheet.insertRows(0, 1);
    expect(value("A3")).toBe(50);
    sheet.deleteRows(1, 1);
    expect(sheet.getInput(1, 0)).toBe("=#REF!*10");
    expect(show("A2")).toBe("#REF!");
  });

  it("an edit recomputes only what depends on it, directly or not", () => {
    const { sheet, value } = setup({ A1: "1", A2: "2", B1: "=A1*2", B2: "=A2*2", B3: "=B1+1", C1: "=SUM(A1:A5)" });
    const engine = FormulaEngine.of(sheet);
    const all = () => ["B1", "B2", "B3", "C1"].map(value);
    expect(all()).toEqual([2, 4, 3, 3]);
    let before = engine.evaluations;
    sheet.setCellsA1({ A1: "10" });
    expect(all()).toEqual([20, 4, 21, 12]);
    expect(engine.evaluations - before).toBe(3); // B1, B3 and C1; not B2
    before = engine.evaluations;
    sheet.setCellsA1({ A4: "100" }); // an empty cell inside a range that C1 reads
    expect(all()).toEqual([20, 4, 21, 112]);
    expect(engine.evaluations - before).toBe(1);
    before = engine.evaluations;
    sheet.setCellsA1({ D9: "unrelated" });
    expect(all()).toEqual([20, 4, 21, 112]);
    expect(engine.evaluations - before).toBe(0);
  });
});

describe("rows and columns moving", () => {
  it("keeps the values whose cells moved whole, and reads them at their new places", () => {
    const cells: Record<string, string> = { E1: "=SUM(C2:C41)" };
    for (let r = 2; r <= 41; r++) Object.assign(cells, { [`A${r}`]: String(r), [`B${r}`]: "2", [`C${r}`]: `=A${r}*B${r}` });
    const { sheet, value } = setup(cells);
    const engine = FormulaEngine.of(sheet);
    const total = 2 * (((2 + 41) * 40) / 2);
    expect(value("E1")).toBe(total);
    // A row above the range and a column before it: nothing is evaluated again.
    let before = engine.evaluations;
    sheet.insertRows(1, 1);
    sheet.insertCols(0, 1);
    expect(value("F1")).toBe(total);
    expect(value("D3")).toBe(4);
    expect(engine.evaluations - before).toBe(0);
    // An edit at the moved place reaches the moved formulas.
    before = engine.evaluations;
    sheet.setCellsA1({ B3: "12" });
    expect(value("D3")).toBe(24);
    expect(value("F1")).toBe(total + 20);
    expect(engine.evaluations - before).toBe(2);
    // A row inserted inside the range is read: the SUM is evaluated again, with what is put there.
    sheet.insertRows(10, 1);
    sheet.setCellsA1({ D11: "1000" });
    expect(value("F1")).toBe(total + 1020);
    // And a row deleted from it.
    sheet.deleteRows(10, 2);
    expect(value("F1")).toBe(total + 1020 - 1000 - 2 * 10);
  });

  it("evaluates again a formula whose reference a move made #REF! or brought back, though it read nothing there", () => {
    const { sheet, value } = setup({ B2: "1", B3: "2", E1: "=SUM(A1:B3 B2:C6)", A5: "7", F1: "=A5", F2: "=IFERROR(A5,0)", F3: "=SUM(A2:A5)" });
    expect([value("E1"), value("F1"), value("F2"), value("F3")]).toEqual([3, 7, 7, 7]);
    const undo = new Y.UndoManager([sheet.types.rows, sheet.types.cells], { trackedOrigins: new Set(["me"]) });
    sheet.deleteRows(4, 1, "me");
    let { kept, fresh } = compared(sheet.doc);
    expect(kept).toEqual(fresh);
    undo.undo();
    ({ kept, fresh } = compared(sheet.doc));
    expect(kept).toEqual(fresh);
    expect(value("F1")).toBe(7);
    sheet.deleteCols(0, 1);
    ({ kept, fresh } = compared(sheet.doc));
    expect(kept).toEqual(fresh);
  });

  it("does not keep a value read during the transaction that moved rows", () => {
    const { sheet, value } = setup({ A4: "4", A5: "5", B1: "=A5" });
    expect(value("B1")).toBe(5);
    sheet.setCellsA1({ A5: "50" });
    sheet.rows.array.observe(() => value("B2"));
    sheet.insertRows(0, 1);
    expect(value("B2")).toBe(50);
  });

  it("keeps track of moves on every tab after an edit too large to trace", () => {
    const [sheet] = replicas(1, { rows: 1200, cols: 3 });
    const book = Workbook.of(sheet!.doc);
    const data = Sheet.of(sheet!.doc, book.add({ name: "Data" }));
    sheet!.setCells(Array.from({ length: 1100 }, (_, i) => ({ row: i, col: 1, input: `=A${i + 1}*2` })));
    const engine = FormulaEngine.of(sheet!);
    for (let i = 0; i < 1100; i++) engine.valueAt(i, 1);
    data.setCellsA1({ A1: "1", A2: "2", A3: "3", A4: "4" });
    // Data's engine comes after the first tab's, which finds the edit too large and forgets everything.
    expect(FormulaEngine.of(data).valueAt(0, 0)).toBe(1);
    sheet!.doc.transact(() => {
      sheet!.setCells(Array.from({ length: 1000 }, (_, i) => ({ row: i, col: 0, input: String(i) })));
      data.insertRows(0, 1);
    });
    data.setCellsA1({ C1: "=SUM(A2:A4)" });
    expect(FormulaEngine.of(data).valueAt(0, 2)).toBe(6);
    data.insertRows(0, 1);
    data.setCellsA1({ A5: "100" });
    expect(FormulaEngine.of(data).valueAt(1, 2)).toBe(103);
  });

  it("gives the values a full recalculation gives, after random inserts, deletes and edits", () => {
    const formulas = [
      "=A1+B2", "=SUM(A1:C5)", "=ROW()", "=COLUMN(B3)", "=ROWS(A2:A6)", "=INDEX(A1:A8,3)", "=COUNTBLANK(B1:B8)",
      "=SUM(A:A)", "=MATCH(5,A1:A10,0)", "=SUM(2:2)", "=C3*2", "=OFFSET(A1,2,1)", '=INDIRECT("A4")', "=E5+1", "=H9",
    ];
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
      const [sheet] = replicas(1, { rows: 12, cols: 6 });
      const engine = FormulaEngine.of(sheet!);
      const read = (s: Sheet, e: FormulaEngine) =>
        Array.from({ length: s.rowCount }, (_, r) => Array.from({ length: s.colCount }, (_, c) => e.valueAt(r, c)));
      for (let step = 0; step < 40; step++) {
        const roll = rand();
        const row = Math.floor(rand() * Math.min(10, sheet!.rowCount - 1));
        const col = Math.floor(rand() * Math.min(5, sheet!.colCount - 1));
        if (roll < 0.45) sheet!.setCells([{ row, col, input: rand() < 0.5 ? String(Math.floor(rand() * 10)) : pick(formulas) }]);
        else if (roll < 0.6) sheet!.insertRows(row, 1 + Math.floor(rand() * 2));
        else if (roll < 0.7) sheet!.insertCols(col, 1);
        else if (roll < 0.85 && sheet!.rowCount > 4) sheet!.deleteRows(row, 1);
        else if (sheet!.colCount > 3) sheet!.deleteCols(col, 1);
        // Read some cells between steps, so cached values and recorded reads carry across moves.
        if (rand() < 0.7) read(sheet!, engine);
      }
      const fresh = new Y.Doc();
      Y.applyUpdate(fresh, Y.encodeStateAsUpdate(sheet!.doc));
      const copy = Sheet.of(fresh);
      expect(read(sheet!, engine), `seed ${seed}`).toEqual(read(copy, FormulaEngine.of(copy)));
    }
  }, 30_000);
});

describe("large edits", () => {
  it("a paste far larger than the dependents gives the same values", () => {
    const [sheet] = replicas(1, { rows: 3000, cols: 3 });
    sheet!.setCells(Array.from({ length: 2000 }, (_, i) => ({ row: i, col: 1, input: `=A${i + 1}*2` })));
    const engine = FormulaEngine.of(sheet!);
    for (let i = 0; i < 2000; i++) engine.valueAt(i, 1);
    sheet!.setCells(Array.from({ length: 2000 }, (_, i) => ({ row: i, col: 0, input: String(i) })));
    expect(engine.valueAt(1999, 1)).toBe(3998);
    expect(engine.valueAt(0, 1)).toBe(0);
  });
});

describe("values forgotten when read next", () => {
  it("after several transactions with no read between, on every tab, as a full recalculation gives", () => {
    const [sheet] = replicas(1, { rows: 40, cols: 4 });
    const book = Workbook.of(sheet!.doc);
    const data = Sheet.of(sheet!.doc, book.add({ name: "Data" }));
    data.setCellsA1({ A1: "1", A2: "2", A3: "3" });
    sheet!.setCellsA1({ A1: "=SUM(Data!A1:A3)", B1: "=A1*2", B2: "=B1+C5", C5: "10" });
    const engine = FormulaEngine.of(sheet!);
    expect(engine.valueAt(1, 1)).toBe(22);
    // An edit, then a move on each tab, then edits at the moved places: none read in between.
    data.setCellsA1({ A2: "20" });
    data.insertRows(0, 1);
    sheet!.insertRows(0, 2);
    sheet!.setCellsA1({ C7: "100" });
    data.setCellsA1({ A4: "30" });
    expect(engine.valueAt(3, 1)).toBe((1 + 20 + 30) * 2 + 100);
    const { kept, fresh } = compared(sheet!.doc);
    expect(kept).toEqual(fresh);
  });

  it("after more cells were set between two reads than are worth tracing, and a move on another tab, as a full recalculation gives", () => {
    const [sheet] = replicas(1, { rows: 60_000, cols: 3 });
    const data = Sheet.of(sheet!.doc, Workbook.of(sheet!.doc).add({ name: "Data", rows: 10, cols: 2 }));
    data.setCellsA1({ A1: "1", A2: "2" });
    sheet!.setCellsA1({ B1: "=SUM(A1:A60000)+SUM(C1:C60000)", B2: "=A2*2+Data!A2" });
    const engine = FormulaEngine.of(sheet!);
    expect(engine.valueAt(1, 1)).toBe(2);
    // Two imports of 60,000 different cells each: together past the most noted between reads.
    sheet!.setCells(Array.from({ length: 60_000 }, (_, row) => ({ row, col: 0, input: "1" })));
    sheet!.setCells(Array.from({ length: 60_000 }, (_, row) => ({ row, col: 2, input: "2" })));
    data.insertRows(0, 1);
    data.setCellsA1({ A3: "30" });
    const forgetAll = vi.spyOn(FormulaEngine.prototype, "forgetAll");
    try {
      expect(engine.valueAt(0, 1)).toBe(180_000);
      // Every tab's engine forgot everything, rather than trace 120,000 cells' dependents.
      expect(forgetAll).toHaveBeenCalledTimes(2);
    } finally {
      forgetAll.mockRestore();
    }
    expect(engine.valueAt(1, 1)).toBe(2 + 30);
  });

  it("after one tab's engine forgot everything with a move of its tab not yet worked out, on the other tabs too", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 3 });
    const data = Sheet.of(sheet!.doc, Workbook.of(sheet!.doc).add({ name: "Data", rows: 10, cols: 3 }));
    data.setCellsA1({ A1: "1", A2: "2", A3: "3" });
    sheet!.setCellsA1({ A1: "=Data!A2" });
    const engine = FormulaEngine.of(sheet!);
    expect(engine.valueAt(0, 0)).toBe(2);
    data.insertRows(0, 1);
    FormulaEngine.of(data).forgetAll();
    data.setCellsA1({ A3: "20" });
    expect(engine.valueAt(0, 0)).toBe(20);
  });
});

describe("formula results", () => {
  it("keep 15 significant digits, as spreadsheets show them", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A1: "0.8", B1: "=A1*12", B2: "=0.1+0.2" });
    const engine = FormulaEngine.of(sheet!);
    expect(engine.valueAt(0, 1)).toBe(9.6);
    expect(engine.valueAt(1, 1)).toBe(0.3);
  });
});
