import { describe, expect, it } from "vitest";
import { CsvError, exportCsv, importRows, parseCsv, toCsv } from "./csv.js";
import { replicas } from "./testing.js";

describe("CSV", () => {
  it("parses quotes, embedded commas, newlines and a BOM", () => {
    expect(parseCsv('\uFEFFa,"b,c","line\nbreak"\r\n"say ""hi""",2\r\n')).toEqual([
      ["a", "b,c", "line\nbreak"],
      ['say "hi"', "2"],
    ]);
  });

  it("rejects an unclosed quote", () => {
    expect(() => parseCsv('a,"unclosed\nb,c')).toThrow(CsvError);
    expect(() => parseCsv('a\nb\n"unclosed,c')).toThrow(/record 3/);
  });

  it("stops parsing as soon as the rows read cover more cells than allowed", () => {
    // Exactly at the limit, trailing newline included, is fine: 3 rows of 2.
    expect(parseCsv("a,b\nc,d\ne,f\n", ",", 6)).toHaveLength(3);
    expect(parseCsv("a,b\n\ne,f", ",", 6)).toEqual([["a", "b"], [""], ["e", "f"]]);
    // The widest row so far counts for every row: 2 rows, then a third of width 3 makes 9.
    expect(() => parseCsv("a\nb\nc,d,e", ",", 8)).toThrow(expect.objectContaining({ name: "CsvError", tooLarge: true }));
    // The unclosed quote at the end is never reached.
    const oversized = `${"1,2\n".repeat(10)}"unclosed`;
    expect(() => parseCsv(oversized, ",", 10)).toThrow(/more than 10 cells/);
    expect(() => parseCsv(oversized)).toThrow(expect.objectContaining({ tooLarge: false, message: expect.stringMatching(/^malformed/) }));
  });

  it("neutralises formulas only when asked, and keeps plain numbers", () => {
    const rows = [["=1+1", "+cmd", "-2", "-x", "@SUM(A1)", "plain"]];
    expect(toCsv(rows)).toBe("=1+1,+cmd,-2,-x,@SUM(A1),plain");
    expect(toCsv(rows, { neutralizeFormulas: true })).toBe("'=1+1,'+cmd,-2,'-x,'@SUM(A1),plain");
    const attacks = ["+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=5"];
    expect(parseCsv(toCsv([attacks], { neutralizeFormulas: true }))).toEqual([attacks.map((v) => `'${v}`)]);
    const numbers = ["-2", "+3", "-1.5e3", "+.5", "42"];
    expect(toCsv([numbers], { neutralizeFormulas: true })).toBe("-2,+3,-1.5e3,+.5,42");
  });

  it("imports at a position and exports the used range", () => {
    const [sheet] = replicas(1);
    importRows(sheet!, parseCsv("name,qty\napple,3\n"), { row: 1, col: 1 });
    expect(sheet!.toA1Record()).toEqual({ B2: "name", C2: "qty", B3: "apple", C3: "3" });
    expect(exportCsv(sheet!)).toBe(",,\r\n,name,qty\r\n,apple,3");
  });

  it("exports what cells show, or their inputs as typed when asked", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A1: "1200", B1: "=A1*2", C1: "=1/0", A2: "=UPPER(\"=x\")", B2: "0.5" });
    sheet!.setStyle({ start: { row: 1, col: 1 }, end: { row: 1, col: 1 } }, { numFmt: "0.00%" });
    expect(exportCsv(sheet!)).toBe("1200,2400,#DIV/0!\r\n=X,50.00%,");
    // Shown text that a spreadsheet would run is neutralised too.
    expect(exportCsv(sheet!, { neutralizeFormulas: true })).toBe("1200,2400,#DIV/0!\r\n'=X,50.00%,");
    expect(exportCsv(sheet!, { values: "inputs" })).toBe('1200,=A1*2,=1/0\r\n"=UPPER(""=x"")",0.5,');
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
