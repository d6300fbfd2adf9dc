import { describe, expect, it } from "vitest";
import { serialToIsoDateTime, typedDateToSerial } from "./dates.js";
import { DATE_CODE, DATETIME_CODE } from "./format.js";
import { FormulaEngine, shownFormat, shownRange } from "./formula.js";
import { replicas, syncAll } from "./testing.js";
import { numberOf } from "./value.js";

/** 2024-12-25, as Excel counts it. */
const CHRISTMAS = 45651;

describe("typed dates", () => {
  it("are read in the common forms, with or without a time", () => {
    for (const text of ["2024-12-25", "12/25/2024", "25 Dec 2024", "25-Dec-2024", "25 December 2024", "Dec 25, 2024", "December 25 2024", "12/25/24", " 2024-12-25 "]) {
      expect(typedDateToSerial(text), text).toBe(CHRISTMAS);
    }
    expect(typedDateToSerial("2024-12-25 14:30")).toBeCloseTo(CHRISTMAS + 14.5 / 24, 10);
    expect(typedDateToSerial("12/25/2024 2:30 PM")).toBeCloseTo(CHRISTMAS + 14.5 / 24, 10);
    expect(typedDateToSerial("2024-12-25T00:00:30")).toBeCloseTo(CHRISTMAS + 30 / 86400, 10);
    expect(typedDateToSerial("1/1/30")).toBe(typedDateToSerial("1930-01-01"));
  });

  it("follow the workbook's order for slashes, and refuse what is not a real date", () => {
    expect(typedDateToSerial("25/12/2024", "dmy")).toBe(CHRISTMAS);
    expect(typedDateToSerial("25/12/2024", "mdy")).toBeNull();
    expect(typedDateToSerial("3/4/2025", "mdy")).toBe(typedDateToSerial("2025-03-04"));
    expect(typedDateToSerial("3/4/2025", "dmy")).toBe(typedDateToSerial("2025-04-03"));
    for (const text of ["2024-04-31", "2/30/2024", "13/13/2024", "2024-12-25 25:00", "12/25/2024 13:00 PM", "25 Dex 2024", "1/2", "12.25.2024", "2024-12-25x"]) {
      expect(typedDateToSerial(text), text).toBeNull();
    }
  });

  it("are numbers to formulas, in the order the workbook sets", () => {
    const [sheet] = replicas(1, { rows: 5, cols: 3 });
    sheet!.setCellsA1({ A1: "3/4/2025", B1: "=A1+1", C1: "=MONTH(A1)" });
    const engine = FormulaEngine.of(sheet!);
    expect(numberOf("12/25/2024")).toBe(CHRISTMAS);
    expect(engine.valueAt(0, 2)).toBe(3);
    sheet!.setDateOrder("dmy");
    expect(engine.valueAt(0, 2)).toBe(4);
    expect(() => sheet!.setDateOrder("ymd" as "dmy")).toThrow(/date order/);
  });
});

describe("formulas giving dates", () => {
  it("show as dates without a format of their own, as in Excel", () => {
    const [sheet] = replicas(1, { rows: 5, cols: 6 });
    sheet!.setCellsA1({
      A1: "2024-12-25",
      B1: "=A1+7",
      C1: "=DATE(2024,12,25)",
      D1: "=EDATE(A1,1)",
      E1: "=A2-A1",
      F1: "=A1*1",
      A2: "2025-01-01",
      B2: "=B1-3",
      C2: "=TODAY()",
      D2: "=NOW()",
      E2: "=YEAR(A1)",
    });
    const formats = [1, 2, 3, 4, 5].flatMap((col) => [0, 1].map((row) => shownFormat(sheet!, row, col)));
    expect(formats).toEqual([DATE_CODE, DATE_CODE, DATE_CODE, DATE_CODE, DATE_CODE, DATETIME_CODE, undefined, undefined, undefined, undefined]);
    expect(shownRange(sheet!, { start: { row: 0, col: 1 }, end: { row: 1, col: 4 } })).toEqual([
      ["2025-01-01", "2024-12-25", "2025-01-25", "7"],
      ["2024-12-29", expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/), "2024"],
    ]);
    // A format of its own wins.
    sheet!.setStyle({ start: { row: 0, col: 1 }, end: { row: 0, col: 1 } }, { numFmt: "#,##0.00" });
    expect(shownFormat(sheet!, 0, 1)).toBe("#,##0.00");
  });

  it("show a time of day to the minute", () => {
    expect(serialToIsoDateTime(CHRISTMAS + 0.5)).toBe("2024-12-25 12:00");
    expect(serialToIsoDateTime(CHRISTMAS + 0.99999)).toBe("2024-12-26 00:00");
  });
});

describe("volatile functions", () => {
  it("draw the same random numbers on every replica, new ones when the formula is changed", () => {
    const [a, b] = replicas(2, { rows: 5, cols: 3 });
    a!.setCellsA1({ A1: "=RAND()", A2: "=RAND()+RAND()", A3: "=RANDBETWEEN(1,6)", B1: "=RAND()" });
    syncAll([a!, b!]);
    const read = (s: typeof a) => [0, 1, 2].map((r) => FormulaEngine.of(s!).valueAt(r, 0)).concat(FormulaEngine.of(s!).valueAt(0, 1));
    const first = read(a);
    expect(read(b)).toEqual(first);
    const [x, pair, die, y] = first as number[];
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
    expect(x).not.toBe(y);
    expect(pair).not.toBe(2 * x!);
    expect(Number.isInteger(die) && die! >= 1 && die! <= 6).toBe(true);
    b!.setCellsA1({ A1: "=RAND()*1" });
    syncAll([a!, b!]);
    expect(FormulaEngine.of(a!).valueAt(0, 0)).toBe(FormulaEngine.of(b!).valueAt(0, 0));
    expect(FormulaEngine.of(a!).valueAt(0, 0)).not.toBe(x);
  });
});
