import { compareValues } from "./compare.js";
import { merges } from "./merges.js";
import { FormulaEngine } from "./formula.js";
import { isFormula, keepRangePlaces } from "./refs.js";
import type { SheetTypes } from "./schema.js";
import { Sheet, SheetLimitError } from "./sheet.js";
import { listTabs } from "./tablist.js";

/** One column to sort by. */
export interface SortKey {
  col: number;
  descending?: boolean;
}

/** What to sort: rows `start` to `end` (from 0, both included), by `keys`, the first deciding first. */
export interface SortSpec {
  start: number;
  end: number;
  keys: readonly SortKey[];
}

/** At most this many columns to sort by, as spreadsheets allow. */
export const MAX_SORT_KEYS = 64;

/**
 * The order `spec` gives the rows' ids (stable: rows that compare equal keep their order). A
 * descending key reverses the order of values, but empty cells stay last either way.
 */
function sortedRowIds(sheet: Sheet, spec: SortSpec): string[] {
  const engine = FormulaEngine.of(sheet);
  const ids = sheet.rows.list().slice(spec.start, spec.end + 1);
  const rows = ids.map((id, i) => ({ id, values: spec.keys.map((key) => engine.valueAt(spec.start + i, key.col)) }));
  rows.sort((a, b) => {
    for (let k = 0; k < spec.keys.length; k++) {
      const [x, y] = [a.values[k]!, b.values[k]!];
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const order = compareValues(x, y);
      if (order !== 0) return spec.keys[k]!.descending ? -order : order;
    }
    return 0;
  });
  return rows.map((r) => r.id);
}

function checkSpec(sheet: Sheet, { start, end, keys }: SortSpec): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end >= sheet.rowCount) {
    throw new SheetLimitError(`cannot sort rows ${start + 1} to ${end + 1} of a sheet of ${sheet.rowCount}`);
  }
  if (keys.length === 0 || keys.length > MAX_SORT_KEYS) throw new SheetLimitError(`sort by 1 to ${MAX_SORT_KEYS} columns`);
  for (const { col } of keys) {
    if (!Number.isInteger(col) || col < 0 || col >= sheet.colCount) throw new SheetLimitError(`no column ${col + 1} to sort by`);
  }
  // Rows move one by one: an area merged across several of them would come apart, as in Excel.
  if (merges(sheet).some((m) => m.end.row > m.start.row && m.start.row <= end && m.end.row >= start)) {
    throw new SheetLimitError("Unmerge the cells merged across several rows to sort these rows.");
  }
}

/**
 * Sorts rows `start`..`end` by `keys` in one transaction (one undo step), and says whether any
 * row moved. Whole rows move, by their ids: every cell, format and comment of a row stays with it,
 * an edit someone makes in a row meanwhile lands in that row wherever it goes, and a reference to
 * one of its cells follows it. Ranges that span several of the rows (`=SUM(B2:B9)`), on any tab,
 * keep the places they span (see {@link keepRangePlaces}).
 */
export function sortRows(sheet: Sheet, spec: SortSpec, origin?: unknown): boolean {
  checkSpec(sheet, spec);
  const before = sheet.rows.list().slice(spec.start, spec.end + 1);
  const after = sortedRowIds(sheet, spec);
  const moved = new Map<string, string>();
  before.forEach((id, i) => {
    if (after[i] !== id) moved.set(id, after[i]!);
  });
  if (moved.size === 0) return false;
  sheet.doc.transact(() => {
    sheet.rows.reorder(spec.start, after);
    for (const tab of listTabs(sheet.types.tabs)) {
      const own = tab.id === sheet.tab;
      keepPlaces(Sheet.of(sheet.doc, tab.id).types, (t) => t === sheet.tab || (own && t === undefined), moved);
    }
  }, origin);
  return true;
}

/** Rewrites the formulas of a tab whose ranges span rows that moved (see {@link keepRangePlaces}). */
function keepPlaces({ cells }: SheetTypes, onTab: (tabId: string | undefined) => boolean, moved: ReadonlyMap<string, string>): void {
  const changes: [string, string][] = [];
  for (const [key, stored] of cells) {
    if (typeof stored !== "string" || !isFormula(stored)) continue;
    const kept = keepRangePlaces(stored, onTab, moved);
    if (kept !== stored) changes.push([key, kept]);
  }
  for (const [key, kept] of changes) cells.set(key, kept);
}
