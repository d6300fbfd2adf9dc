import "fake-indexeddb/auto";
import { IndexeddbPersistence, storeState } from "y-indexeddb";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { stateInParts } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";

/** A local copy as the page keeps it (see SheetSession): its merged state written in parts. */
const copyOf = (name: string, doc: Y.Doc) => new IndexeddbPersistence(name, doc, { encodeState: (d) => [...stateInParts(d)] });

/** How many records the copy holds. */
function records(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction("updates").objectStore("updates").count();
      count.onsuccess = () => {
        open.result.close();
        resolve(count.result);
      };
    };
  });
}

describe("the local copy (y-indexeddb, patched)", () => {
  it("writes a large sheet's merged state in parts, applies them over several tasks, and keeps what is edited after", async () => {
    const name = `copy-${Math.random()}`;
    const doc = new Y.Doc();
    Sheet.of(doc).setCells(Array.from({ length: 30_000 }, (_, i) => ({ row: Math.floor(i / 3), col: i % 3, input: `r${i}` })));
    const first = copyOf(name, doc);
    await first.whenSynced;
    await storeState(first, true);
    const parts = [...stateInParts(doc)].length;
    expect(parts).toBeGreaterThan(2);
    expect(await records(name)).toBe(parts);
    await first.destroy();

    const again = new Y.Doc();
    let applied = 0;
    again.on("afterTransaction", (tr: Y.Transaction) => {
      if (tr.origin instanceof IndexeddbPersistence) applied++;
    });
    const second = copyOf(name, again);
    // The first run is applied in the task that read the copy; the page may draw before the rest.
    let loaded = false;
    void second.whenSynced.then(() => (loaded = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await second.whenSynced;
    expect(loaded).toBe(true);
    expect(applied).toBeGreaterThan(1);
    expect(Y.encodeStateAsUpdate(again)).toEqual(Y.encodeStateAsUpdate(doc));

    Sheet.of(again).setCellsA1({ A1: "after" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await second.destroy();
    const third = new Y.Doc();
    await copyOf(name, third).whenSynced;
    expect(Sheet.of(third).getInput(0, 0)).toBe("after");
    expect(Sheet.of(third).types.cells.size).toBe(30_000);
  });

  it("applies a small copy in one task, as before", async () => {
    const name = `copy-${Math.random()}`;
    const doc = new Y.Doc();
    Sheet.of(doc).setCellsA1({ A1: "one", B2: "two" });
    const first = copyOf(name, doc);
    await first.whenSynced;
    await first.destroy();
    const again = new Y.Doc();
    let applied = 0;
    again.on("afterTransaction", () => applied++);
    await copyOf(name, again).whenSynced;
    expect(applied).toBe(1);
    expect(Sheet.of(again).getInput(1, 1)).toBe("two");
  });
});
