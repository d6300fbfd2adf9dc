import Papa from "papaparse";
import type { CellRef } from "./a1.js";
import { isNumericInput } from "./value.js";
import type { Sheet } from "./sheet.js";

export class CsvError extends Error {
  override readonly name = "CsvError";
}

/**
 * Parses CSV text (or another delimiter's, such as tab-separated clipboard text) into rows of
 * fields. Throws {@link CsvError} on malformed input (an unclosed quote, for instance) instead of
 * guessing, so a broken file changes nothing.
 */
export function parseCsv(text: string, delimiter = ","): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const result = Papa.parse<string[]>(body, { skipEmptyLines: false, delimiter });
  const fatal = result.errors.find((e) => e.type === "Quotes" || e.code === "InvalidQuotes");
  if (fatal) {
    const line = fatal.row === undefined ? "" : ` (record ${fatal.row + 1})`;
    throw new CsvError(`malformed CSV${line}: ${fatal.message}`);
  }
  const rows = result.data;
  // A trailing newline yields one empty record: it is not a row of the file.
  const last = rows[rows.length - 1];
  if (last && last.length === 1 && last[0] === "") rows.pop();
  return rows;
}

export interface ToCsvOptions {
  /**
   * Prefix cells that start with `=`, `+`, `-` or `@` (and are not plain numbers) with `'`, so a
   * spreadsheet opening the file does not run them as formulas (CSV formula injection).
   */
  neutralizeFormulas?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function toCsv(rows: readonly (readonly string[])[], options: ToCsvOptions & { delimiter?: string } = {}): string {
  const data = options.neutralizeFormulas
    ? rows.map((r) => r.map((v) => (FORMULA_START.test(v) && !isNumericInput(v) ? `'${v}` : v)))
    : rows;
  return Papa.unparse(data as string[][], { newline: "\r\n", delimiter: options.delimiter ?? "," });
}

/** Number of cells a parsed CSV covers (its rows times its widest row). */
export function csvCellCount(rows: readonly (readonly string[])[]): number {
  return rows.length * rows.reduce((w, r) => Math.max(w, r.length), 0);
}

/** Writes parsed CSV rows at `at` in one transaction (growing the sheet as needed). */
export function importRows(sheet: Sheet, rows: readonly (readonly string[])[], at: CellRef, origin?: unknown): void {
  const writes = rows.flatMap((r, i) => r.map((input, j) => ({ row: at.row + i, col: at.col + j, input })));
  sheet.setCells(writes, origin);
}

/** The used range as CSV (an empty sheet gives an empty string). */
export function exportCsv(sheet: Sheet, options: ToCsvOptions = {}): string {
  const used = sheet.usedRange();
  return used ? toCsv(sheet.readRange(used), options) : "";
}
