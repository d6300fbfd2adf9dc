import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { CONTENT_LIMITS } from "./content.js";
import { restoreSheet } from "./restore.js";
import { FIRST_TAB, initSheet } from "./schema.js";
import { Sheet } from "./sheet.js";
import { TabError, Workbook } from "./tabs.js";
import { prng, replicas, syncAll } from "./testing.js";
import { UpdateError, validateUpdate } from "./update.js";

const names = (doc: Y.Doc) => Workbook.of(doc).list().map((t) => t.name);

/** Delivers each replica's updates to the others in a random order, when asked. */
function randomNetwork(docs: readonly Y.Doc[], rand: () => number) {
  const inbox: { to: Y.Doc; update: Uint8Array }[] = [];
  const net = {};
  for (const from of docs) {
    from.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === net) return;
      for (const to of docs) if (to !== from) inbox.push({ to, update });
    });
  }
  return () => {
    while (inbox.length > 0) {
      const [msg] = inbox.splice(Math.floor(rand() * inbox.length), 1);
      Y.applyUpdate(msg!.to, msg!.update, net);
    }
  };
}

describe("a workbook's tabs", () => {
  it("are one tab for a document made before tabs, with everything it had", () => {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 5, cols: 3, title: "Old" });
    Sheet.of(doc).setCellsA1({ B2: "kept" });
    Sheet.of(doc).setFrozen({ rows: 1 });
    expect(Workbook.of(doc).list()).toEqual([{ id: FIRST_TAB, name: "Sheet1", index: 0, color: undefined }]);
    const sheet = Workbook.of(doc).sheet(FIRST_TAB);
    expect(sheet).toBe(Sheet.of(doc));
    expect([sheet.title, sheet.toA1Record(), sheet.frozen]).toEqual(["Old", { B2: "kept" }, { rows: 1, cols: 0 }]);
  });

  it("are added, renamed, moved, coloured, duplicated and deleted, each with its own cells", () => {
    const [first] = replicas(1, { rows: 5, cols: 3, title: "Budget" });
    const book = Workbook.of(first!.doc);
    const data = book.add({ name: "Data", rows: 10, cols: 4 });
    const summary = book.add();
    expect(names(first!.doc)).toEqual(["Sheet1", "Data", "Sheet3"]);
    book.sheet(data).setCellsA1({ A1: "on data", B1: "=A1" });
    book.sheet(data).setFrozen({ cols: 1 });
    expect(first!.toA1Record()).toEqual({});
    expect([book.sheet(data).rowCount, book.sheet(data).colCount, book.sheet(data).title]).toEqual([10, 4, "Budget"]);
    book.rename(summary, "Summary");
    book.move(summary, 0);
    book.setColor(summary, "#1a7f5a");
    expect(book.list().map((t) => [t.name, t.index, t.color])).toEqual([
      ["Summary", 0, "#1a7f5a"],
      ["Sheet1", 1, undefined],
      ["Data", 2, undefined],
    ]);
    const copy = book.duplicate(data);
    expect(names(first!.doc)).toEqual(["Summary", "Sheet1", "Data", "Data (copy)"]);
    expect(book.sheet(copy).toA1Record()).toEqual({ A1: "on data", B1: "=A1" });
    expect(book.sheet(copy).frozen).toEqual({ rows: 0, cols: 1 });
    book.sheet(copy).setCellsA1({ A1: "changed" });
    expect(book.sheet(data).getInput(0, 0)).toBe("on data");
    book.delete(data);
    expect(names(first!.doc)).toEqual(["Summary", "Sheet1", "Data (copy)"]);
    expect(() => book.sheet(data)).toThrow(TabError);
    expect(book.find("summary")?.id).toBe(summary);
    expect(book.find(copy)?.name).toBe("Data (copy)");
    // A name people see wins over an id: the first tab's id is "first".
    book.rename(copy, "First");
    expect(book.find("first")?.id).toBe(copy);
    expect(book.byId(FIRST_TAB)?.name).toBe("Sheet1");
  });

  it("refuse a bad or taken name, deleting the last tab, and more tabs than the limit", () => {
    const [sheet] = replicas(1);
    const book = Workbook.of(sheet!.doc);
    const other = book.add({ name: "Other", rows: 2, cols: 2 });
    for (const bad of ["", " padded", "a/b", "x".repeat(32), "'quoted'", "SHEET1", "What?", "History", "a\u202eb", "a\uFFFE"]) {
      expect(() => book.rename(other, bad), bad).toThrow(TabError);
    }
    book.delete(FIRST_TAB);
    expect(() => book.delete(other)).toThrow(/at least one tab/);
    for (let i = book.list().length + 1; i < CONTENT_LIMITS.tabs; i++) book.add({ rows: 1, cols: 1 });
    expect(() => book.add({ rows: 1, cols: 1 })).toThrow(/at most 200 tabs/);
  });

  it("converge on three replicas: one name given to three tabs at once, concurrent moves", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rand = prng(seed);
      const docs = replicas(3, { rows: 3, cols: 3 }).map((s) => s.doc);
      const deliver = randomNetwork(docs, rand);
      const books = docs.map((d) => Workbook.of(d));
      const a = books[0]!.add({ name: "Plan", rows: 2, cols: 2 });
      const b = books[1]!.add({ name: "Plan", rows: 2, cols: 2 });
      books[2]!.add({ name: "Notes", rows: 2, cols: 2 });
      books[2]!.rename(FIRST_TAB, "plan");
      deliver();
      // Each moves a tab somewhere at the same time; one renames.
      books[0]!.move(b, 0);
      books[1]!.move(a, Math.floor(rand() * 4));
      books[2]!.move(FIRST_TAB, 3);
      deliver();
      const lists = books.map((book) => book.list());
      expect(lists[1], `seed ${seed}`).toEqual(lists[0]);
      expect(lists[2], `seed ${seed}`).toEqual(lists[0]);
      const shown = lists[0]!.map((t) => t.name.toLowerCase());
      expect(new Set(shown).size, `seed ${seed}`).toBe(4);
      expect(lists[0]!.map((t) => t.index)).toEqual([0, 1, 2, 3]);
    }
  });

  it("always show one tab, even after two people delete the last two at once", () => {
    const [ada, bob] = replicas(2, { rows: 3, cols: 3 });
    const other = Workbook.of(ada!.doc).add({ name: "Other", rows: 3, cols: 3 });
    syncAll([ada!, bob!]);
    Workbook.of(ada!.doc).delete(FIRST_TAB);
    Workbook.of(bob!.doc).delete(other);
    syncAll([ada!, bob!]);
    for (const s of [ada!, bob!]) expect(names(s.doc)).toEqual(["Sheet1"]);
  });

  it("deleted while someone edits in it: gone for everyone with that edit, back with it when the delete is undone", () => {
    const [ada, bob] = replicas(2, { rows: 3, cols: 3 });
    const tab = Workbook.of(ada!.doc).add({ name: "Shared", rows: 3, cols: 3 });
    syncAll([ada!, bob!]);
    const undo = new Y.UndoManager(ada!.types.tabs, { trackedOrigins: new Set(["ada"]) });
    Workbook.of(ada!.doc).delete(tab, "ada");
    Sheet.of(bob!.doc, tab).setCellsA1({ A1: "bob typed" });
    syncAll([ada!, bob!]);
    for (const s of [ada!, bob!]) expect(names(s.doc)).toEqual(["Sheet1"]);
    undo.undo();
    syncAll([ada!, bob!]);
    for (const s of [ada!, bob!]) {
      expect(names(s.doc)).toEqual(["Sheet1", "Shared"]);
      expect(Workbook.of(s.doc).sheet(tab).toA1Record()).toEqual({ A1: "bob typed" });
    }
  });

  it("come back as they were when a version is restored: tabs deleted come back, tabs added go", () => {
    const [live] = replicas(1, { rows: 3, cols: 3 });
    const book = Workbook.of(live!.doc);
    const kept = book.add({ name: "Kept", rows: 3, cols: 3 });
    book.sheet(kept).setCellsA1({ A1: "then" });
    const then = new Y.Doc();
    Y.applyUpdate(then, Y.encodeStateAsUpdate(live!.doc));
    book.sheet(kept).setCellsA1({ A1: "now" });
    book.rename(kept, "Renamed");
    book.add({ name: "Added later", rows: 2, cols: 2 });
    book.delete(FIRST_TAB);
    restoreSheet(live!.doc, then);
    expect(book.list()).toEqual(Workbook.of(then).list());
    expect(names(live!.doc)).toEqual(["Sheet1", "Kept"]);
    expect(book.sheet(kept).toA1Record()).toEqual({ A1: "then" });
  });
});

