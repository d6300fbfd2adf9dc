import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { parseRange, resolveRange, type Range } from "./a1.js";
import { importMerges, MAX_MERGES, mergeAt, mergeCells, merges, spanMerges, unmergeCells } from "./merges.js";
import { SheetLimitError, type Sheet } from "./sheet.js";
import { sortRows } from "./sort.js";
import { prng, RandomNetwork, replicas, syncAll } from "./testing.js";
import { validateUpdate } from "./update.js";

const area = (sheet: Sheet, a1: string): Range => resolveRange(parseRange(a1), { rows: sheet.rowCount, cols: sheet.colCount });

describe("merged cells", () => {
  it("keep the top-left cell's content, clear the others, and show as one area", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 5 });
    sheet!.setCellsA1({ A1: "title", B1: "gone", A2: "gone too", D1: "stays" });
    mergeCells(sheet!, area(sheet!, "A1:C2"));
    expect(sheet!.toA1Record()).toEqual({ A1: "title", D1: "stays" });
    expect(merges(sheet!)).toEqual([area(sheet!, "A1:C2")]);
    expect(mergeAt(merges(sheet!), 1, 2)).toEqual(area(sheet!, "A1:C2"));
    expect(mergeAt(merges(sheet!), 2, 2)).toBeUndefined();
    expect(() => mergeCells(sheet!, area(sheet!, "E5"))).toThrow(SheetLimitError);
  });

  it("grow with rows and columns inserted inside them, move with those inserted before, and go with a corner's row", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 5 });
    mergeCells(sheet!, area(sheet!, "B2:C4"));
    sheet!.insertRows(2, 2);
    sheet!.insertCols(0, 1);
    expect(merges(sheet!)).toEqual([area(sheet!, "C2:D6")]);
    sheet!.deleteRows(5, 1);
    expect(merges(sheet!)).toEqual([]);
  });

  it("merge with the areas they touch, unmerge every area a range touches, and grow a selection to whole areas", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 6 });
    mergeCells(sheet!, area(sheet!, "A1:B2"));
    mergeCells(sheet!, area(sheet!, "D1:E1"));
    mergeCells(sheet!, area(sheet!, "B2:C3"));
    expect(merges(sheet!)).toEqual([area(sheet!, "B2:C3"), area(sheet!, "D1:E1")].sort((a, b) => a.start.row - b.start.row || a.start.col - b.start.col));
    expect(spanMerges(merges(sheet!), area(sheet!, "C1:D1"))).toEqual(area(sheet!, "C1:E1"));
    expect(spanMerges(merges(sheet!), area(sheet!, "A3:C3"))).toEqual(area(sheet!, "A2:C3"));
    unmergeCells(sheet!, area(sheet!, "C3:E3"));
    expect(merges(sheet!)).toEqual([area(sheet!, "D1:E1")]);
  });

  it("refuse an area across the frozen rows' or columns' edge", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 5 });
    sheet!.setFrozen({ rows: 1 });
    expect(() => mergeCells(sheet!, area(sheet!, "A1:A3"))).toThrow(/frozen/);
    mergeCells(sheet!, area(sheet!, "A1:C1"));
    mergeCells(sheet!, area(sheet!, "A2:A3"));
    expect(merges(sheet!)).toHaveLength(2);
  });

  it("take a file's areas at most a thousand, apart from each other, growing the sheet to them", () => {
    const [sheet] = replicas(1, { rows: 5, cols: 3 });
    const many = Array.from({ length: MAX_MERGES + 50 }, (_, i) => ({ start: { row: 2 * i, col: 0 }, end: { row: 2 * i, col: 1 } }));
    const overlapping = { start: { row: 0, col: 1 }, end: { row: 1, col: 2 } };
    expect(importMerges(sheet!, [overlapping, ...many])).toBe(MAX_MERGES);
    expect(merges(sheet!)).toHaveLength(MAX_MERGES);
    expect(mergeAt(merges(sheet!), 0, 0)).toBeUndefined();
    expect(sheet!.rowCount).toBeGreaterThanOrEqual(2 * (MAX_MERGES - 2));
  });

  it("refuse a sort that would pull an area merged across rows apart", () => {
    const [sheet] = replicas(1, { rows: 10, cols: 3 });
    sheet!.setCellsA1({ A1: "3", A2: "1", A3: "2" });
    mergeCells(sheet!, area(sheet!, "B1:C1"));
    expect(sortRows(sheet!, { start: 0, end: 2, keys: [{ col: 0 }] })).toBe(true);
    mergeCells(sheet!, area(sheet!, "B2:B3"));
    expect(() => sortRows(sheet!, { start: 0, end: 2, keys: [{ col: 0 }] })).toThrow(SheetLimitError);
  });

  it("converge when merges, unmerges and edits inside them cross in any order: the same areas and cells for everyone", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const sheets = replicas(3, { rows: 8, cols: 5 });
      const rand = prng(seed);
      const int = (n: number) => Math.floor(rand() * n);
      const net = new RandomNetwork(sheets, rand);
      for (let step = 0; step < 40; step++) {
        const sheet = sheets[int(sheets.length)]!;
        const [r, c] = [int(sheet.rowCount - 1), int(sheet.colCount - 1)];
        const kind = int(6);
        if (kind <= 1) mergeCells(sheet, { start: { row: r, col: c }, end: { row: r + 1, col: c + int(2) } });
        else if (kind === 2) unmergeCells(sheet, { start: { row: r, col: c }, end: { row: r, col: c } });
        else if (kind === 3) sheet.insertRows(r, 1);
        else sheet.setCells([{ row: r, col: c, input: `s${step}` }]);
        net.deliverSome();
      }
      net.deliverAll();
      const [first, ...others] = sheets;
      for (const other of others) {
        expect(merges(other)).toEqual(merges(first!));
        expect(other.toA1Record()).toEqual(first!.toA1Record());
      }
      // No two areas shown overlap.
      const shown = merges(first!);
      for (const [i, a] of shown.entries()) {
        for (const b of shown.slice(i + 1)) {
          expect(a.end.row < b.start.row || b.end.row < a.start.row || a.end.col < b.start.col || b.end.col < a.start.col).toBe(true);
        }
      }
    }
  });

  it("pass the update check as a sheet writes them, and crafted ones do not", () => {
    const [ada, bob] = replicas(2, { rows: 4, cols: 3 });
    syncAll([ada!, bob!]);
    const before = Y.encodeStateVector(ada!.doc);
    mergeCells(ada!, area(ada!, "A1:B2"));
    expect(() => validateUpdate(bob!.doc, Y.encodeStateAsUpdate(ada!.doc, before))).not.toThrow();
    for (const [key, value] of [
      ["merge:r1:c1", { row: "r2" }],
      ["merge:r1:c1", { row: "r2", col: "c2", more: 1 }],
      ["merge:r1:c1", "A1:B2"],
      ["merge:r1", { row: "r2", col: "c2" }],
    ] as const) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(bob!.doc));
      const known = Y.encodeStateVector(doc);
      doc.getMap("meta").set(key, value);
      expect(() => validateUpdate(bob!.doc, Y.encodeStateAsUpdate(doc, known)), JSON.stringify(value)).toThrow();
    }
  });
});
