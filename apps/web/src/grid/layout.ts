/** Geometry of the grid: fixed row height, per-column widths, and the visible window. */
export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 24;
export const ROW_HEADER_WIDTH = 56;
export const DEFAULT_COL_WIDTH = 100;
/** Rows and columns rendered beyond the viewport on each side, so fast scrolling shows no gaps. */
const OVERSCAN = 4;

/** Prefix sums of column widths: `offsets[c]` is the left edge of column c. */
export function columnOffsets(count: number, widthOf: (col: number) => number): Float64Array {
  const offsets = new Float64Array(count + 1);
  for (let c = 0; c < count; c++) offsets[c + 1] = offsets[c]! + widthOf(c);
  return offsets;
}

/** The last index whose offset is <= x. */
function indexAt(offsets: Float64Array, x: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}

export interface Viewport {
  scrollTop: number;
  scrollLeft: number;
  width: number;
  height: number;
}

export interface Window {
  firstRow: number;
  lastRow: number;
  firstCol: number;
  lastCol: number;
}

/** The rows and columns to render for a viewport (inclusive bounds, with overscan). */
export function visibleWindow(view: Viewport, rowCount: number, offsets: Float64Array): Window {
  const colCount = offsets.length - 1;
  if (rowCount === 0 || colCount === 0) return { firstRow: 0, lastRow: -1, firstCol: 0, lastCol: -1 };
  const top = Math.max(0, view.scrollTop);
  const firstRow = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const lastRow = Math.min(rowCount - 1, Math.ceil((top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const left = Math.max(0, view.scrollLeft);
  const firstCol = Math.max(0, indexAt(offsets, left) - 1);
  const lastCol = Math.min(colCount - 1, indexAt(offsets, left + view.width) + 1);
  return { firstRow, lastRow, firstCol, lastCol };
}

/** The most rows a window of a viewport this high holds (see visibleWindow), frozen ones aside. */
export function windowCapacity(height: number): number {
  return Math.ceil(Math.max(0, height) / ROW_HEIGHT) + 2 * OVERSCAN + 3;
}

/**
 * Where the viewport scrolls to show a cell below the sticky headers and frozen panes, moving as
 * little as it can. Frozen rows and columns are always in view: they do not scroll it.
 */
export function scrollToReveal(
  view: Viewport,
  pos: { row: number; col: number },
  offsets: Float64Array,
  frozen: { rows: number; cols: number },
): { scrollTop: number; scrollLeft: number } {
  let { scrollTop, scrollLeft } = view;
  if (pos.row >= frozen.rows) {
    const top = HEADER_HEIGHT + pos.row * ROW_HEIGHT;
    const hidden = HEADER_HEIGHT + frozen.rows * ROW_HEIGHT;
    if (top - hidden < scrollTop) scrollTop = top - hidden;
    else if (top + ROW_HEIGHT > scrollTop + view.height) scrollTop = top + ROW_HEIGHT - view.height;
  }
  if (pos.col >= frozen.cols) {
    const left = ROW_HEADER_WIDTH + offsets[pos.col]!;
    const width = offsets[pos.col + 1]! - offsets[pos.col]!;
    const hidden = ROW_HEADER_WIDTH + offsets[frozen.cols]!;
    if (left - hidden < scrollLeft) scrollLeft = left - hidden;
    else if (left + width > scrollLeft + view.width) scrollLeft = left + width - view.width;
  }
  return { scrollTop, scrollLeft };
}

/** Column index under an x coordinate of the grid's content (row header excluded). */
export function colAt(offsets: Float64Array, x: number): number {
  return indexAt(offsets, x);
}

/** The indices a window renders on one axis: the frozen ones first, then those in view after them. */
export function windowIndices(frozen: number, first: number, last: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < frozen; i++) out.push(i);
  for (let i = Math.max(frozen, first); i <= last; i++) out.push(i);
  return out;
}

/**
 * A rendered row's slot: its index modulo the window's capacity, so that scrolling by k rows
 * gives only the k rows that came into view a new element (frozen rows keep their own, -1 here).
 * `bySlot` orders a window's rows by slot, frozen rows first.
 */
export function rowSlot(row: number, frozenRows: number, capacity: number): number {
  return row < frozenRows ? -1 : row % capacity;
}

export function bySlot(rows: readonly number[], frozenRows: number, capacity: number): number[] {
  const slot = (r: number) => rowSlot(r, frozenRows, capacity);
  return [...rows].sort((a, b) => slot(a) - slot(b) || a - b);
}

/** Pixel box of a range within the grid's content (headers included), as CSS lengths. */
export function rangeBox(
  { start, end }: { start: { row: number; col: number }; end: { row: number; col: number } },
  offsets: Float64Array,
): { left: string; top: string; width: string; height: string } {
  return {
    left: `${ROW_HEADER_WIDTH + offsets[start.col]!}px`,
    top: `${HEADER_HEIGHT + start.row * ROW_HEIGHT}px`,
    width: `${offsets[end.col + 1]! - offsets[start.col]!}px`,
    height: `${(end.row - start.row + 1) * ROW_HEIGHT}px`,
  };
}

/**
 * The cell under a point `x`, `y` of the grid's box (its top-left corner is 0, 0): row -1 on the
 * column headers, col -1 on the row headers, both on the corner. Within the frozen bands the
 * position does not scroll.
 */
export function cellAtPoint(
  x: number,
  y: number,
  view: Pick<Viewport, "scrollTop" | "scrollLeft">,
  offsets: Float64Array,
  rowCount: number,
  frozen: { rows: number; cols: number },
): { row: number; col: number } {
  const inX = x - ROW_HEADER_WIDTH;
  const inY = y - HEADER_HEIGHT;
  const frozenWidth = offsets[frozen.cols]!;
  const cx = inX >= 0 && inX < frozenWidth ? inX : inX + view.scrollLeft;
  const cy = inY >= 0 && inY < frozen.rows * ROW_HEIGHT ? inY : inY + view.scrollTop;
  if (inY < 0) return { row: -1, col: inX < 0 ? -1 : colAt(offsets, cx) };
  if (inX < 0) return { row: Math.floor(cy / ROW_HEIGHT), col: -1 };
  return { row: Math.min(rowCount - 1, Math.floor(cy / ROW_HEIGHT)), col: colAt(offsets, cx) };
}
