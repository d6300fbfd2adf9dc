/// <reference path="./fast-formula-parser.d.ts" />
import type ExcelJS from "exceljs";
import FormulaParser from "fast-formula-parser";
import JSZip from "jszip";
import { parseCell, type CellRef, type Range } from "./a1.js";
import { importMerges, merges } from "./merges.js";
import { CommentError } from "./comments.js";
import { CONTENT_LIMITS } from "./content.js";
import { importRows } from "./csv.js";
import { dateToSerial } from "./dates.js";
import { DATE_CODE, DATETIME_CODE, DEFAULT_FONT_SIZE, FONT_SIZES, impliedFormat, numberFormat, parseNumberFormat, STYLE_ATTRS, type CellStyle } from "./format.js";
import { FormulaEngine, shownFormat } from "./formula.js";
import { randomId } from "./ids.js";
import { isFormula } from "./refs.js";
import type * as Y from "yjs";
import type { TabLookup } from "./refs.js";
import type { Sheet } from "./sheet.js";
import { Workbook } from "./tabs.js";

/**
 * XLSX import and export with exceljs (Node only: this module is its own entry point,
 * `@cosheet/sheet/xlsx`, so browsers never load it). Values, formulas, bold, italic, colours,
 * alignment, number formats, column widths, frozen panes and notes (as comments) go both ways.
 */

/** exceljs takes half a second to load: a server pays that on its first XLSX request, not at start. */
async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const { default: excel } = await import("exceljs");
  return new excel.Workbook();
}

export class XlsxError extends Error {
  override readonly name = "XlsxError";

