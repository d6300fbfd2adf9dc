import type { CellRef, Range } from "@cosheet/sheet";

export interface GridSize {
  rows: number;
  cols: number;
}

export type Direction = "up" | "down" | "left" | "right";

const STEP: Record<Direction, CellRef> = {
  up: { row: -1, col: 0 },
  down: { row: 1, col: 0 },
  left: { row: 0, col: -1 },
  right: { row: 0, col: 1 },
};

export function clamp(pos: CellRef, size: GridSize): CellRef {
  return {
    row: Math.max(0, Math.min(size.rows - 1, pos.row)),
    col: Math.max(0, Math.min(size.cols - 1, pos.col)),
  };
}

/** One or `count` cells in a direction, stopping at the sheet's edge. */
export function move(pos: CellRef, dir: Direction, size: GridSize, count = 1): CellRef {
  const step = STEP[dir];
  return clamp({ row: pos.row + step.row * count, col: pos.col + step.col * count }, size);
}

/**
 * Ctrl+arrow, as spreadsheets do it: from a filled cell whose neighbour is filled, to the last
 * filled cell of that run; otherwise to the next filled cell; with none, to the sheet's edge.
 */
export function dataEdge(
  pos: CellRef,
  dir: Direction,
  size: GridSize,
  filled: (row: number, col: number) => boolean,
): CellRef {
  const step = STEP[dir];
  const inside = (p: CellRef) => p.row >= 0 && p.col >= 0 && p.row < size.rows && p.col < size.cols;
  const next = (p: CellRef) => ({ row: p.row + step.row, col: p.col + step.col });
  let cur = pos;
  let ahead = next(cur);
  if (!inside(ahead)) return cur;
  if (filled(cur.row, cur.col) && filled(ahead.row, ahead.col)) {
    while (inside(ahead) && filled(ahead.row, ahead.col)) {
      cur = ahead;
      ahead = next(cur);
    }
    return cur;
  }
  while (inside(ahead)) {
    cur = ahead;
    if (filled(cur.row, cur.col)) return cur;
    ahead = next(cur);
  }
  return cur;
}

/** The rectangle spanned by two corners. */
export function spanning(a: CellRef, b: CellRef): Range {
  return {
    start: { row: Math.min(a.row, b.row), col: Math.min(a.col, b.col) },
    end: { row: Math.max(a.row, b.row), col: Math.max(a.col, b.col) },
  };
}
