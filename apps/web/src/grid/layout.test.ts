import { describe, expect, it } from "vitest";
import { colAt, columnOffsets, HEADER_HEIGHT, ROW_HEADER_WIDTH, ROW_HEIGHT, scrollToReveal, visibleWindow } from "./layout";

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
