import { describe, expect, it } from "vitest";
import { parseRange, resolveRange, type Range } from "./a1.js";
import { fillRange } from "./fill.js";
import { FormulaEngine } from "./formula.js";
import { shiftFormula } from "./refs.js";
import { replicas } from "./testing.js";

const r = (a1: string): Range => resolveRange(parseRange(a1), { rows: 100, cols: 30 });

describe("shiftFormula", () => {
  it("moves relative parts, keeps absolute ones, and leaves strings and names alone", () => {
    expect(shiftFormula("=A1+$B$2+C$3+$D4", 2, 1)).toBe("=B3+$B$2+D$3+$D6");
    expect(shiftFormula('=SUM(A1:A3)&"A1"&LOG10(B2)', 1, 0)).toBe('=SUM(A2:A4)&"A1"&LOG10(B3)');
    expect(shiftFormula("=A1", -1, 0)).toBe("=#REF!");
    expect(shiftFormula("plain A1", 3, 3)).toBe("plain A1");
  });
});

describe("fillRange", () => {
  it("copies down with formulas adjusted and formatting copied (Ctrl+D)", () => {
    const [sheet] = replicas(1, { rows: 100, cols: 30 });
    sheet!.setCellsA1({ A1: "1", A2: "2", A3: "3", B1: "=A1*2", C1: "x" });
    sheet!.setStyle(r("B1"), { bold: true });
    let transactions = 0;
    sheet!.doc.on("afterTransaction", () => transactions++);
    fillRange(sheet!, r("B1:C1"), r("B1:C3"), {}, "me");
    expect(transactions).toBe(1);
    expect(sheet!.readRange(r("B1:C3"))).toEqual([
      ["=A1*2", "x"],
      ["=A2*2", "x"],
      ["=A3*2", "x"],
    ]);
    expect(FormulaEngine.of(sheet!).valueAt(2, 1)).toBe(6);
    expect(sheet!.styleAt(2, 1)).toEqual({ bold: true });
  });

  it("continues numeric, date and counter series, and repeats what is not a series", () => {
    const [sheet] = replicas(1, { rows: 100, cols: 30 });
    sheet!.setCellsA1({ A1: "1", A2: "3", B1: "a", B2: "b", C1: "2024-01-01", C2: "2024-01-08", D1: "Item 9", D2: "Item 10" });
    fillRange(sheet!, r("A1:D2"), r("A1:D5"), { series: true });
    expect(sheet!.readRange(r("A3:D5"))).toEqual([
      ["5", "a", "2024-01-15", "Item 11"],
      ["7", "b", "2024-01-22", "Item 12"],
      ["9", "a", "2024-01-29", "Item 13"],
    ]);
    // One cell: a date or a counter steps by one, a number is copied.
    sheet!.setCellsA1({ F1: "2024-01-30", G1: "Item 9", H1: "7" });
    fillRange(sheet!, r("F1:H1"), r("F1:H3"), { series: true });
    expect(sheet!.readRange(r("F2:H3"))).toEqual([
      ["2024-01-31", "Item 10", "7"],
      ["2024-02-01", "Item 11", "7"],
    ]);
  });

  it("steps a single date-formatted number by a day", () => {
    const [sheet] = replicas(1, { rows: 100, cols: 30 });
    sheet!.setCellsA1({ A1: "45306" });
    sheet!.setStyle(r("A1"), { numFmt: "yyyy-mm-dd" });
    fillRange(sheet!, r("A1"), r("A1:A3"), { series: true });
    expect(sheet!.readRange(r("A2:A3")).flat()).toEqual(["45307", "45308"]);
    expect(sheet!.styleAt(2, 0)).toEqual({ numFmt: "yyyy-mm-dd" });
  });

  it("fills right and up, continuing backwards", () => {
    const [sheet] = replicas(1, { rows: 100, cols: 30 });
    sheet!.setCellsA1({ C5: "10", C6: "20", D5: "=C5" });
    fillRange(sheet!, r("C5:C6"), r("C2:C6"), { series: true });
    expect(sheet!.readRange(r("C2:C4")).flat()).toEqual(["-20", "-10", "0"]);
    fillRange(sheet!, r("D5"), r("D5:F5"));
    expect(sheet!.readRange(r("E5:F5")).flat()).toEqual(["=D5", "=E5"]);
  });

  it("refuses a target that does not extend the source in one direction, writing nothing", () => {
    const [sheet] = replicas(1, { rows: 100, cols: 30 });
    sheet!.setCellsA1({ B2: "1" });
    expect(() => fillRange(sheet!, r("B2"), r("A1:C3"))).toThrow(/one direction/);
    expect(sheet!.toA1Record()).toEqual({ B2: "1" });
  });
});
