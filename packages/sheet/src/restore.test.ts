import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { postMessage } from "./chat.js";
import { restoreSheet } from "./restore.js";
import { initSheet } from "./schema.js";
import { Sheet } from "./sheet.js";
import { prng } from "./testing.js";

/** Everything a restore brings back, as plain data. */
function content(doc: Y.Doc) {
  const { rows, cols, cells, styles, meta, colWidths } = Sheet.of(doc).types;
  return { rows: rows.toJSON(), cols: cols.toJSON(), cells: cells.toJSON(), styles: styles.toJSON(), meta: meta.toJSON(), colWidths: colWidths.toJSON() };
}

function copy(doc: Y.Doc): Y.Doc {
  const out = new Y.Doc();
  Y.applyUpdate(out, Y.encodeStateAsUpdate(doc));
  return out;
}

function sync(...docs: Y.Doc[]): void {
  for (const a of docs) for (const b of docs) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
}

describe("restoreSheet", () => {
  it("brings back cells, styles, settings, widths and deleted rows and columns with their ids, and leaves the chat", () => {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 10, cols: 5, title: "Plan" });
    const sheet = Sheet.of(doc);
    sheet.setCellsA1({ A1: "keep", B2: "=A1", C3: "3" });
    sheet.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 1 } }, { bold: true });
    sheet.setColWidth(1, 150);
    const then = copy(doc);
    const before = content(doc);

    sheet.deleteRows(1, 2);
    sheet.insertCols(0, 2);
    sheet.setCellsA1({ A1: "new", E5: "added" });
    sheet.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { italic: true });
    sheet.setTitle("Changed");
    sheet.setFrozen({ rows: 2 });
    postMessage(doc, { author: "Ada", color: "#1a7f5a", text: "said after" });

    restoreSheet(doc, then, "restore");
    expect(content(doc)).toEqual(before);
    expect(sheet.getInput(1, 1)).toBe("=A1");
    expect(sheet.types.chat.toArray().map((m) => m.text)).toEqual(["said after"]);
  });

  it("is one transaction, and restoring the state before it undoes it", () => {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 6, cols: 3 });
    const sheet = Sheet.of(doc);
    sheet.setCellsA1({ A1: "v1" });
    const v1 = copy(doc);
    sheet.insertRows(0, 3);
    sheet.setCellsA1({ A1: "v2", B6: "x" });
    const beforeRestore = copy(doc);
    let updates = 0;
    doc.on("update", () => updates++);
    restoreSheet(doc, v1);
    expect(updates).toBe(1);
    expect(content(doc)).toEqual(content(v1));
    restoreSheet(doc, beforeRestore);
    expect(content(doc)).toEqual(content(beforeRestore));
  });

  it("converges with edits made at the same time and offline, on every replica", () => {
    const rand = prng(20261202);
    for (let round = 0; round < 20; round++) {
      const a = new Y.Doc();
      initSheet(a, { rows: 8, cols: 4 });
      const [b, c] = [copy(a), copy(a)];
      const edit = (doc: Y.Doc) => {
        const s = Sheet.of(doc);
        const r = Math.floor(rand() * s.rowCount);
        const op = rand();
        if (op < 0.6) s.setCells([{ row: r, col: Math.floor(rand() * s.colCount), input: `v${Math.floor(rand() * 100)}` }]);
        else if (op < 0.8) s.insertRows(r, 1 + Math.floor(rand() * 2));
        else if (s.rowCount > 2) s.deleteRows(r, 1);
      };
      for (let i = 0; i < 10; i++) edit(a);
      sync(a, b, c);
      const version = copy(a);
      for (let i = 0; i < 10; i++) edit([a, b, c][Math.floor(rand() * 3)]!);
      sync(a, b);
      // c is offline: it edits while a restores.
      for (let i = 0; i < 5; i++) edit(c);
      restoreSheet(a, version);
      sync(a, b);
      expect(content(a)).toEqual(content(version));
      sync(a, b, c);
      expect(content(b)).toEqual(content(a));
      expect(content(c)).toEqual(content(a));
    }
  });
});
