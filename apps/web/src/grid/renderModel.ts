import { rangeContains, type CellRef, type Range } from "@cosheet/sheet";
import type { CellContent } from "./cellContents";
import { bySlot, ROW_HEADER_WIDTH, rowSlot } from "./layout";

/** One rendered cell: its element's slot in its row, and what it shows. */
export interface RenderCell {
  /** The column's slot among the rendered ones (`f<index>` for a frozen column). */
  cslot: string | number;
  c: number;
  text: string;
  frozen: boolean;
  active: boolean;
  /** Its position, width and formatting, as inline CSS. */
  style: string;
  selected: boolean;
  changed: boolean;
  commented: boolean;
}

/** One rendered row: its element's slot (see rowSlot) and its cells. */
export interface RenderRow {
  slot: string | number;
  r: number;
  frozen: boolean;
  /** The row is in the selection (its header shows it). */
  current: boolean;
  cells: RenderCell[];
}

export interface WindowInput {
  /** The rows and columns in view (see windowIndices). */
  rows: readonly number[];
  cols: readonly number[];
  frozen: { rows: number; cols: number };
  /** The most rows a window holds (see windowCapacity). */
  capacity: number;
  offsets: Float64Array;
  selection: Range;
  active: CellRef;
  /** What a cell shows (cached by the caller). */
  content: (row: number, col: number) => CellContent;
}

/**
 * What the grid renders of its visible window, framework-free: rows listed by slot, so a row's
 * element only changes its text and position when it scrolls into view; frozen rows and columns
 * first, in order (they are sticky, in flow).
 */
export function windowModel({ rows, cols, frozen, capacity, offsets, selection, active, content }: WindowInput): RenderRow[] {
  return bySlot(rows, frozen.rows, capacity).map((r) => ({
    slot: r < frozen.rows ? `f${r}` : rowSlot(r, frozen.rows, capacity),
    r,
    frozen: r < frozen.rows,
    current: r >= selection.start.row && r <= selection.end.row,
    cells: cols.map((c, cslot) => {
      const shown = content(r, c);
      return {
        cslot: c < frozen.cols ? `f${c}` : cslot,
        c,
        text: shown.text,
        frozen: c < frozen.cols,
        active: c === active.col && r === active.row,
        style: `left:${ROW_HEADER_WIDTH + offsets[c]!}px;width:${offsets[c + 1]! - offsets[c]!}px;${shown.css}`,
        selected: rangeContains(selection, r, c),
        changed: shown.changed,
        commented: shown.commented,
      };
    }),
  }));
}
