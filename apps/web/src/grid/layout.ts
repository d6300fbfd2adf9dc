import { CONTENT_LIMITS, sortedIndex, type Range } from "@cosheet/sheet";

/** Geometry of the grid: row heights (some hidden), column widths, and the visible window. */
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

/** The lowest a row can be set to, and so the most rows a viewport of some height can show. */
export const MIN_ROW_HEIGHT = CONTENT_LIMITS.minRowHeight;

/**
 * The grid's rows as they are laid out: each one row high, except those of another height (set by
 * someone, or fitted to wrapped text) and those hidden (by a filter), which take no room. A shown
 * row's ordinal counts the shown rows above it: rows are windowed and stepped through by it.
 * Hidden rows are never frozen ones (those stay in view).
 */
export class RowLayout {
  /** The rows not {@link ROW_HEIGHT} high (hidden ones are 0), in order, with their heights. */
  private readonly sized: number[] = [];
  private readonly heights: number[] = [];
  /** `extra[i]`: the room the first `i` of them take beyond {@link ROW_HEIGHT} each. */
  private readonly extra: Float64Array;

  /**
   * @param hidden the rows hidden, in order, each within the sheet
   * @param sizes the heights of rows of another height, by row
   */
  constructor(
    readonly count: number,
    private readonly hidden: readonly number[] = [],
    sizes: ReadonlyMap<number, number> = new Map(),
  ) {
    const rows = [...new Set([...hidden, ...sizes.keys()])].filter((r) => r >= 0 && r < count).sort((a, b) => a - b);
    for (const row of rows) {
      const height = this.isHidden(row) ? 0 : sizes.get(row)!;
      if (height === ROW_HEIGHT) continue;
      this.sized.push(row);
      this.heights.push(height);
    }
    this.extra = new Float64Array(this.sized.length + 1);
    for (let i = 0; i < this.sized.length; i++) this.extra[i + 1] = this.extra[i]! + this.heights[i]! - ROW_HEIGHT;
  }

  /** How many rows show. */
  get shown(): number {
    return this.count - this.hidden.length;
  }

  /** How many hidden rows are above `row`. */
  private hiddenAbove(row: number): number {
    return sortedIndex(this.hidden, row);
  }

  isHidden(row: number): boolean {
    return this.hidden.length > 0 && this.hidden[this.hiddenAbove(row)] === row;
  }

  /** The ordinal of a shown row (for a hidden one, that of the next shown row). */
  ordinal(row: number): number {
    return row - this.hiddenAbove(row);
  }

