import { describe, expect, it } from "vitest";
import type { CellContent } from "./cellContents";
import { columnOffsets, ROW_HEADER_WIDTH, RowLayout, windowIndices } from "./layout";
import { windowModel, type WindowInput } from "./renderModel";

const offsets = columnOffsets(10, () => 100);
const content = (r: number, c: number): CellContent => ({ text: `${r},${c}`, css: c === 1 ? "font-weight:bold;" : "", changed: r === 21, commented: false });

function model(firstRow: number, frozen = { rows: 1, cols: 1 }, over: Partial<WindowInput> = {}) {
  return windowModel({
    rows: windowIndices(frozen.rows, firstRow, firstRow + 4),
    cols: windowIndices(frozen.cols, 3, 5),
    frozen,
    capacity: 8,
    ordinal: (r) => r,
    offsets,
    selection: { start: { row: 21, col: 3 }, end: { row: 22, col: 4 } },
    active: { row: 21, col: 3 },
    content,
    measure: (text) => text.length * 10,
    filter: () => null,
    merged: [],
    span: (from, to) => (to - from + 1) * 24,
    ...over,
  });
}

describe("the grid's render model", () => {
  it("renders the frozen row and column first, then the window, with what each cell shows", () => {
    const rows = model(20);
    expect(rows[0]).toMatchObject({ slot: "f0", r: 0, frozen: true, current: false });
    expect(rows.slice(1).map((r) => r.r).sort((a, b) => a - b)).toEqual([20, 21, 22, 23, 24]);
    const row21 = rows.find((r) => r.r === 21)!;
    expect(row21.current).toBe(true);
    expect(row21.cells.map((c) => [c.cslot, c.c])).toEqual([["f0", 0], [1, 3], [2, 4], [3, 5]]);
    expect(row21.cells[1]).toMatchObject({ text: "21,3", active: true, selected: true, changed: true });
    expect(row21.cells[3]).toMatchObject({ active: false, selected: false });
    expect(row21.cells[1]!.style).toBe(`left:${ROW_HEADER_WIDTH + 300}px;width:100px;`);
  });

  it("keeps each scrolling row in its slot: scrolling by one row changes one slot's row", () => {
    const slots = (rows: ReturnType<typeof model>) => new Map(rows.map((r) => [r.slot, r.r]));
    const [before, after] = [slots(model(20)), slots(model(21))];
    expect([...after].filter(([slot, r]) => before.get(slot) !== r)).toEqual([[(25 % 8), 25]]);
  });

  it("leaves out the rows a filter hides, marks where they were, and gives each shown row its own slot", () => {
    const layout = new RowLayout(100, [21, 22, 30]);
    const rows = windowModel({
      rows: windowIndices(1, 20, 25, (o) => layout.rowOf(o)),
      cols: windowIndices(1, 3, 4),
      frozen: { rows: 1, cols: 1 },
      capacity: 8,
      ordinal: (r) => layout.ordinal(r),
      offsets,
      selection: { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } },
      active: { row: 0, col: 0 },
      content,
      measure: () => 0,
      filter: (r, c) => (r === 0 && c === 3 ? true : null),
      merged: [],
      span: () => 24,
    });
    expect(rows.map((r) => r.r).sort((a, b) => a - b)).toEqual([0, 20, 23, 24, 25, 26, 27]);
    expect(rows.filter((r) => r.afterHidden).map((r) => r.r)).toEqual([23]);
    expect(new Set(rows.map((r) => r.slot)).size).toBe(rows.length);
    expect(rows[0]!.cells.map((c) => c.filter)).toEqual([null, true, null]);
  });

  it("draws a merged area as its top-left cell across it, even when that cell is out of view, and leaves out the cells it covers", () => {
    // Rows 0 (frozen) and 20-24, columns 0 (frozen) and 3-5 in view.
    const inView = { start: { row: 21, col: 3 }, end: { row: 22, col: 4 } };
    const above = { start: { row: 18, col: 1 }, end: { row: 20, col: 3 } };
    const rows = model(20, { rows: 1, cols: 1 }, { merged: [inView, above] });
    const row21 = rows.find((r) => r.r === 21)!;
    const anchor = row21.cells.find((c) => c.c === 3)!;
    expect(anchor).toMatchObject({ merged: true, text: "21,3" });
    expect(anchor.style).toBe(`left:${ROW_HEADER_WIDTH + 300}px;width:200px;height:48px;`);
    expect(row21.cells.map((c) => c.c)).toEqual([0, 3, 5]);
    expect(rows.find((r) => r.r === 22)!.cells.map((c) => c.c)).toEqual([0, 5]);
    // Row 18 is out of view: it is drawn for its area, which reaches row 20, alone in it.
    const row18 = rows.find((r) => r.r === 18)!;
    expect(row18.slot).toBe("m18");
    expect(row18.cells.map((c) => [c.c, c.cslot, c.merged])).toEqual([[1, "m1", true]]);
    expect(rows.find((r) => r.r === 20)!.cells.map((c) => c.c)).toEqual([0, 4, 5]);
    expect(new Set(rows.map((r) => r.slot)).size).toBe(rows.length);
  });

  it("reads each cell's content from the caller", () => {
    const seen: string[] = [];
    model(20, { rows: 0, cols: 0 }, { content: (r, c) => (seen.push(`${r},${c}`), content(r, c)) });
    expect(seen).toHaveLength(5 * 3);
  });

  it("draws a text too long for its cell over the empty cells after it, and numbers and text before a filled cell in their own", () => {
    const texts: Record<string, string> = { "21,3": "a long text of 28 characters", "22,3": "long text, then a full cell", "22,4": "x", "23,3": "short" };
    const flowing = (r: number, c: number): CellContent => {
      const text = texts[`${r},${c}`] ?? "";
      return { text, css: "", changed: false, commented: false, flows: text ? "13px sans-serif" : undefined };
    };
    const rows = model(20, { rows: 1, cols: 1 }, { content: flowing });
    const cellAt = (r: number) => rows.find((row) => row.r === r)!.cells[1]!;
    // 28 characters at 10 px and 8 px of padding: three columns of 100 px, the cell itself one.
    expect(cellAt(21).flow).toBe(292);
    expect(cellAt(21).style).toContain("width:100px");
    expect([cellAt(22).flow, cellAt(23).flow]).toEqual([null, null]);
    // A cell that holds something showing nothing (a formula giving "") stops it too.
    const blocked = model(20, { rows: 1, cols: 1 }, { content: (r, c) => (r === 21 && c === 4 ? { ...flowing(r, c), filled: true } : flowing(r, c)) });
    expect(blocked.find((row) => row.r === 21)!.cells[1]!.flow).toBeNull();
    const numbers = model(20, { rows: 1, cols: 1 }, { content: (r, c) => ({ ...flowing(r, c), flows: undefined }) });
    expect(numbers.find((row) => row.r === 21)!.cells[1]!.flow).toBeNull();
  });
});
