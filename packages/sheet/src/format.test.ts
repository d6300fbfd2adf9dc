import { describe, expect, it } from "vitest";
import { isoDateToSerial, serialToIsoDate } from "./dates.js";
import { formatNumber, numberFormat, parseNumberFormat } from "./format.js";
import { replicas, syncAll } from "./testing.js";

describe("number formats", () => {
  it("round-trips kinds and decimals through Excel format codes", () => {
    for (const kind of ["number", "percent", "currency"] as const) {
      for (const decimals of [0, 2, 4]) {
        expect(parseNumberFormat(numberFormat({ kind, decimals }))).toEqual({ kind, decimals });
      }
    }
    expect(numberFormat({ kind: "number", decimals: 2 })).toBe("#,##0.00");
    expect(numberFormat({ kind: "percent", decimals: 1 })).toBe("0.0%");
    expect(numberFormat({ kind: "currency", decimals: 2 })).toBe("$#,##0.00");
    expect(numberFormat({ kind: "general", decimals: 3 })).toBeUndefined();
    expect(parseNumberFormat("yyyy-mm-dd")).toEqual({ kind: "date", decimals: 0 });
    expect(parseNumberFormat('[Red]0.00;"x"')).toEqual({ kind: "general", decimals: 0 });
  });

  it("shows numbers as their format says and leaves other values alone", () => {
    expect(formatNumber(1234.5678, "#,##0.00")).toBe("1,234.57");
    expect(formatNumber(-1234.5, "#,##0")).toBe("-1,235");
    expect(formatNumber(0.125, "0.0%")).toBe("12.5%");
    expect(formatNumber(1234.5, "$#,##0.00")).toBe("$1,234.50");
    expect(formatNumber(45306, "yyyy-mm-dd")).toBe("2024-01-15");
    expect(formatNumber(45306.75, "yyyy-mm-dd")).toBe("2024-01-15");
    expect(formatNumber("text", "0.00")).toBeNull();
    expect(formatNumber(true, "0.00")).toBeNull();
    expect(formatNumber(12, undefined)).toBeNull();
  });

  it("converts serial dates as Excel does", () => {
    expect(serialToIsoDate(61)).toBe("1900-03-01");
    expect(isoDateToSerial("2024-01-15")).toBe(45306);
    expect(isoDateToSerial("2024-02-30")).toBeNull();
    expect(isoDateToSerial("15/01/2024")).toBeNull();
  });
});

describe("cell styles", () => {
  it("set, read and remove attributes on a range in one transaction", () => {
    const [sheet] = replicas(1);
    let transactions = 0;
    sheet!.doc.on("afterTransaction", () => transactions++);
    sheet!.setStyle({ start: { row: 0, col: 0 }, end: { row: 1, col: 1 } }, { bold: true, fill: "#ffee00", numFmt: "0.00%" });
    expect(transactions).toBe(1);
    expect(sheet!.styleAt(1, 1)).toEqual({ bold: true, fill: "#ffee00", numFmt: "0.00%" });
    expect(sheet!.styleAt(2, 2)).toEqual({});
    sheet!.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { bold: undefined });
    expect(sheet!.styleAt(0, 0)).toEqual({ fill: "#ffee00", numFmt: "0.00%" });
  });

  it("refuses a bad attribute value and writes nothing", () => {
    const [sheet] = replicas(1);
    const range = { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } };
    expect(() => sheet!.setStyle(range, { bold: true, color: "red" })).toThrow(/color/);
    expect(sheet!.styleAt(0, 0)).toEqual({});
  });

  it("keeps concurrent changes to different attributes of one cell", () => {
    const [a, b] = replicas(2);
    const range = { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } };
    a!.setStyle(range, { bold: true });
    b!.setStyle(range, { color: "#ff0000" });
    syncAll([a!, b!]);
    expect(a!.styleAt(0, 0)).toEqual({ bold: true, color: "#ff0000" });
    expect(b!.styleAt(0, 0)).toEqual(a!.styleAt(0, 0));
  });

  it("follow their cells through inserts and go with deleted rows", () => {
    const [sheet] = replicas(1);
    sheet!.setStyle({ start: { row: 2, col: 0 }, end: { row: 2, col: 0 } }, { italic: true });
    sheet!.insertRows(0, 1);
    expect(sheet!.styleAt(3, 0)).toEqual({ italic: true });
    sheet!.deleteRows(3, 1);
    expect(sheet!.types.styles.size).toBe(0);
  });

  it("freezes rows and columns for everyone, within limits", () => {
    const [a, b] = replicas(2);
    a!.setFrozen({ rows: 1, cols: 2 });
    syncAll([a!, b!]);
    expect(b!.frozen).toEqual({ rows: 1, cols: 2 });
    expect(() => a!.setFrozen({ rows: 500 })).toThrow();
    expect(a!.frozen).toEqual({ rows: 1, cols: 2 });
  });
});
