import "fake-indexeddb/auto";
import { IndexeddbPersistence, storeState } from "y-indexeddb";
import * as Y from "yjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stateInParts } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";
import { copySettled, localCopyLoaded } from "./session";

/** A local copy as the page keeps it (see SheetSession): its merged state written in parts. */
const copyOf = (name: string, doc: Y.Doc) => new IndexeddbPersistence(name, doc, { encodeState: (d) => [...stateInParts(d)] });

/** A sheet of 30,000 cells. */
function largeDoc(): Y.Doc {
  const doc = new Y.Doc();
  Sheet.of(doc).setCells(Array.from({ length: 30_000 }, (_, i) => ({ row: Math.floor(i / 3), col: i % 3, input: `r${i}` })));
  return doc;
}

/** A sheet of 30,000 cells, its local copy written once as the state in parts. */
async function largeCopy(name: string): Promise<{ doc: Y.Doc; copy: IndexeddbPersistence }> {
  const doc = largeDoc();
  const copy = copyOf(name, doc);
  await copy.whenSynced;
  await storeState(copy, true);
  return { doc, copy };
}

/** The sheet as a new document loads it from the copy, once `open` copies have written and closed. */
async function reopen(name: string, ...open: IndexeddbPersistence[]): Promise<Sheet> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const copy of open) await copy.destroy();
  const doc = new Y.Doc();
  await copyOf(name, doc).whenSynced;
  return Sheet.of(doc);
}

/** An empty copy, its database made, closed. */
async function emptyCopy(name: string): Promise<void> {
  const copy = copyOf(name, new Y.Doc());
  await copy.whenSynced;
  await copy.destroy();
}

/** Runs one request on the copy's records, in a transaction of its own; resolves with its result. */
function onRecords<T>(name: string, mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction("updates", mode);
      const req = request(tx.objectStore("updates"));
      tx.oncomplete = () => {
        open.result.close();
        resolve(req.result);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

describe("the local copy (y-indexeddb, patched)", () => {
  it("writes a large sheet's merged state in parts, applies them over several tasks, and keeps what is edited after", async () => {
    const name = `copy-${Math.random()}`;
    const { doc, copy: first } = await largeCopy(name);
    const parts = [...stateInParts(doc)].length;
    expect(parts).toBeGreaterThan(2);
    expect(await onRecords(name, "readonly", (store) => store.count())).toBe(parts);
    await first.destroy();

    const again = new Y.Doc();
    let loaded = false;
    /** Cells held after each transaction of the copy, and whether the copy had loaded by then. */
    const runs: { cells: number; loaded: boolean }[] = [];
    again.on("afterTransaction", (tr: Y.Transaction) => {
      if (tr.origin instanceof IndexeddbPersistence) runs.push({ cells: Sheet.of(again).types.cells.size, loaded });
    });
    const second = copyOf(name, again);
    void second.whenSynced.then(() => (loaded = true));
    await second.whenSynced;
    // Several runs, the first showing cells long before the copy had loaded.
    expect(runs.length).toBeGreaterThan(1);
    expect(runs[0]).toMatchObject({ loaded: false });
    expect(runs.some((r) => r.cells > 0 && r.cells < 30_000 && !r.loaded)).toBe(true);
    expect(Y.encodeStateAsUpdate(again)).toEqual(Y.encodeStateAsUpdate(doc));

    Sheet.of(again).setCellsA1({ A1: "after" });
    const third = await reopen(name, second);
    expect(third.getInput(0, 0)).toBe("after");
    expect(third.types.cells.size).toBe(30_000);
  });

  it("never deletes unread what another tab stores while it loads", async () => {
    const name = `copy-${Math.random()}`;
    const { doc, copy: first } = await largeCopy(name);

    // Another tab, on the copy as well, writes while this one is applying it.
    const mine = new Y.Doc();
    const reopened = copyOf(name, mine);
    let wrote = false;
    mine.on("afterTransaction", () => {
      if (wrote) return;
      wrote = true;
      Sheet.of(doc).setCellsA1({ Z1: "from the other tab" });
    });
    await reopened.whenSynced;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // This tab merges its records (as after 500 of them): the other tab's is applied first.
    await storeState(reopened, true);
    const last = await reopen(name, first, reopened);
    expect(last.getInput(0, 25)).toBe("from the other tab");
    expect(last.types.cells.size).toBe(30_001);
  });

  it("says when the copy cannot be read, instead of never saying it has loaded", async () => {
    const name = `copy-${Math.random()}`;
    await emptyCopy(name);
    await onRecords(name, "readwrite", (store) => store.add(new Uint8Array([200, 1, 2])));
    const broken = copyOf(name, new Y.Doc());
    const failed = await new Promise<unknown>((resolve) => broken.on("load-error", resolve));
    expect(failed).toBeInstanceOf(Error);
    expect(broken.synced).toBe(false);
  });

  it("opens a copy the previous release merged into one record", async () => {
    const name = `copy-${Math.random()}`;
    const doc = largeDoc();
    await emptyCopy(name);
    // What unpatched y-indexeddb writes when it merges the records: the whole state as one update.
    await onRecords(name, "readwrite", (store) => store.add(Y.encodeStateAsUpdate(doc)));
    const again = new Y.Doc();
    await copyOf(name, again).whenSynced;
    expect(Y.encodeStateAsUpdate(again)).toEqual(Y.encodeStateAsUpdate(doc));
    expect(Sheet.of(again).types.cells.size).toBe(30_000);
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

  describe("the first sync's wait for it", () => {
    /** A copy whose loading the test drives. */
    function fakeCopy() {
      const failed = new Set<(err: unknown) => void>();
      let synced!: () => void;
      const copy = {
        whenSynced: new Promise<void>((resolve) => (synced = resolve)),
        on: (_: "load-error", fn: (err: unknown) => void) => void failed.add(fn),
      };
      return { copy, synced: () => synced(), fail: () => failed.forEach((fn) => fn(new Error("broken"))) };
    }
    const settled = (p: Promise<void>) => {
      let done = false;
      void p.then(() => (done = true));
      return () => done;
    };
    /** Moves the clock on by `ms` and lets what resolved run. */
    const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it("goes without a copy that does not start loading in time", async () => {
      const { copy } = fakeCopy();
      const done = settled(localCopyLoaded(new Y.Doc(), copy, copySettled(copy), 20));
      await sleep(5);
      expect(done()).toBe(false);
      await sleep(40);
      expect(done()).toBe(true);
    });

    /** A copy whose first part has been applied, and whether the wait for it is over. */
    function applying(waitMs: number) {
      const doc = new Y.Doc();
      const fake = fakeCopy();
      const done = settled(localCopyLoaded(doc, fake.copy, copySettled(fake.copy), waitMs));
      doc.transact(() => Sheet.of(doc).setCellsA1({ A1: "first part" }), fake.copy);
      return { ...fake, done };
    }

    it("waits for the rest of a copy that has started loading, past the time", async () => {
      const { synced, done } = applying(20);
      await sleep(60);
      expect(done()).toBe(false);
      synced();
      await sleep(0);
      expect(done()).toBe(true);
    });

    it("goes on without a copy that cannot be read", async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      const { fail, done } = applying(10_000);
      fail();
      await sleep(0);
      expect(done()).toBe(true);
      expect(logged).toHaveBeenCalledOnce();
      logged.mockRestore();
    });
  });
});