  constructor(
    message: string,
    /** The file is readable but holds more cells than allowed. */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export interface StyledCell extends CellRef {
  style: CellStyle;
}

/** The first worksheet of a workbook, as this sheet stores it. */
export interface XlsxSheet {
  name: string;
  /** Inputs, row-major from A1; formulas as `=` text. */
  rows: string[][];
  styles: StyledCell[];
  /** Column widths in pixels (undefined: the default). */
  colWidths: (number | undefined)[];
  /** Row heights in pixels that the workbook sets (undefined: the row fits its content). */
  rowHeights: (number | undefined)[];
  frozen: { rows: number; cols: number };
  /** Cell notes (Excel's "notes", once "comments"): each becomes a comment thread. */
  notes: CellNote[];
  /** Merged areas. */
  merges: Range[];
}

export interface CellNote extends CellRef {
  text: string;
}

/** The author of the comments a file's notes become. */
export const IMPORTED_AUTHOR = "Imported note";

/** A note's text: exceljs gives a string, or rich text runs. */
function noteText(note: ExcelJS.Cell["note"]): string {
  if (typeof note === "string") return note;
  const runs = (note as ExcelJS.Comment | undefined)?.texts ?? [];
  return runs.map((run) => run.text).join("");
}

/** Excel measures widths in characters of the default font: about 7 px each, plus padding. */
const PX_PER_CHAR = 7;
const PADDING_PX = 5;
/** Excel measures heights in points: 3/4 of a CSS pixel. */
const PT_PER_PX = 0.75;
/** The most cells a merged area may cover, and all of them together, to be written merged. */
const MAX_EXPORTED_MERGE = 100_000;
const MAX_EXPORTED_MERGES = 1_000_000;
/** The size of Excel's default font (Calibri 11). */
const EXCEL_FONT_SIZE = 11;

function hex(color: Partial<ExcelJS.Color> | undefined): string | undefined {
  const argb = color?.argb;
  return typeof argb === "string" && /^[0-9a-f]{8}$/i.test(argb) ? `#${argb.slice(2).toLowerCase()}` : undefined;
}

/** An Excel number format as one this sheet shows: known kinds kept, date codes as dates. */
function importedFormat(code: string | undefined): string | undefined {
  if (!code || code === "General") return undefined;
  const known = numberFormat(parseNumberFormat(code));
  if (known) return known;
  const unquoted = code.replace(/"[^"]*"|\[[^\]]*\]/g, "");
  if (!(/[dy]/i.test(unquoted) && /[dm]/i.test(unquoted))) return undefined;
  return /h/i.test(unquoted) ? DATETIME_CODE : DATE_CODE;
}

/** A cell's value as the input a person would type. */
function inputOf(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (v instanceof Date) return String(dateToSerial(v, "utc"));
  if (typeof v === "object") {
    if ("formula" in v || "sharedFormula" in v) {
      const formula = cell.formula;
      return formula ? `=${formula}` : "";
    }
    if ("richText" in v) return v.richText.map((part) => part.text).join("");
    if ("text" in v) return typeof v.text === "string" ? v.text : "";
    if ("error" in v) return String(v.error);
  }
  return "";
}

function styleOf(cell: ExcelJS.Cell): CellStyle {
  const style: CellStyle = {};
  if (cell.font?.bold) style.bold = true;
  if (cell.font?.italic) style.italic = true;
  if (cell.font?.underline && cell.font.underline !== "none") style.underline = true;
  if (cell.font?.strike) style.strike = true;
  const size = cell.font?.size;
  // Excel's own default, 11 pt, is the grid's default text too.
  if (size !== undefined && size !== DEFAULT_FONT_SIZE && size !== EXCEL_FONT_SIZE && (FONT_SIZES as readonly number[]).includes(size)) {
    style.fontSize = size;
  }
  if (cell.alignment?.wrapText) style.wrap = true;
  const valign = cell.alignment?.vertical;
  if (valign === "top" || valign === "middle") style.valign = valign;
  const color = hex(cell.font?.color);
  if (color && color !== "#000000") style.color = color;
  const fill = cell.fill;
  if (fill?.type === "pattern" && fill.pattern === "solid") {
    const bg = hex(fill.fgColor);
    if (bg) style.fill = bg;
  }
  const align = cell.alignment?.horizontal;
  if (align === "left" || align === "center" || align === "right") style.align = align;
  const numFmt = cell.value instanceof Date ? (importedFormat(cell.numFmt) ?? DATE_CODE) : importedFormat(cell.numFmt);
  if (numFmt) style.numFmt = numFmt;
  return style;
}

/** The ZIP entries exceljs's loader reads as worksheets (its own test of an entry's name). */
const WORKSHEET_ENTRY = /xl\/worksheets\/sheet\d+[.]xml/;

/** JSZip's documented chunked reader of an entry (`internalStream`), which its types leave out. */
interface EntryStream {
  on(event: "data", fn: (chunk: Uint8Array) => void): EntryStream;
  on(event: "error", fn: (err: Error) => void): EntryStream;
  on(event: "end", fn: () => void): EntryStream;
  pause(): EntryStream;
  resume(): EntryStream;
}

const LT = 0x3c;
const LETTER_C = 0x63;
/** What may follow `<c` in a cell element's start tag: whitespace, `/` or `>`. */
const AFTER_CELL_NAME = new Set([0x20, 0x09, 0x0a, 0x0d, 0x2f, 0x3e]);

/**
 * Throws a `tooLarge` {@link XlsxError} as soon as the worksheets hold more than `maxCells` cells,
 * counting cell elements (`<c …>`, formatted empty ones too) while inflating them. exceljs's loader
 * builds every cell of every worksheet before anything can be counted (refusing 1.2M cells took
 * 3.5 s and 620 MiB; counting, 0.3 s and 30 MiB), and its streaming reader parks each worksheet that
 * precedes sharedStrings.xml (as exceljs writes them) in an unbounded temporary file.
 *
 * XML escapes `<` in text and attributes, so `<c` followed by whitespace, `/` or `>` starts a cell
 * element, or sits in a comment, which only counts one too many.
 */
async function limitCells(bytes: Uint8Array, maxCells: number): Promise<void> {
  // JSZip reads the ZIP directory as exceljs's loader does, and inflates an entry only as it is read.
  const zip = await JSZip.loadAsync(bytes);
  let cells = 0;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir || !WORKSHEET_ENTRY.test(entry.name)) continue;
    await new Promise<void>((resolve, reject) => {
      // The last two bytes of a chunk are scanned with the next one: a tag may straddle chunks.
      let carry = new Uint8Array(0);
      const stream = (entry as unknown as { internalStream(type: "uint8array"): EntryStream }).internalStream("uint8array");
      stream
        .on("data", (chunk: Uint8Array) => {
          const text = new Uint8Array(carry.length + chunk.length);
          text.set(carry);
          text.set(chunk, carry.length);
          for (let i = text.indexOf(LT); i >= 0 && i + 2 < text.length; i = text.indexOf(LT, i + 1)) {
            if (text[i + 1] === LETTER_C && AFTER_CELL_NAME.has(text[i + 2]!)) cells++;
          }
          carry = text.slice(-2);
          if (cells > maxCells) {
            stream.pause();
            reject(new XlsxError(`the workbook has more than ${maxCells} cells`, true));
          }
        })
        .on("error", reject)
        .on("end", () => resolve())
        .resume();
    });
  }
}

