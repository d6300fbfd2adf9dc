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
  /**
   * The width its text is drawn at when it runs on over the empty cells after it (see
   * CellContent.flows), past the cell's own; null when it stays in the cell.
   */
  flow: number | null;
  selected: boolean;
  changed: boolean;
  commented: boolean;
  /** A filter's header cell has its button: true when its column is filtered. */
  filter: boolean | null;
  /** The top-left cell of a merged area, drawn across all of it. */
  merged: boolean;
}

/** One rendered row: its element's slot (see rowSlot) and its cells. */
export interface RenderRow {
  slot: string | number;
  r: number;
  frozen: boolean;
  /** The row is in the selection (its header shows it). */
  current: boolean;
  /** Rows right above it are hidden (by a filter): its header shows the gap. */
  afterHidden: boolean;
  cells: RenderCell[];
}

export interface WindowInput {
  /** The rows and columns in view (see windowIndices). */
  rows: readonly number[];
  cols: readonly number[];
  frozen: { rows: number; cols: number };
  /** The most rows a window holds (see windowCapacity). */
  capacity: number;
  /** A row's ordinal among those shown (see RowLayout). */
  ordinal: (row: number) => number;
  offsets: Float64Array;
  selection: Range;
  active: CellRef;
  /** What a cell shows (cached by the caller). */
  content: (row: number, col: number) => CellContent;
  /** The width of a text in a canvas font, in pixels (see CellContent.flows). */
  measure: (text: string, font: string) => number;
  /** Whether a cell is a filter's header cell, and if so whether its column is filtered (null when not). */
  filter: (row: number, col: number) => boolean | null;
  /** The merged areas that touch the window: each is drawn as its top-left cell, across it. */
  merged: readonly Range[];
  /** How high rows `from` to `to` are together, as laid out. */
  span: (from: number, to: number) => number;
}

/** A cell's padding left and right (see .cell in SheetGrid.css). */
const PADDING = 8;
/** No character of the grid's 13 px text (bold included) is wider than this, in pixels. */
export const WIDEST_GLYPH = 14;

/**
 * How wide a cell is drawn: its column's width, or for a text too long for it (see
 * CellContent.flows) as far as it needs over the empty cells that follow it in view, as in Excel.
 */
function drawnWidth(r: number, at: number, input: WindowInput, shown: CellContent): number {
  const { cols, offsets, frozen, content, measure } = input;
  const c = cols[at]!;
  let width = offsets[c + 1]! - offsets[c]!;
  if (!shown.flows || shown.text === "") return width;
  // A text too short to be wider than its cell is not measured (scrolling brings many new ones).
  if (shown.text.length * WIDEST_GLYPH + PADDING <= width) return width;
  const needed = Math.max(...shown.text.split("\n").map((line) => measure(line, shown.flows!))) + PADDING;
  // Over the next columns in view that are empty, side by side, and on the same side of the frozen edge.
  for (let i = at + 1; width < needed && i < cols.length; i++) {
    const next = cols[i]!;
    const other = content(r, next);
    if (next !== cols[i - 1]! + 1 || (c < frozen.cols) !== (next < frozen.cols) || other.text !== "" || other.filled) break;
    if (input.merged.some((m) => rangeContains(m, r, next))) break;
    width += offsets[next + 1]! - offsets[next]!;
  }
  return width;
}

/**
 * What the grid renders of its visible window, framework-free: rows listed by slot, so a row's
 * element only changes its text and position when it scrolls into view; frozen rows and columns
 * first, in order (they are sticky, in flow).
 */
export function windowModel(input: WindowInput): RenderRow[] {
  const { rows, cols, frozen, capacity, ordinal, offsets, selection, active, content, filter, merged, span } = input;
  const anchors = new Map(merged.map((m) => [`${m.start.row},${m.start.col}`, m]));
  const covered = (r: number, c: number) => merged.some((m) => rangeContains(m, r, c) && (m.start.row !== r || m.start.col !== c));
  const cell = (r: number, c: number, cslot: number | string, at: number): RenderCell => {
    const shown = content(r, c);
    const area = anchors.get(`${r},${c}`);
    const own = area ? offsets[area.end.col + 1]! - offsets[c]! : offsets[c + 1]! - offsets[c]!;
    const width = area || at < 0 ? own : drawnWidth(r, at, input, shown);
    const size = area ? `height:${span(r, area.end.row)}px;` : "";
    return {
      cslot: c < frozen.cols ? `f${c}` : cslot,
      c,
      text: shown.text,
      frozen: c < frozen.cols,
      active: c === active.col && r === active.row,
      style: `left:${ROW_HEADER_WIDTH + offsets[c]!}px;width:${own}px;${size}${shown.css}`,
      flow: width > own ? width - PADDING : null,
      selected: rangeContains(selection, r, c),
      changed: shown.changed,
      commented: shown.commented,
      filter: filter(r, c),
      merged: area !== undefined,
    };
  };
  const inView = new Set(cols);
  /** A merged area's top-left cell in a row, when its column is out of view: drawn all the same, across the area. */
  const outside = (r: number) => merged.filter((m) => m.start.row === r && !inView.has(m.start.col)).map((m) => cell(r, m.start.col, `m${m.start.col}`, -1));
  const row = (r: number, slot: string | number, cells: RenderCell[]): RenderRow => ({
    slot,
    r,
    frozen: r < frozen.rows,
    current: r >= selection.start.row && r <= selection.end.row,
    // A hidden row has the ordinal of the next shown one.
    afterHidden: r > 0 && ordinal(r - 1) === ordinal(r),
    cells,
  });
  const out = bySlot(rows, frozen.rows, capacity, ordinal).map((r) =>
    row(r, r < frozen.rows ? `f${r}` : rowSlot(r, frozen.rows, capacity, ordinal), [
      ...cols.flatMap((c, cslot) => (covered(r, c) ? [] : [cell(r, c, cslot, cslot)])),
      ...outside(r),
    ]),
  );
  // Merged areas whose top-left row is out of view, though they reach into it: that row is drawn for them.
  const inRows = new Set(rows);
  for (const r of new Set(merged.map((m) => m.start.row).filter((r) => !inRows.has(r)))) {
    out.push(row(r, `m${r}`, merged.filter((m) => m.start.row === r).map((m) => cell(r, m.start.col, `m${m.start.col}`, -1))));
  }
  return out;
}
