/**
 * A1 addressing: column letters, cell addresses and ranges. Indices are zero-based everywhere in
 * code; A1 text is one-based, as users see it.
 */

/** The largest sheet, as in Excel and Google Sheets. */
export const MAX_ROWS = 1_048_576;
export const MAX_COLS = 16_384;

export interface CellRef {
  row: number;
  col: number;
}

/**
 * A rectangle of cells. A whole-column range (`B:B`) has `rows: "all"`; a whole-row range (`2:2`)
 * has `cols: "all"`; {@link resolveRange} turns either into a concrete rectangle for a sheet size.
 */
export interface Range {
  start: CellRef;
  end: CellRef;
}

export interface RangeSpec {
  start: CellRef;
  end: CellRef;
  wholeColumns: boolean;
  wholeRows: boolean;
}

export class A1Error extends Error {
  override readonly name = "A1Error";
}

/** 0 -> "A", 25 -> "Z", 26 -> "AA", 16383 -> "XFD". */
export function colToLetters(col: number): string {
  if (!Number.isInteger(col) || col < 0 || col >= MAX_COLS) {
    throw new A1Error(`column index out of range: ${col}`);
  }
  let letters = "";
  let n = col + 1;
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** "A" -> 0, "xfd" -> 16383. */
export function lettersToCol(letters: string): number {
  if (!/^[A-Za-z]{1,3}$/.test(letters)) throw new A1Error(`not a column: "${letters}"`);
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  if (n > MAX_COLS) throw new A1Error(`column beyond ${colToLetters(MAX_COLS - 1)}: "${letters}"`);
  return n - 1;
}

function rowFromText(text: string): number {
  const n = Number(text);
  if (!/^[1-9][0-9]{0,6}$/.test(text) || n > MAX_ROWS) {
    throw new A1Error(`row out of range: "${text}"`);
  }
  return n - 1;
}

const CELL = /^\$?([A-Za-z]{1,3})\$?([0-9]+)$/;

/** "B3" (or "$B$3") -> {row: 2, col: 1}. */
export function parseCell(text: string): CellRef {
  const m = CELL.exec(text.trim());
  if (!m) throw new A1Error(`not a cell address: "${text}"`);
  return { row: rowFromText(m[2]!), col: lettersToCol(m[1]!) };
}

export function formatCell(ref: CellRef): string {
  if (!Number.isInteger(ref.row) || ref.row < 0 || ref.row >= MAX_ROWS) {
    throw new A1Error(`row index out of range: ${ref.row}`);
  }
  return `${colToLetters(ref.col)}${ref.row + 1}`;
}

function ordered(a: CellRef, b: CellRef): Range {
  return {
    start: { row: Math.min(a.row, b.row), col: Math.min(a.col, b.col) },
    end: { row: Math.max(a.row, b.row), col: Math.max(a.col, b.col) },
  };
}

/**
 * Parses "A1", "A1:C3", "B:B", "B:D", "2:2" or "2:5". Whole columns and rows extend to the sheet
 * maximum; use {@link resolveRange} to clip them to a sheet's size.
 */
export function parseRange(text: string): RangeSpec {
  const trimmed = text.trim();
  const parts = trimmed.split(":");
  if (parts.length === 1) {
    const cell = parseCell(parts[0]!);
    return { start: cell, end: cell, wholeColumns: false, wholeRows: false };
  }
  if (parts.length !== 2) throw new A1Error(`not a range: "${text}"`);
  const [a, b] = parts.map((p) => p.trim().replace(/\$/g, "")) as [string, string];
  if (/^[A-Za-z]+$/.test(a) && /^[A-Za-z]+$/.test(b)) {
    const r = ordered({ row: 0, col: lettersToCol(a) }, { row: MAX_ROWS - 1, col: lettersToCol(b) });
    return { ...r, wholeColumns: true, wholeRows: false };
  }
  if (/^[0-9]+$/.test(a) && /^[0-9]+$/.test(b)) {
    const r = ordered({ row: rowFromText(a), col: 0 }, { row: rowFromText(b), col: MAX_COLS - 1 });
    return { ...r, wholeColumns: false, wholeRows: true };
  }
  return { ...ordered(parseCell(a), parseCell(b)), wholeColumns: false, wholeRows: false };
}

/** Clips whole-row / whole-column ranges to a sheet of the given size. */
export function resolveRange(spec: RangeSpec, size: { rows: number; cols: number }): Range {
  return {
    start: spec.start,
    end: {
      row: spec.wholeColumns ? Math.max(spec.start.row, size.rows - 1) : spec.end.row,
      col: spec.wholeRows ? Math.max(spec.start.col, size.cols - 1) : spec.end.col,
    },
  };
}

export function formatRange(range: Range): string {
  const start = formatCell(range.start);
  const end = formatCell(range.end);
  return start === end ? start : `${start}:${end}`;
}

export function rangeContains(range: Range, row: number, col: number): boolean {
  return row >= range.start.row && row <= range.end.row && col >= range.start.col && col <= range.end.col;
}
