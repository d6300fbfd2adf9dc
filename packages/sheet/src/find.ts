import type { CellRef } from "./a1.js";
import { cellText, FormulaEngine, shownFormat } from "./formula.js";
import { isFormula } from "./refs.js";
import { splitCellKey, styleKey } from "./schema.js";
import { SheetLimitError, type CellWrite, type Sheet } from "./sheet.js";

/** What to look for, and where. */
export interface FindOptions {
  query: string;
  /** Upper and lower case differ (by default they do not). */
  matchCase?: boolean;
  /** The whole cell must be the query, not just contain it. */
  wholeCell?: boolean;
  /** Search formulas as typed instead of the values they show (other cells are searched as they show either way). */
  formulas?: boolean;
}

/** At most this many characters to find or to put in their place. */
export const MAX_FIND_LENGTH = 1000;

function check(options: FindOptions): void {
  if (options.query === "" || options.query.length > MAX_FIND_LENGTH) {
    throw new SheetLimitError(`search for 1 to ${MAX_FIND_LENGTH} characters`);
  }
}

/** Whether `text` matches; `query` is already lower-cased unless the case must match. */
function matches(text: string, query: string, options: FindOptions): boolean {
  const t = options.matchCase ? text : text.toLowerCase();
  return options.wholeCell ? t === query : t.includes(query);
}

/**
 * Every cell of the tab that matches, in reading order (row by row, left to right). A cell is
 * searched as it shows (a formula's value, a number in its format, what an array spilled into it)
 * or, with `formulas`, a formula as typed. Only the tab's non-empty cells (and spills) are read,
 * whatever its size.
 */
export function findAll(sheet: Sheet, options: FindOptions): CellRef[] {
  check(options);
  const query = options.matchCase ? options.query : options.query.toLowerCase();
  const engine = FormulaEngine.of(sheet);
  const { cells, styles } = sheet.types;
  const styled = styles.size > 0;
  const found: CellRef[] = [];
  for (const [key, value] of cells) {
    const stored = typeof value === "string" ? value : sheet.inputOf(key);
    const formula = isFormula(stored);
    let text = stored;
    let pos: CellRef | null | undefined;
    if (formula && options.formulas) text = sheet.shownInput(stored);
    else if (formula || styled) {
      // Only a formula's value, or a number with a format, shows other than as typed.
      const [rowId, colId] = splitCellKey(key);
      if (formula || typeof styles.get(styleKey(rowId, colId, "numFmt")) === "string") {
        pos = sheet.positionOf(key);
        if (!pos) continue;
        text = cellText(stored, engine.valueAt(pos.row, pos.col), shownFormat(sheet, pos.row, pos.col));
      }
    }
    // Where a cell is costs more than whether it matches: only matches are placed.
    if (!matches(text, query, options)) continue;
    pos ??= sheet.positionOf(key);
    if (pos) found.push(pos);
  }
  // What arrays spilled into empty cells shows there too (no formula is typed there).
  if (!options.formulas) {
    for (const { row, col, value } of engine.spilledCells()) {
      if (matches(cellText("", value, shownFormat(sheet, row, col)), query, options)) found.push({ row, col });
    }
  }
  return found.sort((a, b) => a.row - b.row || a.col - b.col);
}

/**
 * Puts `replacement` for what matches in each of `cells`, in one transaction (one undo step), and
 * answers how many cells changed. What was typed changes: a formula only when `formulas` is on (a
 * formula's value cannot be typed over in part), and a number as typed, not as its format shows
 * it. A cell the result would not fit (past the length of a cell) refuses the whole replace,
 * before anything is written.
 */
export function replaceIn(sheet: Sheet, cells: readonly CellRef[], options: FindOptions, replacement: string, origin?: unknown): number {
  check(options);
  const query = options.matchCase ? options.query : options.query.toLowerCase();
  const pattern = new RegExp(options.query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), options.matchCase ? "g" : "gi");
  const writes: CellWrite[] = [];
  for (const { row, col } of cells) {
    const input = sheet.getInput(row, col);
    if (input === "" || (isFormula(input) && !options.formulas)) continue;
    const next = options.wholeCell ? (matches(input, query, options) ? replacement : input) : input.replace(pattern, () => replacement);
    if (next !== input) writes.push({ row, col, input: next });
  }
  sheet.setCells(writes, origin);
  return writes.length;
}
