import type { CellRef, Range } from "./a1.js";
import { fitsGrid } from "./content.js";
import { STYLE_ATTRS } from "./format.js";
import { isFormula, movedReferences, type CellPlace } from "./refs.js";
import { cellKey, styleKey } from "./schema.js";
import { Sheet, SheetLimitError } from "./sheet.js";
import { merges, moveMerges } from "./merges.js";
import { tabIds } from "./tablist.js";

/** The most cells one move takes, as one paste writes. */
export const MAX_MOVED_CELLS = 200_000;

/**
 * Moves a range's cells so that its top-left one is at `to` (a cut pasted), in one transaction
 * (one undo step), as in Excel: what they hold and their formatting go there, the cells they
 * leave are emptied, the cells they land on take exactly what moved (empty ones included), and
 * every formula on every tab that pointed at a moved cell points where it went. The moved cells
 * keep their own references as they were (a cut formula still reads the cells it read).
 */
export function moveCells(sheet: Sheet, from: Range, to: CellRef, origin?: unknown): void {
  const height = from.end.row - from.start.row + 1;
  const width = from.end.col - from.start.col + 1;
  const [rows, cols] = [Math.max(sheet.rowCount, to.row + height), Math.max(sheet.colCount, to.col + width)];
  if (from.start.row < 0 || from.start.col < 0 || from.end.row >= sheet.rowCount || from.end.col >= sheet.colCount || !fitsGrid(rows, cols)) {
    throw new SheetLimitError("the cells to move, and where they go, must be within the sheet's limits");
  }
  if (height * width > MAX_MOVED_CELLS) {
    throw new SheetLimitError(`A move takes at most ${MAX_MOVED_CELLS.toLocaleString("en-US")} cells: this one has ${(height * width).toLocaleString("en-US")}.`);
  }
  const { cells, styles } = sheet.types;
  sheet.doc.transact(() => {
    sheet.rows.growTo(rows);
    sheet.cols.growTo(cols);
    const rowIds = sheet.rows.list();
    const colIds = sheet.cols.list();
    const moving: { from: [string, string]; to: [string, string]; input: unknown; style: [string, unknown][] }[] = [];
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        const [rowId, colId] = [rowIds[from.start.row + i]!, colIds[from.start.col + j]!];
        const style = STYLE_ATTRS.map((attr) => [attr, styles.get(styleKey(rowId, colId, attr))] as [string, unknown]).filter(([, v]) => v !== undefined);
        moving.push({ from: [rowId, colId], to: [rowIds[to.row + i]!, colIds[to.col + j]!], input: cells.get(cellKey(rowId, colId)), style });
      }
    }
    const clear = ([rowId, colId]: [string, string]) => {
      const key = cellKey(rowId, colId);
      if (cells.has(key)) cells.delete(key);
      for (const attr of STYLE_ATTRS) if (styles.has(styleKey(rowId, colId, attr))) styles.delete(styleKey(rowId, colId, attr));
    };
    for (const cell of moving) {
      clear(cell.from);
      clear(cell.to);
    }
    const moved = new Map<CellPlace, { colId: string; rowId: string }>();
    for (const cell of moving) {
      const [rowId, colId] = cell.to;
      if (cell.input !== undefined) cells.set(cellKey(rowId, colId), cell.input as string);
      for (const [attr, value] of cell.style) styles.set(styleKey(rowId, colId, attr), value);
      moved.set(`${cell.from[1]}.${cell.from[0]}`, { colId, rowId });
    }
    // Merged areas wholly within the cells moved go with them.
    const inside = merges(sheet).filter((m) => m.start.row >= from.start.row && m.end.row <= from.end.row && m.start.col >= from.start.col && m.end.col <= from.end.col);
    moveMerges(sheet, inside, to.row - from.start.row, to.col - from.start.col);
    // Every formula that pointed at a moved cell, on any tab (deleted ones too: they may come back), points where it went.
    for (const id of tabIds(sheet.types.tabs)) {
      const own = id === sheet.tab;
      const tabCells = Sheet.of(sheet.doc, id).types.cells;
      for (const [key, value] of [...tabCells]) {
        if (typeof value !== "string" || !isFormula(value)) continue;
        const next = movedReferences(value, (t) => t === sheet.tab || (own && t === undefined), moved);
        if (next !== value) tabCells.set(key, next);
      }
    }
  }, origin);
}
