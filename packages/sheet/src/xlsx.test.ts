import ExcelJS from "exceljs";
import { mergeCells, merges } from "./merges.js";
import { describe, expect, it, vi } from "vitest";
import { CONTENT_LIMITS } from "./content.js";
import { FormulaEngine } from "./formula.js";
import { replicas } from "./testing.js";
import { IMPORTED_AUTHOR, importXlsx, readXlsx, writeXlsx, XlsxError } from "./xlsx.js";

const cellAt = { row: 0, col: 0 };

describe("XLSX", () => {
  it("writes a file that opens whatever characters the cells and comments hold", async () => {
    const [sheet] = replicas(1, { rows: 5, cols: 5, title: "odd\uFFFEtitle" });
    sheet!.setCellsA1({ A1: "a\uFFFEb", B1: '="\uFFFF"&1' });
    const { rowId, colId } = sheet!.idsAt(0, 0)!;
    sheet!.comments.append({ id: "t1", action: "open", thread: "t1", rowId, colId, text: "x\uFFFFy" }, { author: "N\uFFFE", person: "", at: 1 });
    const data = (await readXlsx(await writeXlsx(sheet!.doc), 100))[0]!;
    expect(data.rows[0]![0]).toBe("a\uFFFDb");
    expect(data.notes[0]!.text).toBe("N\uFFFD:\nx\uFFFDy");
  });

  it("stops importing notes at the sheet's comment limit", async () => {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("Notes");
    for (let r = 1; r <= 150; r++) {
      ws.getCell(r, 1).value = r;
      ws.getCell(r, 1).note = `note ${r}`;
    }
    const data = (await readXlsx(new Uint8Array(await book.xlsx.writeBuffer()), 1000))[0]!;
    const [sheet] = replicas(1, { rows: 200, cols: 3 });
    const { rowId, colId } = sheet!.idsAt(0, 0)!;
    const filler = Array.from({ length: CONTENT_LIMITS.commentEvents - 10 }, (_, i) => ({
      id: `f${i}`,
      action: "open" as const,
      thread: `f${i}`,
      rowId,
      colId,
      text: "x",
      author: "A",
      person: "",
      at: 1,
    }));
    sheet!.types.comments.push(filler);
    importXlsx(sheet!, data, cellAt);
    expect(sheet!.types.comments.length).toBe(CONTENT_LIMITS.commentEvents);
    expect(sheet!.getInput(149, 0)).toBe("150");
  });

  it("writes open comment threads as notes, and reads notes back as comments", async () => {
    const [sheet] = replicas(1, { rows: 10, cols: 5 });
    sheet!.setCellsA1({ A1: "Total" });
    const at = (row: number, col: number) => sheet!.idsAt(row, col)!;
    const stamp = (author: string) => ({ author, person: "p", at: 1 });
    sheet!.comments.append({ id: "t1", action: "open", thread: "t1", ...at(0, 0), text: "Is this right?" }, stamp("Ann"));
    sheet!.comments.append({ id: "r1", action: "reply", thread: "t1", text: "Yes" }, stamp("Bob"));
    // On an empty cell, and a resolved thread, which is not written.
    sheet!.comments.append({ id: "t2", action: "open", thread: "t2", ...at(3, 2), text: "Fill this in" }, stamp("Ann"));
    sheet!.comments.append({ id: "t3", action: "open", thread: "t3", ...at(1, 1), text: "Done already" }, stamp("Ann"));
    sheet!.comments.append({ id: "s3", action: "resolve", thread: "t3" }, stamp("Ann"));
    const bytes = await writeXlsx(sheet!.doc);

    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const ws = book.worksheets[0]!;
    const note = (a1: string) => {
      const n = ws.getCell(a1).note as ExcelJS.Comment | string | undefined;
      return typeof n === "string" ? n : n?.texts?.map((t) => t.text).join("");
    };
    expect(note("A1")).toBe("Ann:\nIs this right?\n\nBob:\nYes");
    expect(note("C4")).toBe("Ann:\nFill this in");
    expect(note("B2")).toBeUndefined();

    const data = (await readXlsx(bytes, 1000))[0]!;
    expect(data.notes).toEqual([
      { row: 0, col: 0, text: "Ann:\nIs this right?\n\nBob:\nYes" },
      { row: 3, col: 2, text: "Ann:\nFill this in" },
    ]);
    const [copy] = replicas(1, { rows: 10, cols: 5 });
    importXlsx(copy!, data, { row: 1, col: 1 });
    const threads = copy!.comments.placed().map((p) => [p.row, p.col, p.thread.comments.map((c) => [c.author, c.text])]);
    expect(threads).toEqual([
      [1, 1, [[IMPORTED_AUTHOR, "Ann:\nIs this right?\n\nBob:\nYes"]]],
      [4, 3, [[IMPORTED_AUTHOR, "Ann:\nFill this in"]]],
    ]);
  });

  it("round-trips values, formulas, formatting, widths and frozen panes", async () => {
    const [sheet] = replicas(1, { rows: 50, cols: 10, title: "Budget: 2024/Q1" });
    sheet!.setCellsA1({ A1: "Item", B1: "Amount", A2: "Rent", B2: "1200.5", A3: "Total", B3: "=SUM(B2:B2)*2", C3: "=1/0", D4: "TRUE", E1: "12.5%", E2: "2024-01-15" });
    sheet!.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 1 } }, { bold: true, fill: "#ffee00", color: "#112233" });
    sheet!.setStyle({ start: { row: 1, col: 1 }, end: { row: 2, col: 1 } }, { numFmt: "$#,##0.00", align: "center", italic: true });
    sheet!.setColWidth(0, 180);
    sheet!.setRowHeight(3, 3, 40);
    mergeCells(sheet!, { start: { row: 5, col: 0 }, end: { row: 6, col: 1 } });
    sheet!.setStyle({ start: { row: 3, col: 3 }, end: { row: 3, col: 3 } }, { wrap: true, valign: "top", underline: true, strike: true, fontSize: 14 });
    sheet!.setFrozen({ rows: 1, cols: 1 });
    const bytes = await writeXlsx(sheet!.doc);

    // Excel's view of the file: the computed results are cached next to the formulas.
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const ws = book.worksheets[0]!;
    expect(ws.name).toBe("Sheet1");
    expect(ws.getCell("B3").value).toEqual({ formula: "SUM(B2:B2)*2", result: 2401 });
    expect(ws.getCell("D4").value).toBe(true);
    expect(ws.getCell("D4").alignment).toMatchObject({ wrapText: true, vertical: "top" });
    expect(ws.getCell("D4").font).toMatchObject({ underline: true, strike: true, size: 14 });
    expect(ws.getRow(4).height).toBe(30);
    expect([ws.getCell("E1").value, ws.getCell("E1").numFmt]).toEqual([0.125, "0.0%"]);
    expect([ws.getCell("E2").value, ws.getCell("E2").numFmt]).toEqual([new Date(Date.UTC(2024, 0, 15)), "yyyy-mm-dd"]);

    const data = (await readXlsx(bytes, 1000))[0]!;
    const [copy] = replicas(1, { rows: 5, cols: 3 });
    importXlsx(copy!, data, cellAt);
    // Typed `12.5%` and `2024-01-15` come back as their numbers, shown the same way.
    const { E1, E2, ...rest } = copy!.toA1Record();
    const { E1: _e1, E2: _e2, ...original } = sheet!.toA1Record();
    expect(rest).toEqual(original);
    expect([E1, copy!.styleAt(0, 4).numFmt, E2, copy!.styleAt(1, 4).numFmt]).toEqual(["0.125", "0.0%", "45306", "yyyy-mm-dd"]);
    expect(copy!.styleAt(0, 1)).toEqual({ bold: true, fill: "#ffee00", color: "#112233" });
    expect(copy!.styleAt(2, 1)).toEqual({ numFmt: "$#,##0.00", align: "center", italic: true });
    expect(copy!.colWidth(0)).toBe(180);
    expect(copy!.rowHeight(3)).toBe(40);
    expect(merges(copy!)).toEqual([{ start: { row: 5, col: 0 }, end: { row: 6, col: 1 } }]);
    expect(copy!.styleAt(3, 3)).toEqual({ wrap: true, valign: "top", underline: true, strike: true, fontSize: 14 });
    expect(copy!.frozen).toEqual({ rows: 1, cols: 1 });
    expect(FormulaEngine.of(copy!).valueAt(2, 1)).toBe(2401);
    expect(FormulaEngine.of(copy!).valueAt(2, 2)).toEqual({ error: "#DIV/0!" });
  });

  it("reads a merged area as its top-left cell, not as copies of it in the cells it covers", async () => {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("Report");
    ws.getCell("A1").value = "Quarterly report";
    ws.mergeCells("A1:C2");
    ws.getCell("A3").value = 7;
    const data = (await readXlsx(new Uint8Array(await book.xlsx.writeBuffer()), 1000))[0]!;
    expect(data.merges).toEqual([{ start: { row: 0, col: 0 }, end: { row: 1, col: 2 } }]);
    const [sheet] = replicas(1, { rows: 2, cols: 2 });
    importXlsx(sheet!, data, cellAt);
    expect(sheet!.toA1Record()).toEqual({ A1: "Quarterly report", A3: "7" });
    expect(merges(sheet!)).toEqual(data.merges);
  });

  it("reads what Excel writes: dates, shared formulas, rich text, hyperlinks, built-in formats", async () => {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("Data");
    ws.getCell("A1").value = new Date(Date.UTC(2024, 0, 15));
    ws.getCell("A1").numFmt = "m/d/yyyy";
    ws.getCell("B1").value = 1;
    ws.getCell("B2").value = 2;
    ws.getCell("C1").value = { formula: "B1*2", result: 2 };
    ws.getCell("C2").value = { sharedFormula: "C1", result: 4 };
    ws.getCell("D1").value = { richText: [{ text: "rich " }, { text: "text", font: { bold: true } }] };
    ws.getCell("E1").value = { text: "site", hyperlink: "https://example.com" };
    ws.getCell("F1").value = 0.25;
    ws.getCell("F1").numFmt = "0.00%";
    ws.getCell("G1").value = 3;
    ws.getCell("G1").numFmt = "0.000";
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const data = (await readXlsx(bytes, 1000))[0]!;
    expect(data.rows).toEqual([
      ["45306", "1", "=B1*2", "rich text", "site", "0.25", "3"],
      ["", "2", "=B2*2"],
    ]);
    const formats = Object.fromEntries(data.styles.map((s) => [s.col, s.style.numFmt]));
    expect(formats).toEqual({ 0: "yyyy-mm-dd", 5: "0.00%", 6: "#,##0.000" });
  });

  it("writes as text every formula the engine does not parse or that reaches beyond the sheet", async () => {
    const [sheet] = replicas(1, { rows: 20, cols: 5 });
    const unsafe = {
      A3: "=cmd|' /C calc'!A0",
      A4: "=[1]Sheet1!A1",
      A5: "='C:\\x\\[a.xlsx]S'!A1",
      A6: "=Sheet2!A1",
      A7: "=SUM('My sheet'!A1:A2)",
      A8: "=SUM(A1:Sheet2!B2)",
      A9: "=1+",
    };
    sheet!.setCellsA1({ A1: "1", A2: "2", B1: "=SUM(A1:A2)", B2: '="a|b"&A1', ...unsafe });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await writeXlsx(sheet!.doc)) as unknown as ExcelJS.Buffer);
    const ws = book.worksheets[0]!;
    expect(ws.getCell("B1").value).toEqual({ formula: "SUM(A1:A2)", result: 3 });
    expect(ws.getCell("B2").value).toEqual({ formula: '"a|b"&A1', result: "a|b1" });
    for (const [address, input] of Object.entries(unsafe)) {
      const cell = ws.getCell(address);
      expect({ address, type: cell.type, value: cell.value }).toEqual({ address, type: ExcelJS.ValueType.String, value: input });
    }
  });

  it("counts the cells of every worksheet while inflating them, and refuses too many before loading", async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet("Small").getCell("A1").value = "x";
    const big = book.addWorksheet("Big");
    // 6,000 cells: far more XML than one inflated chunk, so tags straddle chunks.
    for (let r = 1; r <= 2000; r++) for (let c = 1; c <= 3; c++) big.getCell(r, c).value = r * c;
    big.getCell("D1").fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFEE00" } }; // formatted, empty: counts
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const cells = 1 + 6000 + 1;
    await expect(readXlsx(bytes, cells)).resolves.toMatchObject([{ name: "Small", rows: [["x"]] }, { name: "Big" }]);
    const load = vi.spyOn(Object.getPrototypeOf(book.xlsx), "load");
    try {
      await expect(readXlsx(bytes, cells - 1)).rejects.toMatchObject({ tooLarge: true, message: `the workbook has more than ${cells - 1} cells` });
      expect(load).not.toHaveBeenCalled();
    } finally {
      load.mockRestore();
    }
  });

  it("refuses a broken or oversized file before writing anything", async () => {
    await expect(readXlsx(new TextEncoder().encode("not a zip"), 10)).rejects.toThrow(XlsxError);
    await expect(readXlsx(new Uint8Array(0), 10)).rejects.toThrow(XlsxError);
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("Big");
    for (let r = 1; r <= 20; r++) ws.getCell(r, 1).value = r;
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    await expect(readXlsx(bytes, 10)).rejects.toThrow(/more than 10 cells/);
    await expect(readXlsx(bytes, 10)).rejects.toMatchObject({ tooLarge: true });
  });
});
