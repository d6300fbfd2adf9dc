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
    const w = visibleWindow({ scrollTop: 100_000 * ROW_HEIGHT, scrollLeft: 0, width: 800, height: 600 }, 200_000, offsets);
    expect(w.firstRow).toBeGreaterThanOrEqual(100_000 - 5);
    expect(w.lastRow).toBeLessThanOrEqual(100_000 + 600 / ROW_HEIGHT + 5);
    expect(w.lastCol - w.firstCol).toBeLessThan(12);
    const end = visibleWindow({ scrollTop: 1e9, scrollLeft: 1e9, width: 800, height: 600 }, 1000, offsets);
    expect(end.lastRow).toBe(999);
    expect(end.lastCol).toBe(25);
  });

  it("scrolls as little as it can to show a cell beside frozen panes, and never for a frozen one", () => {
    const offsets = columnOffsets(50, () => 100);
    const view = { scrollTop: 0, scrollLeft: 0, width: 500, height: 300 };
    const none = { rows: 0, cols: 0 };
    // In view: nothing moves.
    expect(scrollToReveal(view, { row: 3, col: 2 }, offsets, none)).toEqual({ scrollTop: 0, scrollLeft: 0 });
    // Below and right of the view: its bottom and right edges come to the view's.
    expect(scrollToReveal(view, { row: 40, col: 10 }, offsets, none)).toEqual({
      scrollTop: HEADER_HEIGHT + 41 * ROW_HEIGHT - 300,
      scrollLeft: ROW_HEADER_WIDTH + 1100 - 500,
    });
    // Above the view, with two frozen rows and a frozen column: it comes just below and beside them.
    const scrolled = { ...view, scrollTop: 2000, scrollLeft: 3000 };
    const frozen = { rows: 2, cols: 1 };
    expect(scrollToReveal(scrolled, { row: 10, col: 5 }, offsets, frozen)).toEqual({ scrollTop: 8 * ROW_HEIGHT, scrollLeft: 400 });
    // A frozen cell is always in view.
    expect(scrollToReveal(scrolled, { row: 1, col: 0 }, offsets, frozen)).toEqual({ scrollTop: 2000, scrollLeft: 3000 });
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
    expect(rangeBox({ start: { row: 2, col: 1 }, end: { row: 3, col: 2 } }, offsets)).toEqual({
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
    const at = (x: number, y: number) => cellAtPoint(ROW_HEADER_WIDTH + x, HEADER_HEIGHT + y, scrolled, offsets, 1000, frozen);
    expect(at(50, 10)).toEqual({ row: 0, col: 0 }); // frozen both ways
    expect(at(150, 10)).toEqual({ row: 0, col: 11 }); // a frozen row, a scrolled column
    expect(at(50, 2 * ROW_HEIGHT + 1)).toEqual({ row: 52, col: 0 });
    expect(cellAtPoint(10, 10, scrolled, offsets, 1000, frozen)).toEqual({ row: -1, col: -1 });
    expect(cellAtPoint(10, HEADER_HEIGHT + 1, scrolled, offsets, 1000, frozen)).toEqual({ row: 0, col: -1 });
    expect(cellAtPoint(ROW_HEADER_WIDTH + 150, 5, scrolled, offsets, 1000, frozen)).toEqual({ row: -1, col: 11 });
    // Past the last row: the last row.
    expect(cellAtPoint(ROW_HEADER_WIDTH + 150, 1e6, scrolled, offsets, 60, frozen).row).toBe(59);
  });
});