/** A failure to read a file as XLSX, as the XlsxError it is. */
function unreadable(err: unknown): XlsxError {
  return err instanceof XlsxError ? err : new XlsxError(`not a readable XLSX file (${(err as Error).message.slice(0, 120)})`);
}

/**
 * Reads every worksheet of an XLSX file, in order. Throws {@link XlsxError} for a file that is not a
 * workbook or holds more than `maxCells` cells (in all its worksheets: they are all loaded), before
 * anything is written anywhere and, for an oversized file, before it is loaded.
 */
export async function readXlsx(bytes: Uint8Array, maxCells: number): Promise<XlsxSheet[]> {
  const book = await newWorkbook();
  try {
    await limitCells(bytes, maxCells);
    await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw unreadable(err);
  }
  if (book.worksheets.length === 0) throw new XlsxError("the workbook has no worksheet");
  // Counted again on what exceljs built, in case a file's ZIP structure misled limitCells.
  const count = { cells: 0, max: maxCells };
  return book.worksheets.map((ws) => readWorksheet(ws, count));
}

/** One worksheet, its cells counted against what the whole file may hold. */
function readWorksheet(ws: ExcelJS.Worksheet, count: { cells: number; max: number }): XlsxSheet {
  const rows: string[][] = [];
  const styles: StyledCell[] = [];
  const notes: CellNote[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    row.eachCell({ includeEmpty: false }, (cell, colNumber) => {
      // A cell a merged area covers reads as its top-left cell's copy: it holds nothing of its own.
      if (cell.isMerged && cell.master !== cell) return;
      if (++count.cells > count.max) throw new XlsxError(`the workbook has more than ${count.max} cells`, true);
      const r = rowNumber - 1;
      const c = colNumber - 1;
      const line = (rows[r] ??= []);
      while (line.length < c) line.push("");
      line[c] = inputOf(cell);
      const style = styleOf(cell);
      if (Object.keys(style).length > 0) styles.push({ row: r, col: c, style });
      const text = noteText(cell.note).trim().slice(0, CONTENT_LIMITS.commentText).trim();
      if (text) notes.push({ row: r, col: c, text });
    });
  });
  for (let r = 0; r < rows.length; r++) rows[r] ??= [];
  const colWidths: (number | undefined)[] = [];
  for (let c = 1; c <= ws.columnCount; c++) {
    const width = ws.getColumn(c).width;
    colWidths.push(width ? Math.round(width * PX_PER_CHAR + PADDING_PX) : undefined);
  }
  // Heights other than the worksheet's default (some writers give every row the default's).
  const rowHeights: (number | undefined)[] = [];
  const usual = ws.properties.defaultRowHeight ?? 15;
  for (let r = 1; r <= rows.length; r++) {
    const height = ws.getRow(r).height;
    rowHeights.push(height && Math.abs(height - usual) > 0.5 ? Math.round(height / PT_PER_PX) : undefined);
  }
  const view = (ws.views ?? []).find((v) => v.state === "frozen") as ExcelJS.WorksheetViewFrozen | undefined;
  const merged: Range[] = [];
  for (const area of (ws.model as { merges?: unknown }).merges as string[] | undefined ?? []) {
    const [a, b] = String(area).split(":");
    try {
      merged.push({ start: parseCell(a!), end: parseCell(b ?? a!) });
    } catch {
      // An area this sheet cannot read is left unmerged.
    }
  }
  return {
    name: ws.name,
    rows,
    styles,
    colWidths,
    rowHeights,
    frozen: { rows: view?.ySplit ?? 0, cols: view?.xSplit ?? 0 },
    notes,
    merges: merged,
  };
}

/**
 * Writes an imported worksheet at `at` in one transaction: its cells and formatting, its notes as
 * comment threads (the server's write: the comments are the server's alone), and (at A1) its
 * column widths and frozen panes. Notes past the sheet's comment limit are left out.
 */
