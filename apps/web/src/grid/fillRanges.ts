import type { CellRef, Range } from "@cosheet/sheet";

/** What a fill copies (its source) and the range it fills, the source included. */
export interface Fill {
  source: Range;
  target: Range;
}

/**
 * Ctrl+D / Ctrl+R on a selection: its first row (column) copied into the rest of it; with a
 * single row (column) selected, the one above (to the left) copied into it, as spreadsheets do.
 * Null when there is nothing to copy from (the first row or column).
 */
export function edgeFill(selection: Range, dir: "down" | "right"): Fill | null {
  const { start, end } = selection;
  if (dir === "down") {
    if (end.row > start.row) return { source: { start, end: { row: start.row, col: end.col } }, target: selection };
    if (start.row === 0) return null;
    const above = { start: { row: start.row - 1, col: start.col }, end: { row: start.row - 1, col: end.col } };
    return { source: above, target: { start: above.start, end } };
  }
  if (end.col > start.col) return { source: { start, end: { row: end.row, col: start.col } }, target: selection };
  if (start.col === 0) return null;
  const before = { start: { row: start.row, col: start.col - 1 }, end: { row: end.row, col: start.col - 1 } };
  return { source: before, target: { start: before.start, end } };
}

/**
 * The fill handle dragged to a cell: the source extended towards it, in whichever direction it is
 * furthest out; the source itself (the same object) when the cell is inside it.
 */
export function fillTarget(source: Range, pos: CellRef): Range {
  const { start, end } = source;
  const dRow = pos.row > end.row ? pos.row - end.row : pos.row < start.row ? pos.row - start.row : 0;
  const dCol = pos.col > end.col ? pos.col - end.col : pos.col < start.col ? pos.col - start.col : 0;
  if (dRow === 0 && dCol === 0) return source;
  if (Math.abs(dRow) >= Math.abs(dCol)) {
    return dRow > 0 ? { start, end: { row: pos.row, col: end.col } } : { start: { row: pos.row, col: start.col }, end };
  }
  return dCol > 0 ? { start, end: { row: end.row, col: pos.col } } : { start: { row: start.row, col: pos.col }, end };
}
