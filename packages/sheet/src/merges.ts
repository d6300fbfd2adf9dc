import type * as Y from "yjs";
import type { Range } from "./a1.js";
import { fitsGrid, MERGE_KEY, isMergeEnd, type MergeEnd } from "./content.js";
import { type Sheet, SheetLimitError } from "./sheet.js";

/**
 * Merged cells. Each merged area is one entry of its tab's settings, keyed by its top-left cell
 * (`merge:<rowId>:<colId>`) and holding its bottom-right one (`{row, col}`, ids), so it keeps its
 * cells as rows and columns are inserted (one inserted inside it widens it) and goes when a row
 * or column at its corners is deleted. What the other cells of an area hold stays in the document
 * but shows nowhere: the area shows its top-left cell.
 */

/** The most merged areas a tab shows (those first in reading order). */
export const MAX_MERGES = 1000;
/** The most entries read (by key, the same on every replica): what a crafted document can make every reader do. */
const MAX_ENTRIES = 10 * MAX_MERGES;

interface Entry {
  rowId: string;
  colId: string;
  end: MergeEnd;
}

/** Each tab's entries as last read, until its settings change (read again at once after a change made here). */
const entries = new WeakMap<Y.Map<unknown>, Entry[]>();
const observed = new WeakSet<Y.Map<unknown>>();
/** Each tab's areas as last placed: for those entries, rows and columns. */
const placedAreas = new WeakMap<Sheet, { entries: Entry[]; rows: readonly string[]; cols: readonly string[]; areas: Range[] }>();

function entriesOf(meta: Y.Map<unknown>): Entry[] {
  let list = entries.get(meta);
  if (list) return list;
  if (!observed.has(meta)) {
    observed.add(meta);
    meta.observe(() => entries.delete(meta));
  }
  const keys = [...meta.keys()].filter((key) => MERGE_KEY.test(key)).sort().slice(0, MAX_ENTRIES);
  list = [];
  for (const key of keys) {
    const m = MERGE_KEY.exec(key)!;
    const value = meta.get(key);
    if (isMergeEnd(value)) list.push({ rowId: m[1]!, colId: m[2]!, end: value });
  }
  entries.set(meta, list);
  return list;
}

const overlap = (a: Range, b: Range) =>
  a.start.row <= b.end.row && b.start.row <= a.end.row && a.start.col <= b.end.col && b.start.col <= a.end.col;

/**
 * The merged areas of a tab where they are now, in reading order of their top-left cells. Areas
 * that came to overlap (two people merging at once) are resolved the same way everywhere: the
 * one first in reading order shows, the other is left out until the first is unmerged.
 */
export function merges(sheet: Sheet): Range[] {
  const list = entriesOf(sheet.types.meta);
  const [rows, cols] = [sheet.rows.list(), sheet.cols.list()];
  const known = placedAreas.get(sheet);
  if (known && known.entries === list && known.rows === rows && known.cols === cols) return known.areas;
  const placed: (Range & { key: string })[] = [];
  for (const { rowId, colId, end } of list) {
    const start = sheet.positionOfIds({ rowId, colId });
    const last = sheet.positionOfIds({ rowId: end.row, colId: end.col });
    if (!start || !last || last.row < start.row || last.col < start.col || (last.row === start.row && last.col === start.col)) continue;
    placed.push({ start, end: last, key: `${rowId}:${colId}` });
  }
  placed.sort((a, b) => a.start.row - b.start.row || a.start.col - b.start.col || (a.key < b.key ? -1 : 1));
  const shown: Range[] = [];
  for (const area of placed) {
    if (shown.length >= MAX_MERGES) break;
    if (!shown.some((other) => overlap(other, area))) shown.push({ start: area.start, end: area.end });
  }
  placedAreas.set(sheet, { entries: list, rows, cols, areas: shown });
  return shown;
}

/** The merged area among `areas` that holds a cell, if any. */
export function mergeAt(areas: readonly Range[], row: number, col: number): Range | undefined {
  return areas.find((a) => row >= a.start.row && row <= a.end.row && col >= a.start.col && col <= a.end.col);
}

/** A range grown until it holds every merged area it touches whole, as a selection does. */
export function spanMerges(areas: readonly Range[], range: Range): Range {
  let { start, end } = range;
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of areas) {
      if (!overlap(a, { start, end })) continue;
      const next = {
        start: { row: Math.min(start.row, a.start.row), col: Math.min(start.col, a.start.col) },
        end: { row: Math.max(end.row, a.end.row), col: Math.max(end.col, a.end.col) },
      };
      if (next.start.row !== start.row || next.start.col !== start.col || next.end.row !== end.row || next.end.col !== end.col) {
        ({ start, end } = next);
        grew = true;
      }
    }
  }
  return { start, end };
}