export function importXlsx(sheet: Sheet, data: XlsxSheet, at: CellRef, origin?: unknown, tabs?: TabLookup): void {
  sheet.doc.transact(() => {
    importRows(sheet, data.rows, at, undefined, tabs);
    for (const { row, col, style } of data.styles) {
      const cell = { row: at.row + row, col: at.col + col };
      sheet.setStyle({ start: cell, end: cell }, style);
    }
    data.colWidths.forEach((width, c) => {
      if (typeof width === "number" && at.col + c < sheet.colCount) sheet.setColWidth(at.col + c, width);
    });
    data.rowHeights.forEach((height, r) => {
      if (typeof height === "number" && at.row + r < sheet.rowCount) sheet.setRowHeight(at.row + r, at.row + r, height);
    });
    importMerges(
      sheet,
      data.merges.map(({ start, end }) => ({ start: { row: at.row + start.row, col: at.col + start.col }, end: { row: at.row + end.row, col: at.col + end.col } })),
    );
    if (at.row === 0 && at.col === 0 && (data.frozen.rows > 0 || data.frozen.cols > 0)) {
      const most = CONTENT_LIMITS.frozen;
      sheet.setFrozen({ rows: Math.min(data.frozen.rows, most), cols: Math.min(data.frozen.cols, most) });
    }
    const stamp = { author: IMPORTED_AUTHOR, person: "", at: Date.now() };
    for (const { row, col, text } of data.notes) {
      const ids = sheet.idsAt(at.row + row, at.col + col);
      if (!ids) continue;
      const id = randomId(16);
      try {
        sheet.comments.append({ id, action: "open", thread: id, ...ids, text }, stamp);
      } catch (err) {
        if (err instanceof CommentError && err.reason === "full") break;
        throw err;
      }
    }
  }, origin);
}

/** A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`. */
function worksheetName(title: string): string {
  return xmlText(title.replace(/[[\]:*?/\\]/g, " ")).trim().slice(0, 31) || "Sheet1";
}

/**
 * Text as an XLSX file may hold it: U+FFFE and U+FFFF are not XML characters (exceljs writes them
 * as they are, and the file no longer opens), so they become U+FFFD.
 */
function xmlText(text: string): string {
  return text.replace(/[\uFFFE\uFFFF]/g, "\uFFFD");
}

function argb(color: string): string {
  return `FF${color.slice(1).toUpperCase()}`;
}

/** fast-formula-parser's dependency parser: the engine's grammar, reading a formula without evaluating it. */
interface FormulaReader {
  parse(formula: string, position: { row: number; col: number }): unknown;
  /** The chevrotain parser underneath: its input is the tokens of the formula read last. */
  readonly parser: { readonly input: readonly { tokenType: { name: string }; image: string }[] };
}

const { DepParser } = FormulaParser as unknown as { DepParser: new () => FormulaReader };
let formulaReader: FormulaReader | null = null;

/** Tokens of a reference to another sheet (`Sheet2!A1`, `'My sheet'!A1`). */
const SHEET_PREFIX_TOKENS = new Set(["Sheet", "SheetQuoted"]);

/** The sheet name of a `Sheet` or `SheetQuoted` token (`Data!`, `'Q1 plan'!`). */
function tokenSheetName(image: string): string {
  const name = image.replace(/!$/, "");
  return name.startsWith("'") ? name.slice(1, -1).replace(/''/g, "'") : name;
}

/**
 * True when a formula input may go into an XLSX file as a formula: the engine's own parser accepts
 * it and every other sheet it references is a tab of the workbook. Otherwise it is written as
 * text, so a downloaded file never hands Excel a formula Cosheet would not have evaluated: DDE
 * payloads (`=cmd|' /C calc'!A0`) and external workbook references (`[1]Sheet1!A1`,
 * `'C:\x\[a.xlsx]S'!A1`) do not parse, or name no tab.
 */
function isSafeFormula(input: string, tabs: TabLookup): boolean {
  formulaReader ??= new DepParser();
  try {
    formulaReader.parse(input.slice(1), { row: 1, col: 1 });
  } catch {
    return false;
  }
  return formulaReader.parser.input.every(
    (token) => !SHEET_PREFIX_TOKENS.has(token.tokenType.name) || tabs.named(tokenSheetName(token.image)) !== undefined,
  );
}

/**
 * The workbook as an XLSX file: every tab, in order, as a worksheet of its name, with inputs,
 * formulas with their computed results, formatting, widths, frozen panes and open comments as
 * notes. A formula Excel might run differently from Cosheet (see isSafeFormula) is written as its
 * text.
 */
export async function writeXlsx(doc: Y.Doc): Promise<Uint8Array> {
  const book = await newWorkbook();
  book.creator = "Cosheet";
  for (const tab of Workbook.of(doc).list()) writeWorksheet(book, Workbook.of(doc).sheet(tab.id), worksheetName(tab.name));
  return new Uint8Array(await book.xlsx.writeBuffer());
}

