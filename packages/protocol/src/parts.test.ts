import { Sheet, Workbook } from "@cosheet/sheet";
import { prng, replicas } from "@cosheet/sheet/testing";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { stateInParts } from "./parts.js";

/** Everything a document holds, deletes included: two documents with the same are in the same state. */
function stateOf(doc: Y.Doc) {
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  const deleted = [...ds.clients].map(([client, items]) => [client, items.map((i) => [i.clock, i.len])]).sort((a, b) => Number(a[0]) - Number(b[0]));
  const tabs = Workbook.of(doc)
    .list()
    .map((tab) => {
      const sheet = Sheet.of(doc, tab.id);
      return [tab.name, sheet.rowCount, sheet.colCount, sheet.toA1Record()];
    });
  return { vector: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(), deleted, tabs };
}

/** Three replicas editing a workbook at random (cells, rows, tabs), merged now and then. */
function history(seed: number) {
  const rand = prng(seed);
  const sheets = replicas(3, { rows: 20, cols: 6 });
  const int = (n: number) => Math.floor(rand() * n);
  const merge = () => {
    for (const a of sheets) for (const b of sheets) if (a !== b) Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
  };
  for (let step = 0; step < 150; step++) {
    const on = sheets[int(3)]!;
    const book = Workbook.of(on.doc);
    const tabs = book.list();
    const sheet = book.sheet(tabs[int(tabs.length)]!.id);
    const kind = int(10);
    if (kind < 6) sheet.setCells(Array.from({ length: 1 + int(30) }, () => ({ row: int(sheet.rowCount), col: int(sheet.colCount), input: rand() < 0.2 ? "" : `v${int(1000)}` })));
    else if (kind === 6) sheet.insertRows(int(sheet.rowCount), 1 + int(3));
    else if (kind === 7 && sheet.rowCount > 5) sheet.deleteRows(int(sheet.rowCount - 2), 1 + int(2));
    else if (kind === 8 && tabs.length < 4) book.add({ rows: 10, cols: 4 });
    else if (kind === 9) merge();
  }
  merge();
  return sheets;
}

/** Applies parts one by one, checking that none waits on another. */
function applyParts(parts: Iterable<Uint8Array>, to: Y.Doc): number {
  let n = 0;
  for (const part of parts) {
    Y.applyUpdate(to, part);
    expect(to.store.pendingStructs).toBeNull();
    n++;
  }
  return n;
}

describe("the state in parts", () => {
  it("gives the same state as one update, whether the peer has nothing or part of it, and no part waits", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const [a, b] = history(seed);
      const fresh = new Y.Doc();
      const parts = applyParts(stateInParts(a!.doc, undefined, 50), fresh);
      expect(parts).toBeGreaterThan(5);
      expect(stateOf(fresh)).toEqual(stateOf(a!.doc));
      expect(Sheet.of(fresh, "first").toA1Record()).toEqual(a!.toA1Record());

      // A peer that has an older state: the parts carry what it lacks.
      const old = new Y.Doc();
      Y.applyUpdate(old, Y.encodeStateAsUpdate(b!.doc));
      b!.setCells(Array.from({ length: 100 }, (_, i) => ({ row: i % 10, col: i % 6, input: `newer ${i}` })));
      b!.deleteRows(2, 2);
      b!.insertRows(0, 3);
      applyParts(stateInParts(b!.doc, Y.decodeStateVector(Y.encodeStateVector(old)), 50), old);
      expect(stateOf(old)).toEqual(stateOf(b!.doc));
    }
  });

  it("keep each part near its size, and show the cells written first in the first parts", () => {
    const [sheet] = replicas(1, { rows: 200, cols: 10 });
    const book = Workbook.of(sheet!.doc);
    const second = book.sheet(book.add({ rows: 200, cols: 10 }));
    const cells = (prefix: string) => Array.from({ length: 2000 }, (_, i) => ({ row: Math.floor(i / 10), col: i % 10, input: `${prefix}${i}` }));
    sheet!.setCells(cells("a"));
    second.setCells(cells("b"));
    const peer = new Y.Doc();
    const sizes: number[] = [];
    let shownAfter = 0;
    for (const part of stateInParts(sheet!.doc, undefined, 500)) {
      Y.applyUpdate(peer, part);
      const { structs } = Y.decodeUpdate(part);
      sizes.push(structs.reduce((n, s) => n + s.length, 0));
      if (!shownAfter && Sheet.of(peer, "first").getInput(199, 9) === "a1999") shownAfter = sizes.length;
    }
    // The rows' ids (one item of 200) may overrun a part; cells never do.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500 + 200);
    expect(sizes.length).toBeGreaterThanOrEqual(8);
    expect(shownAfter).toBeLessThanOrEqual(sizes.length / 2 + 1);
    expect(Sheet.of(peer, second.tab).getInput(199, 9)).toBe("b1999");
  });

  it("follow changes made to the document while they are taken", () => {
    const [a, b] = history(7);
    const peer = new Y.Doc();
    const rand = prng(9);
    let i = 0;
    for (const part of stateInParts(a!.doc, undefined, 40)) {
      Y.applyUpdate(peer, part);
      expect(peer.store.pendingStructs).toBeNull();
      // Someone edits and deletes rows meanwhile; what the parts do not carry, the peer gets as updates.
      if (i++ % 3 === 0) {
        const before = Y.encodeStateVector(a!.doc);
        a!.setCells([{ row: Math.floor(rand() * 10), col: 0, input: `during ${i}` }]);
        if (a!.rowCount > 5) a!.deleteRows(1, 1);
        Y.applyUpdate(b!.doc, Y.encodeStateAsUpdate(a!.doc, before));
      }
    }
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(b!.doc));
    expect(stateOf(peer)).toEqual(stateOf(a!.doc));
  });
});