/** Writes the entries of areas (already apart from each other and from those there are), in the caller's transaction. */
function writeAreas(sheet: Sheet, areas: readonly Range[]): void {
  for (const area of areas) {
    const key = keyOf(sheet, area);
    const last = sheet.idsAt(area.end.row, area.end.col);
    if (key && last) sheet.types.meta.set(key, { row: last.rowId, col: last.colId });
  }
  entries.delete(sheet.types.meta);
}

function keyOf(sheet: Sheet, area: Range): string | null {
  const ids = sheet.idsAt(area.start.row, area.start.col);
  return ids ? `merge:${ids.rowId}:${ids.colId}` : null;
}

/** Removes the entries of the areas a range touches, and those hidden under them (see merges). */
function dropWithin(sheet: Sheet, range: Range): void {
  const { meta } = sheet.types;
  for (const { rowId, colId, end } of [...entriesOf(meta)]) {
    const start = sheet.positionOfIds({ rowId, colId });
    const last = sheet.positionOfIds({ rowId: end.row, colId: end.col });
    if (!start || !last || overlap({ start, end: last }, range)) meta.delete(`merge:${rowId}:${colId}`);
  }
  entries.delete(meta);
}

/** Why a range cannot be merged, if it cannot: one cell, off the sheet, or across the frozen rows' or columns' edge. */
function refusal(sheet: Sheet, { start, end }: Range): string | null {
  if (start.row === end.row && start.col === end.col) return "Select more than one cell to merge.";
  if (!sheet.idsAt(start.row, start.col) || !sheet.idsAt(end.row, end.col)) return "The cells to merge must be on the sheet.";
  const frozen = sheet.frozen;
  const across = (first: number, last: number, edge: number) => edge > 0 && first < edge && last >= edge;
  if (across(start.row, end.row, frozen.rows) || across(start.col, end.col, frozen.cols)) {
    return "Cells on both sides of the frozen rows' or columns' edge cannot be merged: unfreeze them first.";
  }
  return null;
}

/**
 * Merges a range into one cell, in one transaction: areas it touches are unmerged first (a
 * selection holds them whole, see spanMerges), and the cells other than its top-left one are
 * cleared, as in Excel (the top-left cell's content and formatting show across the area).
 */
export function mergeCells(sheet: Sheet, range: Range, origin?: unknown): void {
  const refused = refusal(sheet, range);
  if (refused) throw new SheetLimitError(refused);
  const { start, end } = range;
  sheet.doc.transact(() => {
    dropWithin(sheet, range);
    const others = [];
    if (end.row > start.row) others.push({ start: { row: start.row + 1, col: start.col }, end });
    if (end.col > start.col) others.push({ start: { row: start.row, col: start.col + 1 }, end: { row: start.row, col: end.col } });
    sheet.clearRanges(others);
    writeAreas(sheet, [range]);
  }, origin);
}

/**
 * Merges the areas of a file just imported (their covered cells hold nothing): at most
 * {@link MAX_MERGES}, each apart from the others and from those there are, those that cannot be
 * merged left out. Answers how many were merged.
 */
export function importMerges(sheet: Sheet, areas: readonly Range[]): number {
  const kept: Range[] = [...merges(sheet)];
  const added: Range[] = [];
  sheet.doc.transact(() => {
    for (const area of areas) {
      if (kept.length >= MAX_MERGES) break;
      // An area past the cells the file holds grows the sheet to it, within the sheet's limits.
      const [rows, cols] = [Math.max(sheet.rowCount, area.end.row + 1), Math.max(sheet.colCount, area.end.col + 1)];
      if (!fitsGrid(rows, cols) || kept.some((other) => overlap(other, area))) continue;
      sheet.rows.growTo(rows);
      sheet.cols.growTo(cols);
      if (refusal(sheet, area)) continue;
      kept.push(area);
      added.push(area);
    }
    writeAreas(sheet, added);
  });
  return added.length;
}

/** Moves merged areas by rows and columns (with the cells under them, see moveCells), in the caller's transaction. */
export function moveMerges(sheet: Sheet, areas: readonly Range[], rows: number, cols: number): void {
  for (const area of areas) {
    const key = keyOf(sheet, area);
    if (key) sheet.types.meta.delete(key);
  }
  const moved = areas.map(({ start, end }) => ({ start: { row: start.row + rows, col: start.col + cols }, end: { row: end.row + rows, col: end.col + cols } }));
  for (const area of moved) dropWithin(sheet, area);
  writeAreas(sheet, moved);
}

/** Unmerges every merged area a range touches (their cells other than the top-left stay empty). */
export function unmergeCells(sheet: Sheet, range: Range, origin?: unknown): void {
  sheet.doc.transact(() => dropWithin(sheet, range), origin);
}