function writeWorksheet(book: ExcelJS.Workbook, sheet: Sheet, name: string): void {
  const { rows: fr, cols: fc } = sheet.frozen;
  const ws = book.addWorksheet(name, {
    views: fr > 0 || fc > 0 ? [{ state: "frozen", xSplit: fc, ySplit: fr }] : [],
  });
  const used = sheet.usedRange();
  const engine = FormulaEngine.of(sheet);
  const lastCol = Math.max(used?.end.col ?? -1, ...[...sheet.types.colWidths.keys()].map((id) => sheet.cols.indexOf(id)));
  for (let c = 0; c <= lastCol; c++) {
    const width = sheet.colWidth(c);
    if (width !== undefined) ws.getColumn(c + 1).width = Math.max(1, (width - PADDING_PX) / PX_PER_CHAR);
  }
  for (const [rowId, height] of sheet.types.rowHeights) {
    const row = sheet.rows.indexOf(rowId);
    if (row >= 0 && typeof height === "number") ws.getRow(row + 1).height = height * PT_PER_PX;
  }
  const rows = used ? sheet.readRange(used) : [];
  // Every cell with content, formatting or open comments.
  const cells = new Map<string, CellRef>();
  const add = (pos: CellRef) => cells.set(`${pos.row},${pos.col}`, pos);
  const notes = new Map<string, string>();
  for (const { thread, row, col } of sheet.comments.placed()) {
    if (thread.resolved) continue;
    const text = xmlText(thread.comments.map((c) => `${c.author}:\n${c.text}`).join("\n\n"));
    const key = `${row},${col}`;
    notes.set(key, notes.has(key) ? `${notes.get(key)}\n\n${text}` : text);
    add({ row, col });
  }
  for (const key of sheet.types.styles.keys()) {
    const pos = sheet.positionOf(key);
    if (pos) add(pos);
  }
  rows.forEach((line, row) => line.forEach((input, col) => input !== "" && add({ row, col })));
  for (const [key, { row, col }] of cells) {
    const cell = ws.getCell(row + 1, col + 1);
    const note = notes.get(key);
    if (note) cell.note = note;
    const input = rows[row]?.[col] ?? "";
    const value = input === "" ? null : engine.valueAt(row, col);
    if (isFormula(input)) {
      const result = value !== null && typeof value === "object" ? { error: value.error } : typeof value === "string" ? xmlText(value) : value;
      cell.value = isSafeFormula(input, sheet.tabLookup) ? { formula: xmlText(input.slice(1)), result: result as ExcelJS.CellFormulaValue["result"] } : xmlText(input);
      // `=TODAY()`, `=A1+7` counting from a date: a date in Excel too.
      const implied = shownFormat(sheet, row, col);
      if (implied) cell.numFmt = implied;
    } else if (typeof value === "number" || typeof value === "boolean") {
      cell.value = value;
      // `$1,200` or `15%` as typed: the number, shown the way it was typed.
      const implied = typeof value === "number" ? impliedFormat(input) : undefined;
      if (implied) cell.numFmt = implied;
    } else if (input !== "") {
      cell.value = xmlText(input);
    } else if (note) {
      cell.value = ""; // exceljs writes no note on a cell without a value
    }
    const style = sheet.styleAt(row, col);
    if (!STYLE_ATTRS.some((a) => style[a] !== undefined)) continue;
    if (style.bold || style.italic || style.color || style.underline || style.strike || style.fontSize) {
      cell.font = {
        bold: style.bold,
        italic: style.italic,
        underline: style.underline,
        strike: style.strike,
        size: style.fontSize,
        color: style.color ? { argb: argb(style.color) } : undefined,
      };
    }
    if (style.fill) cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: argb(style.fill) } };
    if (style.align || style.wrap || style.valign) cell.alignment = { horizontal: style.align, vertical: style.valign, wrapText: style.wrap };
    if (style.numFmt) cell.numFmt = style.numFmt;
  }
  // Writing a merged area makes a cell of each cell it covers: areas past a size are left unmerged.
  let covered = 0;
  for (const { start, end } of merges(sheet)) {
    const cells = (end.row - start.row + 1) * (end.col - start.col + 1);
    if (cells > MAX_EXPORTED_MERGE || (covered += cells) > MAX_EXPORTED_MERGES) continue;
    ws.mergeCells(start.row + 1, start.col + 1, end.row + 1, end.col + 1);
  }
}
