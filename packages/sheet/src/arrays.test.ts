import { describe, expect, it } from "vitest";
import { FormulaEngine, SPILL } from "./formula.js";
import type { Sheet } from "./sheet.js";
import { prng, RandomNetwork, replicas, syncAll } from "./testing.js";
import type { CellValue } from "./value.js";

function sheetWith(cells: Record<string, string>): Sheet {
  const [sheet] = replicas(1, { rows: 30, cols: 8 });
  sheet!.setCellsA1(cells);
  return sheet!;
}

/** The values of a rectangle, read the way the grid reads them (empty cells too). */
function values(sheet: Sheet, a1: string): CellValue[][] {
  const [from, to] = a1.split(":");
  const parse = (ref: string) => ({ col: ref.charCodeAt(0) - 65, row: Number(ref.slice(1)) - 1 });
  const [s, e] = [parse(from!), parse(to ?? from!)];
  const engine = FormulaEngine.of(sheet);
  return Array.from({ length: e.row - s.row + 1 }, (_, i) => Array.from({ length: e.col - s.col + 1 }, (_, j) => engine.valueAt(s.row + i, s.col + j)));
}

describe("arrays that spill", () => {
  it("spill a function's array below and to the right, read by other formulas as values", () => {
    const sheet = sheetWith({ A1: "b", A2: "a", A3: "b", A4: "c", C1: "=UNIQUE(A1:A4)", E1: "=SEQUENCE(2,3,10,5)", D5: "=C2&C3", D6: "=SUM(E1:G2)" });
    expect(values(sheet, "C1:C4")).toEqual([["b"], ["a"], ["c"], [null]]);
    expect(values(sheet, "E1:G2")).toEqual([[10, 15, 20], [25, 30, 35]]);
    expect(values(sheet, "D5:D6")).toEqual([["ac"], [135]]);
  });

  it("spill array arithmetic, ranges alone and TRANSPOSE, with empty cells as 0", () => {
    const sheet = sheetWith({ A1: "1", A2: "2", A3: "3", B1: "=A1:A3*2", C1: "=A1:A4", D1: "=TRANSPOSE(A1:A3)" });
    expect(values(sheet, "B1:C4")).toEqual([[2, 1], [4, 2], [6, 3], [null, 0]]);
    expect(values(sheet, "D1:F1")).toEqual([[1, 2, 3]]);
  });

  it("show #SPILL! while a cell in the way holds something, and spill again once it is cleared", () => {
    const sheet = sheetWith({ A1: "=SEQUENCE(3)", A3: "in the way", B1: "=A2" });
    const engine = FormulaEngine.of(sheet);
    expect(engine.valueAt(0, 0)).toEqual({ error: SPILL });
    expect(engine.valueAt(1, 0)).toBeNull();
    expect(engine.valueAt(0, 1)).toBe(0);
    sheet.setCellsA1({ A3: "" });
    expect(values(sheet, "A1:B3")).toEqual([[1, 2], [2, null], [3, null]]);
    // Typing into the spilled range blocks it again; so does an array running off the sheet.
    sheet.setCellsA1({ A2: "typed", H1: "=SEQUENCE(1,2)", A30: "=SEQUENCE(2)" });
    expect([engine.valueAt(0, 0), engine.valueAt(0, 1), engine.valueAt(0, 7), engine.valueAt(29, 0)]).toEqual([{ error: SPILL }, "typed", { error: SPILL }, { error: SPILL }]);
  });

  it("follow their precedents as they change, and their formula's cell as rows move", () => {
    const sheet = sheetWith({ A1: "3", B1: "=SEQUENCE(A1)", C5: "=SUM(B1:B9)" });
    const engine = FormulaEngine.of(sheet);
    expect(engine.valueAt(4, 2)).toBe(6);
    sheet.setCellsA1({ A1: "4" });
    expect(engine.valueAt(4, 2)).toBe(10);
    expect(values(sheet, "B1:B5")).toEqual([[1], [2], [3], [4], [null]]);
    sheet.insertRows(0, 1);
    expect(values(sheet, "B1:B6")).toEqual([[null], [1], [2], [3], [4], [null]]);
    expect(engine.valueAt(5, 2)).toBe(10);
  });

  it("read each other without waiting on arrays that cannot reach them", () => {
    // A1's UNIQUE reads column D; C2's arithmetic reads A1's array. C2 could never spill into
    // column D, so A1 does not wait on it (which would be a cycle).
    const sheet = sheetWith({ D1: "x", D2: "y", D3: "x", A1: "=UNIQUE(D1:D7)", C2: "=A1:A3&\"!\"" });
    expect(values(sheet, "C2:C4")).toEqual([["x!"], ["y!"], ["0!"]]);
    expect(values(sheet, "A1:A3")).toEqual([["x"], ["y"], [0]]);
  });

  it("correct what read a spill's cells before a formula that did not look like it would spill did, and say so", async () => {
    const sheet = sheetWith({ C1: "5", C2: "6", C3: "7", A2: "=IF(TRUE,C1:C3)", D1: "=A3+A4" });
    const engine = FormulaEngine.of(sheet);
    let told = 0;
    const stop = engine.onSpillFound(() => told++);
    expect(engine.valueAt(0, 3)).toBe(0); // read first: A3 and A4 look empty
    expect(engine.valueAt(1, 0)).toBe(5); // A2 spills
    expect(engine.valueAt(0, 3)).toBe(13);
    await Promise.resolve();
    expect(told).toBe(1);
    stop();
  });

  it("refuse an array of more than a million values before making it", () => {
    const sheet = sheetWith({ A1: "=SUM(SEQUENCE(2000)*SEQUENCE(1,2000))", A2: "=SUM(SEQUENCE(100)*SEQUENCE(1,100))" });
    expect(values(sheet, "A1:A2")).toEqual([[{ error: "#NUM!" }], [25502500]]);
  });

  it("sort, filter and look up as Excel documents it", () => {
    const sheet = sheetWith({
      A1: "pear", B1: "3",
      A2: "apple", B2: "1",
      A3: "fig", B3: "2",
      D1: "=SORT(A1:B3)",
      D5: "=SORT(A1:B3,2,-1)",
      D9: "=SORTBY(A1:A3,B1:B3)",
      F1: "=FILTER(A1:A3,B1:B3>1)",
      F5: '=FILTER(A1:A3,B1:B3>5,"none")',
      F6: "=FILTER(A1:A3,B1:B3>5)",
      G1: '=XLOOKUP("fig",A1:A3,B1:B3)',
      G2: '=XLOOKUP("kiwi",A1:A3,B1:B3,"missing")',
      G3: '=XLOOKUP("APPLE",A1:A3,A1:B3)',
      G5: "=XMATCH(2,B1:B3)",
      G6: "=XMATCH(2.5,B1:B3,1)",
      G7: "=XMATCH(2.5,B1:B3,-1)",
      G8: '=XMATCH("p*",A1:A3,2)',
    });
    expect(values(sheet, "D1:E3")).toEqual([["apple", 1], ["fig", 2], ["pear", 3]]);
    expect(values(sheet, "D5:E7")).toEqual([["pear", 3], ["fig", 2], ["apple", 1]]);
    expect(values(sheet, "D9:D11")).toEqual([["apple"], ["fig"], ["pear"]]);
    expect(values(sheet, "F1:F3")).toEqual([["pear"], ["fig"], [null]]);
    expect(values(sheet, "F5:F6")).toEqual([["none"], [{ error: "#CALC!" }]]);
    expect(values(sheet, "G1:H3")).toEqual([[2, null], ["missing", null], ["apple", 1]]);
    expect(values(sheet, "G5:G8")).toEqual([[3], [1], [3], [1]]);
  });

  it("UNIQUE compares without regard to case, by rows, and can keep only what occurs once", () => {
    const sheet = sheetWith({ A1: "a", B1: "1", A2: "A", B2: "1", A3: "b", B3: "2", D1: "=UNIQUE(A1:B3)", G1: "=UNIQUE(A1:A3,FALSE,TRUE)" });
    expect(values(sheet, "D1:E3")).toEqual([["a", 1], ["b", 2], [null, null]]);
    expect(values(sheet, "G1:G2")).toEqual([["b"], [null]]);
  });
});