  /** The shown row of an ordinal (clamped to those there are). */
  rowOf(ordinal: number): number {
    const n = Math.max(0, Math.min(this.shown - 1, ordinal));
    // The first hidden row `h[i]` with h[i] - i > n has i hidden rows above row n + i.
    const h = this.hidden;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid]! - mid <= n) lo = mid + 1;
      else hi = mid;
    }
    return n + lo;
  }

  /** The top of a row within the rows (the column headers excluded). */
  top(row: number): number {
    return row * ROW_HEIGHT + this.extra[sortedIndex(this.sized, row)]!;
  }

  height(row: number): number {
    const i = sortedIndex(this.sized, row);
    return this.sized[i] === row ? this.heights[i]! : ROW_HEIGHT;
  }

  /** The height of every shown row together. */
  get total(): number {
    return this.count * ROW_HEIGHT + this.extra[this.sized.length]!;
  }

  /** The runs of shown rows from `from` to `to` (both included), as [first, last] pairs, in order. */
  shownRuns(from: number, to: number): [number, number][] {
    const runs: [number, number][] = [];
    const h = this.hidden;
    let start = from;
    for (let i = this.hiddenAbove(from); i < h.length && h[i]! <= to; i++) {
      if (h[i]! > start) runs.push([start, h[i]! - 1]);
      start = h[i]! + 1;
    }
    if (start <= to) runs.push([start, to]);
    return runs;
  }

  /** The parts of a range on shown rows: what copying, cutting and clearing it act on, as in Excel. */
  shownParts(range: Range): Range[] {
    return this.shownRuns(range.start.row, range.end.row).map(([first, last]) => ({
      start: { row: first, col: range.start.col },
      end: { row: last, col: range.end.col },
    }));
  }

  /** The shown row at a height within the rows (the first or last shown above or below them). */
  rowAt(y: number): number {
    if (y >= this.total) return this.rowOf(this.shown - 1);
    // The last row whose top is at or above y: a hidden row has the top of the next one shown.
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.top(mid) <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

export interface Viewport {
  scrollTop: number;
  scrollLeft: number;
  width: number;
  height: number;
}

export interface Window {
  /** Ordinals of the first and last shown rows (see RowLayout). */
  firstRow: number;
  lastRow: number;
  firstCol: number;
  lastCol: number;
}

/** The rows and columns to render for a viewport (inclusive bounds, with overscan). */
export function visibleWindow(view: Viewport, rows: RowLayout, offsets: Float64Array): Window {
  const colCount = offsets.length - 1;
  const rowCount = rows.shown;
  if (rowCount === 0 || colCount === 0) return { firstRow: 0, lastRow: -1, firstCol: 0, lastCol: -1 };
  const top = Math.max(0, view.scrollTop);
  const firstRow = Math.max(0, rows.ordinal(rows.rowAt(top)) - OVERSCAN);
  const lastRow = Math.min(rowCount - 1, rows.ordinal(rows.rowAt(top + view.height)) + OVERSCAN);
  const left = Math.max(0, view.scrollLeft);
  const firstCol = Math.max(0, indexAt(offsets, left) - 1);
  const lastCol = Math.min(colCount - 1, indexAt(offsets, left + view.width) + 1);
  return { firstRow, lastRow, firstCol, lastCol };
}

/** The most rows a window of a viewport this high holds (see visibleWindow), frozen ones aside. */
export function windowCapacity(height: number): number {
  return Math.ceil(Math.max(0, height) / MIN_ROW_HEIGHT) + 2 * OVERSCAN + 3;
}

/**
 * Where the viewport scrolls to show a cell below the sticky headers and frozen panes, moving as
 * little as it can. Frozen rows and columns are always in view: they do not scroll it.
 */
export function scrollToReveal(
  view: Viewport,
  pos: { row: number; col: number },
  offsets: Float64Array,
  rows: RowLayout,
  frozen: { rows: number; cols: number },
): { scrollTop: number; scrollLeft: number } {
  let { scrollTop, scrollLeft } = view;
  if (pos.row >= frozen.rows) {
    const top = HEADER_HEIGHT + rows.top(pos.row);
    const hidden = HEADER_HEIGHT + rows.top(frozen.rows);
    const bottom = top + rows.height(pos.row);
    // A row taller than the view shows from its top.
    if (top - hidden < scrollTop) scrollTop = top - hidden;
    else if (bottom > scrollTop + view.height) scrollTop = Math.min(bottom - view.height, top - hidden);
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

/**
 * The indices a window renders on one axis: the frozen ones first, then those in view after them
 * (`first` and `last` are ordinals; `at` gives the index of one, as RowLayout.rowOf does for rows).
 */
export function windowIndices(frozen: number, first: number, last: number, at: (ordinal: number) => number = (i) => i): number[] {
  const out: number[] = [];
  for (let i = 0; i < frozen; i++) out.push(i);
  for (let i = Math.max(frozen, first); i <= last; i++) out.push(at(i));
  return out;
}

/**
 * A rendered row's slot: its ordinal (see RowLayout) modulo the window's capacity, so that
 * scrolling by k rows gives only the k rows that came into view a new element (frozen rows keep
 * their own, -1 here). `bySlot` orders a window's rows by slot, frozen rows first.
 */
export function rowSlot(row: number, frozenRows: number, capacity: number, ordinal: (row: number) => number = (r) => r): number {
  return row < frozenRows ? -1 : ordinal(row) % capacity;
}

export function bySlot(rows: readonly number[], frozenRows: number, capacity: number, ordinal?: (row: number) => number): number[] {
  const slot = (r: number) => rowSlot(r, frozenRows, capacity, ordinal);
  return [...rows].sort((a, b) => slot(a) - slot(b) || a - b);
}

/** Pixel box of a range within the grid's content (headers included), as CSS lengths. */
export function rangeBox(
  { start, end }: { start: { row: number; col: number }; end: { row: number; col: number } },
  offsets: Float64Array,
  rows: RowLayout,
): { left: string; top: string; width: string; height: string } {
  const top = rows.top(start.row);
  return {
    left: `${ROW_HEADER_WIDTH + offsets[start.col]!}px`,
    top: `${HEADER_HEIGHT + top}px`,
    width: `${offsets[end.col + 1]! - offsets[start.col]!}px`,
    height: `${rows.top(end.row) + rows.height(end.row) - top}px`,
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
  rows: RowLayout,
  frozen: { rows: number; cols: number },
): { row: number; col: number } {
  const inX = x - ROW_HEADER_WIDTH;
  const inY = y - HEADER_HEIGHT;
  const frozenWidth = offsets[frozen.cols]!;
  const cx = inX >= 0 && inX < frozenWidth ? inX : inX + view.scrollLeft;
  const cy = inY >= 0 && inY < rows.top(frozen.rows) ? inY : inY + view.scrollTop;
  if (inY < 0) return { row: -1, col: inX < 0 ? -1 : colAt(offsets, cx) };
  // Below the last row (the margin under the grid), the row count on a row header (past every
  // row), and the last row shown on a cell.
  const past = cy >= rows.total;
  if (inX < 0) return { row: past ? rows.count : rows.rowAt(cy), col: -1 };
  return { row: rows.rowAt(cy), col: colAt(offsets, cx) };
}
