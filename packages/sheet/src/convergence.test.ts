import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { exportCsv } from "./csv.js";
import type { Sheet } from "./sheet.js";
import { replicas, syncAll } from "./testing.js";

/** mulberry32: a small seeded PRNG so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A network that holds every update a replica emits and delivers them to the others in random
 * order (not FIFO), as reconnects and retries can.
 */
class RandomNetwork {
  private inbox: { to: Sheet; update: Uint8Array }[] = [];

  constructor(
    sheets: readonly Sheet[],
    private readonly rand: () => number,
  ) {
    for (const from of sheets) {
      from.doc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === this) return;
        for (const to of sheets) if (to !== from) this.inbox.push({ to, update });
      });
    }
  }

  deliverSome(): void {
    const n = Math.floor(this.rand() * (this.inbox.length + 1));
    for (let i = 0; i < n; i++) this.deliverOne();
  }

  deliverAll(): void {
    while (this.inbox.length > 0) this.deliverOne();
  }

  private deliverOne(): void {
    const i = Math.floor(this.rand() * this.inbox.length);
    const [msg] = this.inbox.splice(i, 1);
    Y.applyUpdate(msg!.to.doc, msg!.update, this);
  }
}

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
