import Papa from "papaparse";
import type { CellRef } from "./a1.js";
import { shownRange } from "./formula.js";
import { isNumericInput } from "./value.js";
import type { TabLookup } from "./refs.js";
import type { Sheet } from "./sheet.js";

export class CsvError extends Error {
  override readonly name = "CsvError";

  constructor(
    message: string,
    /** The file is readable but covers more cells than allowed. */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

const isBlankRecord = (record: readonly string[]) => record.length === 1 && record[0] === "";

/**
 * Parses CSV text (or another delimiter's, such as tab-separated clipboard text) into rows of
 * fields. Throws {@link CsvError} on malformed input (an unclosed quote, for instance) instead of
 * guessing, so a broken file changes nothing. Parsing stops, with a `tooLarge` CsvError, as soon as
 * the rows read so far cover more than `maxCells` cells (rows times the widest row): an
 * oversized upload is refused without being parsed whole.
 */
export function parseCsv(text: string, delimiter = ",", maxCells = Infinity): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let widest = 0;
  let failure = null as CsvError | null;
  Papa.parse<string[]>(body, {
    skipEmptyLines: false,
    delimiter,
    step: ({ data, errors }, parser) => {
      const fatal = errors.find((e) => e.type === "Quotes" || e.code === "InvalidQuotes");
      if (fatal) {
        failure = new CsvError(`malformed CSV (record ${rows.length + 1}): ${fatal.message}`);
      } else {
        rows.push(data);
        widest = Math.max(widest, data.length);
        // A blank record may be the trailing newline, which is not a row: it counts once another follows.
        const counted = isBlankRecord(data) ? rows.length - 1 : rows.length;
        if (counted * widest > maxCells) failure = new CsvError(`the CSV has more than ${maxCells} cells`, true);
      }
      if (failure) parser.abort();
    },
  });
  if (failure) throw failure;
  const last = rows[rows.length - 1];
  if (last && isBlankRecord(last)) rows.pop();
  return rows;
}

export interface ToCsvOptions {
  /**
   * Prefix cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return (and are not plain
   * numbers such as `-2`) with `'`, so a spreadsheet opening the file does not run them as formulas
   * (CSV formula injection).
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

/** Writes parsed CSV rows at `at` in one transaction (growing the sheet as needed). */
export function importRows(sheet: Sheet, rows: readonly (readonly string[])[], at: CellRef, origin?: unknown, tabs?: TabLookup): void {
  const writes = rows.flatMap((r, i) => r.map((input, j) => ({ row: at.row + i, col: at.col + j, input })));
  sheet.setCells(writes, origin, tabs);
}

/**
 * What an export writes of each cell: what it `shows` (a formula's value, a number in its
 * format), as people read the sheet, or its `inputs` as typed (formulas included), for scripts
 * and for importing back.
 */
export type CsvValues = "shown" | "inputs";

/** The used range as CSV (an empty sheet gives an empty string); what it shows unless asked for `inputs`. */
export function exportCsv(sheet: Sheet, options: ToCsvOptions & { values?: CsvValues } = {}): string {
  const used = sheet.usedRange();
  if (!used) return "";
  return toCsv(options.values === "inputs" ? sheet.readRange(used) : shownRange(sheet, used), options);
}
