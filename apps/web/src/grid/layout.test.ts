import { describe, expect, it } from "vitest";
import {
  bySlot,
  cellAtPoint,
  colAt,
  columnOffsets,
  HEADER_HEIGHT,
  rangeBox,
  ROW_HEADER_WIDTH,
  ROW_HEIGHT,
  RowLayout,
  rowSlot,
  scrollToReveal,
  visibleWindow,
  windowIndices,
} from "./layout";

describe("layout", () => {
  const offsets = columnOffsets(26, (c) => (c === 1 ? 200 : 100));

  it("sums column widths", () => {
    expect(offsets[0]).toBe(0);
    expect(offsets[2]).toBe(300);
    expect(offsets[26]).toBe(2700);
    expect(colAt(offsets, 0)).toBe(0);
    expect(colAt(offsets, 150)).toBe(1);
    expect(colAt(offsets, 299)).toBe(1);
    expect(colAt(offsets, 300)).toBe(2);
    expect(colAt(offsets, 99_999)).toBe(25);
  });

  it("renders only the rows and columns in view, plus a little", () => {
    const w = visibleWindow({ scrollTop: 100_000 * ROW_HEIGHT, scrollLeft: 0, width: 800, height: 600 }, new RowLayout(200_000), offsets);
    expect(w.firstRow).toBeGreaterThanOrEqual(100_000 - 5);
    expect(w.lastRow).toBeLessThanOrEqual(100_000 + 600 / ROW_HEIGHT + 5);
    expect(w.lastCol - w.firstCol).toBeLessThan(12);
    const end = visibleWindow({ scrollTop: 1e9, scrollLeft: 1e9, width: 800, height: 600 }, new RowLayout(1000), offsets);
    expect(end.lastRow).toBe(999);
    expect(end.lastCol).toBe(25);
  });

  it("scrolls as little as it can to show a cell beside frozen panes, and never for a frozen one", () => {
    const offsets = columnOffsets(50, () => 100);
    const view = { scrollTop: 0, scrollLeft: 0, width: 500, height: 300 };
    const none = { rows: 0, cols: 0 };
    const rows = new RowLayout(1000);
    // In view: nothing moves.
    expect(scrollToReveal(view, { row: 3, col: 2 }, offsets, rows, none)).toEqual({ scrollTop: 0, scrollLeft: 0 });
    // Below and right of the view: its bottom and right edges come to the view's.
    expect(scrollToReveal(view, { row: 40, col: 10 }, offsets, rows, none)).toEqual({
      scrollTop: HEADER_HEIGHT + 41 * ROW_HEIGHT - 300,
      scrollLeft: ROW_HEADER_WIDTH + 1100 - 500,
    });
    // Above the view, with two frozen rows and a frozen column: it comes just below and beside them.
    const scrolled = { ...view, scrollTop: 2000, scrollLeft: 3000 };
    const frozen = { rows: 2, cols: 1 };
    expect(scrollToReveal(scrolled, { row: 10, col: 5 }, offsets, rows, frozen)).toEqual({ scrollTop: 8 * ROW_HEIGHT, scrollLeft: 400 });
    // A frozen cell is always in view.
    expect(scrollToReveal(scrolled, { row: 1, col: 0 }, offsets, rows, frozen)).toEqual({ scrollTop: 2000, scrollLeft: 3000 });
  });
});