describe("the validator, for tabs", () => {
  function refused(server: Y.Doc, change: (doc: Y.Doc) => void): string | null {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    const before = Y.encodeStateVector(doc);
    change(doc);
    try {
      validateUpdate(server, Y.encodeStateAsUpdate(doc, before));
      return null;
    } catch (err) {
      return (err as UpdateError).problem;
    }
  }

  it("takes a tab's own types by their rules, and refuses bad names, bad entries, and too much growth", () => {
    const server = new Y.Doc();
    initSheet(server, { rows: 10, cols: 5 });
    expect(refused(server, (doc) => Workbook.of(doc).add({ name: "Ok", rows: 5, cols: 5 }))).toBeNull();
    expect(refused(server, (doc) => doc.getMap("tabs").set("abc:name", "bad/name"))).toBe("content");
    expect(refused(server, (doc) => doc.getMap("tabs").set("abc:owner", "me"))).toBe("content");
    expect(refused(server, (doc) => doc.getMap("tabs").set("first:order", "zz"))).toBe("content");
    // A refused update leaves no types behind on the server's document.
    const roots = server.share.size;
    expect(refused(server, (doc) => {
      for (let i = 0; i < 50; i++) doc.getArray(`fake${i}/rows`).push(["r1"]);
    })).toBe("content");
    expect(server.share.size).toBe(roots);
    expect(refused(server, (doc) => doc.getMap("abc/cells").set("not a key", "x"))).toBe("content");
    expect(refused(server, (doc) => doc.getMap("abc/meta").set("title", "a second title"))).toBe("content");
    expect(refused(server, (doc) => doc.getMap("first/cells").set("r:c", "x"))).toBe("content");
    expect(refused(server, (doc) => doc.getMap("abc/cells").set("r:c", "fine"))).toBe("content");
    expect(
      refused(server, (doc) => {
        doc.getMap("tabs").set("abc:name", "Abc");
        doc.getMap("abc/cells").set("r:c", "fine");
      }),
    ).toBeNull();
    // Every tab within the grid, and all of them together within the workbook's cells.
    expect(refused(server, (doc) => Workbook.of(doc).add({ rows: 1, cols: CONTENT_LIMITS.cols + 1 }))).toBe("content");
    expect(
      refused(server, (doc) => {
        Workbook.of(doc).add({ rows: 400, cols: 16_000 });
        Workbook.of(doc).add({ rows: 400, cols: 16_000 });
      }),
    ).toBe("content");
    expect(
      refused(server, (doc) => {
        for (let i = 0; i < CONTENT_LIMITS.tabs; i++) doc.getMap("tabs").set(`t${i}:name`, `T${i}`);
      }),
    ).toBe("content");
  });
});