describe("arrays that spill, edited at once by others", () => {
  it.each(Array.from({ length: 10 }, (_, i) => i + 1))("agree on every replica whatever the order (seed %i)", (seed) => {
    const rand = prng(4000 + seed);
    const int = (n: number) => Math.floor(rand() * n);
    const sheets = replicas(3, { rows: 12, cols: 4 });
    const net = new RandomNetwork(sheets, rand);
    const formulas = ["=SEQUENCE(4)", "=SEQUENCE(2,2)", "=UNIQUE(D1:D6)", "=SORT(D1:D6)", "=A1:A3*2", "=B2+1"];
    for (let step = 0; step < 40; step++) {
      const sheet = sheets[int(sheets.length)]!;
      const [row, col] = [int(8), int(4)];
      const input = rand() < 0.4 ? formulas[int(formulas.length)]! : rand() < 0.5 ? "" : String(int(5));
      sheet.setCells([{ row, col, input }]);
      if (rand() < 0.2) sheet.insertRows(int(8), 1);
      // Read while updates are still on their way, as the grid does.
      FormulaEngine.of(sheet).valueAt(int(8), int(4));
      net.deliverSome();
    }
    net.deliverAll();
    syncAll(sheets);
    const [first, ...others] = sheets;
    for (const other of others) expect(values(other, "A1:D12")).toEqual(values(first!, "A1:D12"));
  });
});