describe("the viewport core", () => {
  it("lists frozen indices first, then those in view, without repeating any", () => {
    expect(windowIndices(0, 5, 8)).toEqual([5, 6, 7, 8]);
    expect(windowIndices(2, 5, 8)).toEqual([0, 1, 5, 6, 7, 8]);
    // Scrolled to the top: the frozen ones are in view too, and come once.
    expect(windowIndices(2, 0, 3)).toEqual([0, 1, 2, 3]);
    expect(windowIndices(0, 0, -1)).toEqual([]);
  });

  it("keeps a scrolling row in one slot: a scroll by one row moves one row to another slot", () => {
    const capacity = 10;
    expect(rowSlot(1, 2, capacity)).toBe(-1);
    const before = bySlot(windowIndices(2, 20, 27), 2, capacity);
    const after = bySlot(windowIndices(2, 21, 28), 2, capacity);
    expect(before.slice(0, 2)).toEqual([0, 1]);
    const slots = (rows: number[]) => new Map(rows.map((r) => [rowSlot(r, 2, capacity), r]));
    const [a, b] = [slots(before), slots(after)];
    const moved = [...b].filter(([slot, r]) => a.get(slot) !== r);
    expect(moved).toEqual([[8, 28]]);
  });

  it("boxes a range in pixels", () => {
    const offsets = columnOffsets(5, (c) => (c === 1 ? 150 : 100));
    expect(rangeBox({ start: { row: 2, col: 1 }, end: { row: 3, col: 2 } }, offsets, new RowLayout(10))).toEqual({
      left: `${ROW_HEADER_WIDTH + 100}px`,
      top: `${HEADER_HEIGHT + 2 * ROW_HEIGHT}px`,
      width: "250px",
      height: `${2 * ROW_HEIGHT}px`,
    });
  });

  it("finds the cell under a point, the frozen bands not scrolling", () => {
    const offsets = columnOffsets(50, () => 100);
    const scrolled = { scrollTop: 50 * ROW_HEIGHT, scrollLeft: 1000 };
    const frozen = { rows: 2, cols: 1 };
    const at = (x: number, y: number) => cellAtPoint(ROW_HEADER_WIDTH + x, HEADER_HEIGHT + y, scrolled, offsets, new RowLayout(1000), frozen);
    expect(at(50, 10)).toEqual({ row: 0, col: 0 }); // frozen both ways
    expect(at(150, 10)).toEqual({ row: 0, col: 11 }); // a frozen row, a scrolled column
    expect(at(50, 2 * ROW_HEIGHT + 1)).toEqual({ row: 52, col: 0 });
    expect(cellAtPoint(10, 10, scrolled, offsets, new RowLayout(1000), frozen)).toEqual({ row: -1, col: -1 });
    expect(cellAtPoint(10, HEADER_HEIGHT + 1, scrolled, offsets, new RowLayout(1000), frozen)).toEqual({ row: 0, col: -1 });
    expect(cellAtPoint(ROW_HEADER_WIDTH + 150, 5, scrolled, offsets, new RowLayout(1000), frozen)).toEqual({ row: -1, col: 11 });
    // Past the last row: the last row.
    expect(cellAtPoint(ROW_HEADER_WIDTH + 150, 1e6, scrolled, offsets, new RowLayout(60), frozen).row).toBe(59);
  });
});

