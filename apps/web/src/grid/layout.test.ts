import { describe, expect, it } from "vitest";
import { colAt, columnOffsets, ROW_HEIGHT, visibleWindow } from "./layout";

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
});
