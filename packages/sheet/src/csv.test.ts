import { describe, expect, it } from "vitest";
import { CsvError, csvCellCount, exportCsv, importRows, parseCsv, toCsv } from "./csv.js";
import { replicas } from "./testing.js";

describe("CSV", () => {
  it("parses quotes, embedded commas, newlines and a BOM", () => {
    expect(parseCsv('\uFEFFa,"b,c","line\nbreak"\r\n"say ""hi""",2\r\n')).toEqual([
      ["a", "b,c", "line\nbreak"],
      ['say "hi"', "2"],
    ]);
    expect(csvCellCount([["a", "b", "c"], ["d"]])).toBe(6);
  });

  it("rejects an unclosed quote", () => {
    expect(() => parseCsv('a,"unclosed\nb,c')).toThrow(CsvError);
  });

  it("neutralises formulas only when asked, and keeps negative numbers", () => {
    const rows = [["=1+1", "+cmd", "-2", "-x", "@SUM(A1)", "plain"]];
    expect(toCsv(rows)).toBe("=1+1,+cmd,-2,-x,@SUM(A1),plain");
    expect(toCsv(rows, { neutralizeFormulas: true })).toBe("'=1+1,'+cmd,-2,'-x,'@SUM(A1),plain");
  });

  it("imports at a position and exports the used range", () => {
    const [sheet] = replicas(1);
    importRows(sheet!, parseCsv("name,qty\napple,3\n"), { row: 1, col: 1 });
    expect(sheet!.toA1Record()).toEqual({ B2: "name", C2: "qty", B3: "apple", C3: "3" });
    expect(exportCsv(sheet!)).toBe(",,\r\n,name,qty\r\n,apple,3");
  });

  it("round-trips awkward text", () => {
    const rows = [['a "quoted", value', "multi\nline"], ["", "é ü 漢字"]];
    const [sheet] = replicas(1);
    importRows(sheet!, parseCsv(toCsv(rows)), { row: 0, col: 0 });
    expect(parseCsv(exportCsv(sheet!))).toEqual(rows);
  });
});

describe("tab-separated text", () => {
  it("round-trips quoted tabs, newlines and quotes as spreadsheets put them on the clipboard", () => {
    const rows = [["a\tb", "line\nbreak"], ['say "hi"', "3"]];
    const tsv = toCsv(rows, { delimiter: "\t" });
    expect(tsv).toBe('"a\tb"\t"line\nbreak"\r\n"say ""hi"""\t3');
    expect(parseCsv(tsv, "\t")).toEqual(rows);
    expect(parseCsv("1\t2\r\n3\t4\r\n", "\t")).toEqual([["1", "2"], ["3", "4"]]);
  });
});