describe("rows a filter hides", () => {
  const rows = new RowLayout(20, [3, 4, 5, 10, 19]);

  it("take no room: the rows below move up, and each shown row has its ordinal", () => {
    expect(rows.shown).toBe(15);
    expect(rows.total).toBe(15 * ROW_HEIGHT);
    expect([2, 3, 6, 11].map((r) => rows.top(r) / ROW_HEIGHT)).toEqual([2, 3, 3, 7]);
    expect([3, 6].map((r) => rows.height(r))).toEqual([0, ROW_HEIGHT]);
    const shown = Array.from({ length: 15 }, (_, o) => rows.rowOf(o));
    expect(shown).toEqual([0, 1, 2, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(shown.map((r) => rows.ordinal(r))).toEqual(Array.from({ length: 15 }, (_, o) => o));
    expect(rows.rowOf(99)).toBe(18);
    expect(rows.rowAt(3 * ROW_HEIGHT + 1)).toBe(6);
    expect(new RowLayout(5).rowOf(3)).toBe(3);
  });

  it("split a range into the parts on shown rows", () => {
    expect(rows.shownRuns(0, 19)).toEqual([[0, 2], [6, 9], [11, 18]]);
    expect(rows.shownRuns(4, 10)).toEqual([[6, 9]]);
    expect(rows.shownRuns(3, 5)).toEqual([]);
    expect(new RowLayout(9).shownParts({ start: { row: 1, col: 2 }, end: { row: 4, col: 3 } })).toEqual([{ start: { row: 1, col: 2 }, end: { row: 4, col: 3 } }]);
    expect(rows.shownParts({ start: { row: 2, col: 0 }, end: { row: 7, col: 1 } })).toEqual([
      { start: { row: 2, col: 0 }, end: { row: 2, col: 1 } },
      { start: { row: 6, col: 0 }, end: { row: 7, col: 1 } },
    ]);
  });

  it("are left out of the window, which keeps one slot per shown row", () => {
    const w = visibleWindow({ scrollTop: 0, scrollLeft: 0, width: 300, height: 4 * ROW_HEIGHT }, rows, columnOffsets(3, () => 100));
    const inView = windowIndices(1, w.firstRow, w.lastRow, (o) => rows.rowOf(o));
    expect(inView.filter((r) => rows.isHidden(r))).toEqual([]);
    expect(inView.slice(0, 5)).toEqual([0, 1, 2, 6, 7]);
    const slots = inView.map((r) => rowSlot(r, 1, 8, (x) => rows.ordinal(x)));
    expect(new Set(slots).size).toBe(slots.length);
  });

  it("leave a range's box spanning only the rows shown, and a point over them finds the row below", () => {
    const box = rangeBox({ start: { row: 2, col: 0 }, end: { row: 6, col: 0 } }, columnOffsets(1, () => 100), rows);
    expect(box.height).toBe(`${2 * ROW_HEIGHT}px`);
    const at = cellAtPoint(ROW_HEADER_WIDTH + 1, HEADER_HEIGHT + 3 * ROW_HEIGHT + 2, { scrollTop: 0, scrollLeft: 0 }, columnOffsets(1, () => 100), rows, { rows: 0, cols: 0 });
    expect(at).toEqual({ row: 6, col: 0 });
    // Below the last row, the last one shown (row 19 is hidden).
    const below = cellAtPoint(ROW_HEADER_WIDTH + 1, 1e6, { scrollTop: 0, scrollLeft: 0 }, columnOffsets(1, () => 100), rows, { rows: 0, cols: 0 });
    expect(below.row).toBe(18);
  });
});

describe("rows of other heights", () => {
  // Row 2 is 60 px (wrapped text), row 5 hidden, row 8 set to 16 px.
  const rows = new RowLayout(20, [5], new Map([[2, 60], [5, 40], [8, 16], [9, ROW_HEIGHT]]));

  it("place each row below the heights above it, hidden ones taking none", () => {
    expect([0, 2, 3, 5, 6, 8, 9].map((r) => rows.top(r))).toEqual([0, 48, 108, 156, 156, 204, 220]);
    expect([2, 5, 8, 9].map((r) => rows.height(r))).toEqual([60, 0, 16, ROW_HEIGHT]);
    expect(rows.total).toBe(20 * ROW_HEIGHT + 36 - 24 - 8);
  });

  it("find the row at a height, and the window and scroll that show a row", () => {
    expect([0, 47, 48, 107, 108, 155, 156, 204, 219, 220, 1e6].map((y) => rows.rowAt(y))).toEqual([0, 1, 2, 2, 3, 4, 6, 8, 8, 9, 19]);
    const w = visibleWindow({ scrollTop: 108, scrollLeft: 0, width: 300, height: 100 }, rows, columnOffsets(2, () => 100));
    expect(w.firstRow).toBe(0);
    expect(w.lastRow).toBe(rows.ordinal(rows.rowAt(208)) + 4);
    const offsets = columnOffsets(2, () => 100);
    // Row 2's bottom comes to the view's bottom; in a view too low for it, its top to the view's top.
    const reveal = (height: number) => scrollToReveal({ scrollTop: 0, scrollLeft: 0, width: 300, height }, { row: 2, col: 0 }, offsets, rows, { rows: 0, cols: 0 }).scrollTop;
    expect(reveal(100)).toBe(HEADER_HEIGHT + 108 - 100);
    expect(reveal(80)).toBe(48);
    expect(rangeBox({ start: { row: 1, col: 0 }, end: { row: 2, col: 0 } }, offsets, rows).height).toBe(`${ROW_HEIGHT + 60}px`);
  });
});

