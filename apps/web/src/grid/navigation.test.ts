import { describe, expect, it } from "vitest";
import { dataEdge, move, spanning } from "./navigation";

const size = { rows: 10, cols: 5 };

describe("navigation", () => {
  it("moves and stops at the edges", () => {
    expect(move({ row: 0, col: 0 }, "up", size)).toEqual({ row: 0, col: 0 });
    expect(move({ row: 0, col: 0 }, "down", size, 3)).toEqual({ row: 3, col: 0 });
    expect(move({ row: 8, col: 4 }, "down", size, 30)).toEqual({ row: 9, col: 4 });
    expect(move({ row: 2, col: 4 }, "right", size)).toEqual({ row: 2, col: 4 });
  });

  it("jumps to the data edge like a spreadsheet", () => {
    // column A: rows 2..4 filled, row 7 filled
    const filled = (row: number, col: number) => col === 0 && ((row >= 2 && row <= 4) || row === 7);
    expect(dataEdge({ row: 0, col: 0 }, "down", size, filled)).toEqual({ row: 2, col: 0 });
    expect(dataEdge({ row: 2, col: 0 }, "down", size, filled)).toEqual({ row: 4, col: 0 });
    expect(dataEdge({ row: 4, col: 0 }, "down", size, filled)).toEqual({ row: 7, col: 0 });
    expect(dataEdge({ row: 7, col: 0 }, "down", size, filled)).toEqual({ row: 9, col: 0 });
    expect(dataEdge({ row: 9, col: 0 }, "down", size, filled)).toEqual({ row: 9, col: 0 });
    expect(dataEdge({ row: 9, col: 0 }, "up", size, filled)).toEqual({ row: 7, col: 0 });
    expect(dataEdge({ row: 3, col: 2 }, "left", size, filled)).toEqual({ row: 3, col: 0 });
  });

  it("spans a rectangle from two corners", () => {
    expect(spanning({ row: 5, col: 3 }, { row: 1, col: 1 })).toEqual({ start: { row: 1, col: 1 }, end: { row: 5, col: 3 } });
  });
});
