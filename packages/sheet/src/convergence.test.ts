import { describe, expect, it } from "vitest";
import { formatCell } from "./a1.js";
import { exportCsv } from "./csv.js";
import { FormulaEngine } from "./formula.js";
import { cellKey } from "./schema.js";
import type { CellIds, Sheet } from "./sheet.js";
import { prng, RandomNetwork, replicas, syncAll } from "./testing.js";

function randomOp(sheet: Sheet, rand: () => number): void {
  const int = (n: number) => Math.floor(rand() * n);
  const kind = int(10);
  const rows = sheet.rowCount;
  const cols = sheet.colCount;
  if (kind < 5) {
    const writes = Array.from({ length: 1 + int(4) }, () => ({
      row: int(rows + 3),
      col: int(cols + 1),
      input: rand() < 0.15 ? "" : String(int(1000)),
    }));
    sheet.setCells(writes, "test");
  } else if (kind === 5) {
    sheet.insertRows(int(rows + 1), 1 + int(3), "test");
  } else if (kind === 6 && rows > 2) {
    sheet.deleteRows(int(rows - 1), 1 + int(2), "test");
  } else if (kind === 7) {
    sheet.insertCols(int(cols + 1), 1, "test");
  } else if (kind === 8 && cols > 2) {
    sheet.deleteCols(int(cols - 1), 1, "test");
  } else {
    const r = int(rows);
    sheet.clearRange({ start: { row: r, col: 0 }, end: { row: r + int(3), col: int(cols) } }, "test");
  }
}

function snapshot(sheet: Sheet) {
  return {
    rows: sheet.rows.list(),
    cols: sheet.cols.list(),
    cells: sheet.types.cells.toJSON(),
    a1: sheet.toA1Record(),
    csv: exportCsv(sheet),
  };
}

describe("convergence", () => {
  it.each(Array.from({ length: 30 }, (_, i) => i + 1))("random operations, random delivery order (seed %i)", (seed) => {
    const rand = prng(seed);
    const sheets = replicas(2 + (seed % 3));
    const net = new RandomNetwork(sheets, rand);
    for (let step = 0; step < 60; step++) {
      randomOp(sheets[Math.floor(rand() * sheets.length)]!, rand);
      net.deliverSome();
    }
    net.deliverAll();
    const first = snapshot(sheets[0]!);
    for (const other of sheets.slice(1)) expect(snapshot(other)).toEqual(first);
  });

  it.each(Array.from({ length: 15 }, (_, i) => i + 1))(
    "formulas typed while others insert and delete rows and columns point at the same cells (seed %i)",
    (seed) => {
      const rand = prng(1000 + seed);
      const int = (n: number) => Math.floor(rand() * n);
      const sheets = replicas(3, { rows: 30, cols: 8 });
      const net = new RandomNetwork(sheets, rand);
      // Each formula reads one marker cell holding a unique number: wherever both end up, the
      // formula's value must be the marker's (or #REF! once the marker's row or column is gone).
      const pairs: { formula: CellIds; stored: string; marker: CellIds; value: number }[] = [];
      for (let step = 0; step < 80; step++) {
        const sheet = sheets[int(sheets.length)]!;
        if (rand() < 0.35) {
          const kind = int(4);
          if (kind === 0) sheet.insertRows(int(sheet.rowCount + 1), 1 + int(2));
          else if (kind === 1 && sheet.rowCount > 5) sheet.deleteRows(int(sheet.rowCount), 1);
          else if (kind === 2) sheet.insertCols(int(sheet.colCount + 1), 1);
          else if (sheet.colCount > 3) sheet.deleteCols(int(sheet.colCount), 1);
        } else {
          const marker = { row: int(sheet.rowCount), col: int(sheet.colCount) };
          const target = { row: int(sheet.rowCount), col: int(sheet.colCount) };
          if (marker.row === target.row && marker.col === target.col) continue;
          const value = 1000 + step;
          const absolute = rand() < 0.5 ? "$" : "";
          const ref = absolute ? `$${formatCell(marker).replace(/(\d+)$/, "$$$1")}` : formatCell(marker);
          sheet.setCells([
            { ...marker, input: String(value) },
            { ...target, input: `=${ref}*1` },
          ]);
          const formula = sheet.idsAt(target.row, target.col)!;
          const stored = sheet.types.cells.get(cellKey(formula.rowId, formula.colId))!;
          pairs.push({ formula, stored, marker: sheet.idsAt(marker.row, marker.col)!, value });
        }
        net.deliverSome();
      }
      net.deliverAll();
      const first = snapshot(sheets[0]!);
      for (const other of sheets.slice(1)) expect(snapshot(other)).toEqual(first);
      const values = sheets.map((sheet) => {
        const engine = FormulaEngine.of(sheet);
        const used = sheet.usedRange();
        const out: unknown[] = [];
        for (let r = 0; used && r <= used.end.row; r++) for (let c = 0; c <= used.end.col; c++) out.push(engine.valueAt(r, c));
        return out;
      });
      for (const v of values.slice(1)) expect(v).toEqual(values[0]);
      // Later writes may overwrite a pair's cells; check the pairs whose cells still hold them.
      const sheet = sheets[0]!;
      const engine = FormulaEngine.of(sheet);
      let checked = 0;
      for (const { formula, stored, marker, value } of pairs) {
        const at = sheet.positionOfIds(formula);
        if (!at || sheet.types.cells.get(cellKey(formula.rowId, formula.colId)) !== stored) continue;
        const markerAt = sheet.positionOfIds(marker);
        if (markerAt && sheet.getInput(markerAt.row, markerAt.col) !== String(value)) continue;
        expect(engine.valueAt(at.row, at.col)).toEqual(markerAt ? value : { error: "#REF!" });
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    },
  );

  it("an edit concurrent with a row inserted above it stays on its logical row", () => {
    const [a, b] = replicas(2);
    a!.setCellsA1({ A4: "above", A5: "row five" });
    syncAll([a!, b!]);
    a!.insertRows(4, 1); // insert a row above row 5
    b!.setCellsA1({ B5: "edited" }); // concurrently edit row 5
    syncAll([a!, b!]);
    for (const s of [a!, b!]) expect(s.toA1Record()).toEqual({ A4: "above", A6: "row five", B6: "edited" });
  });

  it("an edit concurrent with deleting its row is dropped for everyone (delete wins)", () => {
    const [a, b] = replicas(2);
    a!.setCellsA1({ A5: "row five", A6: "row six" });
    syncAll([a!, b!]);
    a!.deleteRows(4, 1);
    b!.setCellsA1({ B5: "edited" });
    syncAll([a!, b!]);
    for (const s of [a!, b!]) {
      expect(s.toA1Record()).toEqual({ A5: "row six" });
      expect(s.rowCount).toBe(9);
      expect(exportCsv(s)).toBe(",\r\n,\r\n,\r\n,\r\nrow six".replace(/,/g, ""));
    }
  });
});
