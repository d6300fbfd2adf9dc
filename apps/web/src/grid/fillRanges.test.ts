import { describe, expect, it } from "vitest";
import { edgeFill, fillTarget } from "./fillRanges";

const range = (r0: number, c0: number, r1: number, c1: number) => ({ start: { row: r0, col: c0 }, end: { row: r1, col: c1 } });

describe("fill ranges", () => {
  it("fills down or right from the selection's first row or column, or from the one before a single one", () => {
    expect(edgeFill(range(2, 1, 5, 3), "down")).toEqual({ source: range(2, 1, 2, 3), target: range(2, 1, 5, 3) });
    expect(edgeFill(range(2, 1, 5, 3), "right")).toEqual({ source: range(2, 1, 5, 1), target: range(2, 1, 5, 3) });
    expect(edgeFill(range(4, 1, 4, 3), "down")).toEqual({ source: range(3, 1, 3, 3), target: range(3, 1, 4, 3) });
    expect(edgeFill(range(1, 2, 6, 2), "right")).toEqual({ source: range(1, 1, 6, 1), target: range(1, 1, 6, 2) });
    expect(edgeFill(range(0, 0, 0, 3), "down")).toBeNull();
    expect(edgeFill(range(0, 0, 4, 0), "right")).toBeNull();
  });

  it("extends the fill handle's source towards the cell, along the axis it is furthest out on", () => {
    const source = range(2, 2, 3, 3);
    expect(fillTarget(source, { row: 3, col: 2 })).toBe(source);
    expect(fillTarget(source, { row: 9, col: 4 })).toEqual(range(2, 2, 9, 3));
    expect(fillTarget(source, { row: 4, col: 8 })).toEqual(range(2, 2, 3, 8));
    expect(fillTarget(source, { row: 0, col: 3 })).toEqual(range(0, 2, 3, 3));
    expect(fillTarget(source, { row: 2, col: 0 })).toEqual(range(2, 0, 3, 3));
  });
});
