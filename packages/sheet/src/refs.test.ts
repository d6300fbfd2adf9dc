import { describe, expect, it } from "vitest";
import { exportCsv } from "./csv.js";
import { FormulaEngine } from "./formula.js";
import { formulaReferences, namedIds, shiftFormula } from "./refs.js";
import { replicas, syncAll } from "./testing.js";

describe("formula references follow their cells", () => {
  it("stores ids and shows A1, leaving strings, functions and numbers alone", () => {
    const [sheet] = replicas(1, { rows: 100, cols: 30 });
    const formula = '=SUM(A1:$B$2)+LOG10(C3)*1E5+"A1 stays"&Z9&$AD100';
    sheet!.setCellsA1({ D4: formula });
    const stored = sheet!.types.cells.toJSON();
    const raw = Object.values(stored)[0] as string;
    expect(raw).not.toContain("A1:");
    expect(raw).toContain('"A1 stays"');
    expect(raw).toContain("LOG10(");
    expect(raw).toContain("1E5");
    expect(raw.match(/\u27e8/g)).toHaveLength(5);
    expect(sheet!.getInput(3, 3)).toBe(formula);
  });

  it("keeps pointing at the same cells after inserts and deletes, and says #REF! for deleted ones", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 10 });
    sheet!.setCellsA1({ A1: "=B5+SUM(B2:B6)", C1: "=$D$3*2" });
    sheet!.insertRows(2, 3); // above B5 (and inside B2:B6)
    sheet!.insertCols(0, 1); // before everything
    expect(sheet!.toA1Record()).toEqual({ B1: "=C8+SUM(C2:C9)", D1: "=$E$6*2" });
    sheet!.deleteRows(5, 1); // the row of $E$6
    expect(sheet!.getInput(0, 3)).toBe("=#REF!*2");
    expect(exportCsv(sheet!, { values: "inputs" })).toContain("=C7+SUM(C2:C8)");
  });

  it("leaves references beyond the sheet as A1 text", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 5 });
    sheet!.setCellsA1({ A1: "=A500+XFD1" });
    expect(Object.values(sheet!.types.cells.toJSON())[0]).toBe("=A500+XFD1");
  });

  it("a formula typed while someone inserts rows above its target points at the same cell for everyone", () => {
    const [a, b] = replicas(2, { rows: 20, cols: 5 });
    a!.setCellsA1({ A5: "42" });
    syncAll([a!, b!]);
    a!.insertRows(0, 2); // concurrently: rows above A5
    b!.setCellsA1({ B1: "=A5*2" }); // typed against the old layout
    syncAll([a!, b!]);
    for (const s of [a!, b!]) {
      expect(s.toA1Record()).toEqual({ A7: "42", B3: "=A7*2" });
    }
  });
});

describe("formulaReferences", () => {
  it("finds cells and ranges with their place in the text, skipping strings and function names", () => {
    const refs = formulaReferences('=SUM(A1:B3)+LOG10(C4)*"D5"+$E$6');
    expect(refs.map((r) => [r.at, r.length, r.range])).toEqual([
      [5, 5, { start: { row: 0, col: 0 }, end: { row: 2, col: 1 } }],
      [18, 2, { start: { row: 3, col: 2 }, end: { row: 3, col: 2 } }],
      [27, 4, { start: { row: 5, col: 4 }, end: { row: 5, col: 4 } }],
    ]);
    expect(formulaReferences("=B3:A1")[0]!.range).toEqual({ start: { row: 0, col: 0 }, end: { row: 2, col: 1 } });
    expect(formulaReferences("A1 is not a formula")).toEqual([]);
  });

  it("names the ids of a stored formula, or null for one with a reference kept as A1 text, whatever its ids look like", () => {
    const [sheet] = replicas(1, { rows: 3, cols: 3 });
    sheet!.setCellsA1({ A1: "=SUM(B1:C3)*$B$2", A2: "=B1+H9", A3: '="D5"&C3' });
    expect([0, 1, 2].map((row) => namedIds(sheet!.storedInput(row, 0))?.length)).toEqual([6, undefined, 2]);
    // Ids may hold `-` and digits: `⟨x-ab12.q-c3⟩` names a cell, not AB12 or C3.
    expect(namedIds("=\u27e8x-ab12.q-c3\u27e9*2")).toEqual(["x-ab12", "q-c3"]);
    expect(namedIds("=\u27e8x-ab12.q-c3\u27e9*C3")).toBeNull();
  });
});

describe("whole columns and rows", () => {
  it("follow their columns and rows through inserts and deletes", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 10 });
    sheet!.setCellsA1({ A1: "1", A2: "2", B1: "10", E1: "=SUM(A:B)+SUM(2:2)", E2: '=SUM($A:$A)&"A:A"' });
    expect(Object.values(sheet!.types.cells.toJSON()).some((v) => String(v).includes("A:B"))).toBe(false);
    expect(sheet!.getInput(0, 4)).toBe("=SUM(A:B)+SUM(2:2)");
    expect(FormulaEngine.of(sheet!).valueAt(0, 4)).toBe(15);
    sheet!.insertCols(1, 1);
    sheet!.insertRows(0, 1);
    expect(sheet!.getInput(1, 5)).toBe("=SUM(A:C)+SUM(3:3)");
    sheet!.setCellsA1({ B5: "100" });
    expect(FormulaEngine.of(sheet!).valueAt(1, 5)).toBe(115);
    expect(sheet!.getInput(2, 5)).toBe('=SUM($A:$A)&"A:A"');
    sheet!.deleteCols(0, 1);
    expect(sheet!.getInput(2, 4)).toBe('=SUM(#REF!)&"A:A"');
    expect(FormulaEngine.of(sheet!).valueAt(2, 4)).toEqual({ error: "#REF!" });
  });

  it("move when filled, unless absolute", () => {
    expect(shiftFormula("=SUM(A:B)+SUM($C:C)+SUM(2:3)", 1, 1)).toBe("=SUM(B:C)+SUM($C:D)+SUM(3:4)");
    expect(shiftFormula("=SUM(A:A)", 0, -1)).toBe("=SUM(#REF!:#REF!)");
  });
});

describe("a range with a deleted end", () => {
  it("reads #REF! as a whole", () => {
    const [sheet] = replicas(1, { rows: 20, cols: 10 });
    sheet!.setCellsA1({ D1: "=SUM(A1:B2)", D2: "=SUM(A1:A3)" });
    sheet!.deleteCols(1, 1);
    sheet!.deleteRows(2, 1);
    expect(sheet!.getInput(0, 2)).toBe("=SUM(#REF!)");
    expect(sheet!.getInput(1, 2)).toBe("=SUM(#REF!)");
    expect(FormulaEngine.of(sheet!).valueAt(0, 2)).toEqual({ error: "#REF!" });
  });
});
