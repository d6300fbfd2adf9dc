import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { postMessage } from "./chat.js";
import { CONTENT_LIMITS } from "./content.js";
import { initSheet } from "./schema.js";
import { Sheet } from "./sheet.js";
import { gcUpdate } from "./testing.js";
import { UpdateError, validateUpdate, type UpdateProblem } from "./update.js";

/** A server-side document and a client that starts from its state, as after a first sync. */
function pair(rows = 10): { server: Y.Doc; client: Sheet } {
  const server = new Y.Doc();
  initSheet(server, { rows, cols: 5 });
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
  return { server, client: Sheet.of(doc) };
}

/** The update a change on the client makes. */
function updateOf(client: Sheet | Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const doc = client instanceof Sheet ? client.doc : client;
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

/** A crafted client: the server's state in a document that never declared the sheet's types. */
function crafted(server: Y.Doc): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
  return doc;
}

function problem(doc: Y.Doc, update: Uint8Array, writable?: ReadonlySet<string>): UpdateProblem | null {
  try {
    validateUpdate(doc, update, writable ? { writable } : {});
    return null;
  } catch (err) {
    if (err instanceof UpdateError) return err.problem;
    throw err;
  }
}

describe("validateUpdate", () => {
  it("accepts everything the sheet's own operations write, in order, and a whole sheet's state", () => {
    const { server, client } = pair();
    const updates: Uint8Array[] = [];
    client.doc.on("update", (u: Uint8Array) => updates.push(u));
    client.setCellsA1({ A1: "x", B2: "=A1*2", J10: "far" });
    client.insertRows(0, 2);
    client.setCellsA1({ A1: "overwritten" });
    client.setStyle({ start: { row: 0, col: 0 }, end: { row: 1, col: 1 } }, { bold: true, color: "#aa0000", numFmt: "0.00%" });
    client.setColWidth(1, 180);
    client.setRowHeight(0, 2, 48);
    client.setStyle({ start: { row: 1, col: 1 }, end: { row: 1, col: 1 } }, { wrap: true, underline: true, strike: true, valign: "top", fontSize: 14 });
    client.setFrozen({ rows: 1 });
    client.setTitle("Budget");
    client.deleteCols(0, 1);
    client.setCellsA1({ Z40: "grows the sheet" });
    client.types.chat.push([{ id: "abc123", author: "Ada", color: "#1a7f5a", text: "hi", at: 1 }]);
    for (const u of updates) {
      expect(problem(server, u)).toBeNull();
      Y.applyUpdate(server, u);
    }
    expect(problem(new Y.Doc(), Y.encodeStateAsUpdate(client.doc))).toBeNull();
    expect(problem(server, Y.mergeUpdates(updates))).toBeNull(); // all of it known: a duplicate
  });

  it("refuses bytes that are not an update, and shared types a sheet does not have", () => {
    const { server } = pair();
    expect(problem(server, new Uint8Array([1, 2, 3, 250, 255, 7]))).toBe("malformed");
    const foreign = new Y.Doc();
    foreign.getMap("evil").set("k", "v");
    expect(problem(server, Y.encodeStateAsUpdate(foreign))).toBe("content");
  });

  const wrong: [string, (doc: Y.Doc) => void][] = [
    ["a number as a cell", (d) => d.getMap("cells").set("aaaaaaaa:bbbbbbbb", 42)],
    ["an object as a cell", (d) => d.getMap("cells").set("aaaaaaaa:bbbbbbbb", { input: "x" })],
    ["a nested map as a cell", (d) => d.getMap("cells").set("aaaaaaaa:bbbbbbbb", new Y.Map())],
    ["text as a cell", (d) => d.getMap("cells").set("aaaaaaaa:bbbbbbbb", new Y.Text("x"))],
    ["binary as a cell", (d) => d.getMap("cells").set("aaaaaaaa:bbbbbbbb", new Uint8Array([1]))],
    ["a cell key that is not row:col", (d) => d.getMap("cells").set("just-a-key", "x")],
    ["an over-long cell", (d) => d.getMap("cells").set("aaaaaaaa:bbbbbbbb", "x".repeat(CONTENT_LIMITS.cellInput + 1))],
    ["list items in the cells map", (d) => d.getArray("cells").push(["x"])],
    ["a key in the rows list", (d) => d.getMap("rows").set("k", "v")],
    ["a number as a row id", (d) => d.getArray("rows").push([7])],
    ["a row id with a colon", (d) => d.getArray("rows").push(["ab:cd"])],
    ["an unknown style attribute", (d) => d.getMap("styles").set("aaaaaaaa:bbbbbbbb:font", "x")],
    ["a style colour that is CSS", (d) => d.getMap("styles").set("aaaaaaaa:bbbbbbbb:fill", "url(http://x/)")],
    ["an unknown setting", (d) => d.getMap("meta").set("owner", "me")],
    ["a title of a million characters", (d) => d.getMap("meta").set("title", "t".repeat(1_000_000))],
    ["a frozen count past the limit", (d) => d.getMap("meta").set("frozenRows", 500)],
    ["a date order the sheet does not know", (d) => d.getMap("meta").set("dateOrder", "ymd")],
    ["a column width of a string", (d) => d.getMap("colWidths").set("bbbbbbbb", "wide")],
    ["a row height past its limit", (d) => d.getMap("rowHeights").set("bbbbbbbb", 100_000)],
    ["a row height of a fraction", (d) => d.getMap("rowHeights").set("bbbbbbbb", 20.5)],
    ["a font size not offered", (d) => d.getMap("styles").set("bbbbbbbb:cccccccc:fontSize", 1000)],
    ["a vertical alignment not known", (d) => d.getMap("styles").set("bbbbbbbb:cccccccc:valign", "baseline")],
    ["wrapping as a string", (d) => d.getMap("styles").set("bbbbbbbb:cccccccc:wrap", "yes")],
    ["a chat entry of the wrong shape", (d) => d.getArray("chat").push([{ text: "hi" }])],
    ["a chat colour that is CSS", (d) => d.getArray("chat").push([{ id: "a", author: "x", color: "url(http://x/)", text: "hi", at: 1 }])],
  ];
  for (const [what, change] of wrong) {
    it(`refuses ${what}`, () => {
      const { server } = pair();
      expect(problem(server, updateOf(crafted(server), change))).toBe("content");
    });
  }

  it("refuses a wrong type that overwrites an existing entry (its parent known only from the document)", () => {
    const { server, client } = pair();
    const key = client.keyAt(0, 0)!;
    const first = updateOf(client, (d) => d.getMap("cells").set(key, "ok"));
    Y.applyUpdate(server, first);
    const overwrite = updateOf(client, (d) => d.getMap("cells").set(key, 42));
    expect(Y.decodeUpdate(overwrite).structs.every((s) => (s as Y.Item).parent === null)).toBe(true);
    expect(problem(server, overwrite)).toBe("content");
    const fresh = pair();
    const appended = updateOf(fresh.client, (d) => d.getArray("rows").push([{ id: 1 }]));
    expect(Y.decodeUpdate(appended).structs.every((s) => (s as Y.Item).parent === null)).toBe(true);
    expect(problem(fresh.server, appended)).toBe("content");
  });

  it("refuses growth past the sheet's size limits", () => {
    const fits = CONTENT_LIMITS.gridCells / 1000 - 5; // 1000 rows and 5 columns: this many more fit
    const addCols = (n: number) => {
      const { server, client } = pair(1000);
      return problem(server, updateOf(client, () => client.types.cols.push(Array.from({ length: n }, (_, i) => `c${i}`))));
    };
    expect(addCols(fits + 1)).toBe("content");
    expect(addCols(fits)).toBeNull();
  });

  it("counts columns and rows an update deletes against those it adds: a sort at the limit is taken", () => {
    const { server, client } = pair(1000);
    const sync = () => Y.applyUpdate(server, Y.encodeStateAsUpdate(client.doc, Y.encodeStateVector(server)));
    client.types.cols.push(Array.from({ length: CONTENT_LIMITS.gridCells / 1000 - 5 }, (_, i) => `c${i}`)); // at the limit
    sync();
    const all = client.cols.list();
    const moved = updateOf(client, () => client.doc.transact(() => client.cols.reorder(0, [...all].reverse())));
    expect(problem(server, moved)).toBeNull();
    const rows = client.rows.list();
    const rowsMoved = updateOf(client, () => client.doc.transact(() => client.rows.reorder(0, [...rows].reverse())));
    expect(problem(server, Y.mergeUpdates([moved, rowsMoved]))).toBeNull();
    // Past the limit by one column, however the update is merged.
    const grow = updateOf(client, () =>
      client.doc.transact(() => {
        client.cols.delete(0, 1);
        client.types.cols.push(["x1", "x2"]);
      }),
    );
    expect(problem(server, Y.mergeUpdates([moved, rowsMoved, grow]))).toBe("content");
    expect(problem(server, Y.mergeUpdates([moved, rowsMoved, grow, grow]))).toBe("content");
  });

  it("refuses an update whose first change was withheld, and takes both in order", () => {
    const { server, client } = pair();
    const first = updateOf(client, () => client.setCellsA1({ A1: "one" }));
    const second = updateOf(client, () => client.setCellsA1({ A2: "two" }));
    expect(problem(server, second)).toBe("pending");
    expect(problem(server, first)).toBeNull();
    Y.applyUpdate(server, first);
    expect(problem(server, second)).toBeNull();
  });

  it("refuses items built on another client's unseen change, and deletions of unseen changes", () => {
    const { server, client } = pair();
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(client.doc));
    const unseen = updateOf(Sheet.of(other), () => Sheet.of(other).setCellsA1({ A1: "unseen" }));
    Y.applyUpdate(client.doc, unseen);
    const overwrite = updateOf(client, () => client.setCellsA1({ A1: "mine" }));
    expect(problem(server, overwrite)).toBe("pending");
    const removal = updateOf(client, () => client.clearRange({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }));
    expect(Y.decodeUpdate(removal).structs).toHaveLength(0);
    expect(problem(server, removal)).toBe("pending");
    Y.applyUpdate(server, unseen);
    expect(problem(server, overwrite)).toBeNull();
  });

  it("refuses a merged update with a gap in it", () => {
    const { server, client } = pair();
    const a = updateOf(client, () => client.setCellsA1({ A1: "a" }));
    updateOf(client, () => client.setCellsA1({ A2: "b" }));
    const c = updateOf(client, () => client.setCellsA1({ A3: "c" }));
    expect(problem(server, Y.mergeUpdates([a, c]))).toBe("pending");
  });

  it("refuses content a sheet never holds before building it (subdocuments, text, nested types)", () => {
    const { server } = pair();
    const doc = crafted(server);
    const update = updateOf(doc, () => {
      for (let i = 0; i < 2000; i++) doc.getMap("cells").set(`aaaaaaaa:b${i}`, new Y.Doc());
    });
    expect(problem(server, update)).toBe("content");
    expect(() => validateUpdate(server, update)).toThrow(/subdocument content/);
    expect(problem(server, updateOf(crafted(server), (d) => d.getMap("constructor").set("k", "v")))).toBe("content");
    expect(problem(server, updateOf(crafted(server), (d) => d.getArray("__proto__").push(["x"])))).toBe("content");
  }, 30_000); // 2,000 subdocuments take a while to make on a busy machine

  it("refuses a struct that repeats a known one to land its continuation somewhere else", () => {
    // Client 77 adds one row id; then sends clocks 0-4 as chat messages. Yjs would skip clock 0 and
    // attach the rest next to the row: chat messages in the rows.
    const { server } = pair();
    const honest = crafted(server);
    honest.clientID = 77;
    Y.applyUpdate(server, updateOf(honest, () => honest.getArray("rows").push(["r0000001"])));
    const attacker = new Y.Doc();
    attacker.clientID = 77;
    const message = (i: number) => ({ id: `m${i}`, author: "x", color: "#000000", text: "hi", at: 1 });
    attacker.getArray("chat").push([0, 1, 2, 3, 4].map(message));
    expect(problem(server, Y.encodeStateAsUpdate(attacker))).toBe("content");
    // The part of a repeated update that is new is what gets applied, and only it.
    const more = updateOf(honest, () => honest.getArray("rows").push(["r0000002"]));
    const repeated = Y.mergeUpdates([Y.encodeStateAsUpdate(honest), more]);
    const applied = validateUpdate(server, repeated);
    expect(applied.byteLength).toBeLessThan(repeated.byteLength);
    Y.applyUpdate(server, applied);
    expect(server.getArray("rows").toArray().slice(-2)).toEqual(["r0000001", "r0000002"]);
  });

  /** A hand-made v1 update of Any items, to say what Yjs's own API never writes. */
  function handMade(structs: { client: number; clock: number; origin?: [number, number]; right?: [number, number]; root?: string; value: unknown }[]): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, structs.length);
    for (const s of structs) {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, s.client);
      encoding.writeVarUint(e, s.clock);
      encoding.writeUint8(e, 8 | (s.origin ? 0x80 : 0) | (s.right ? 0x40 : 0));
      for (const id of [s.origin, s.right]) {
        if (id) {
          encoding.writeVarUint(e, id[0]);
          encoding.writeVarUint(e, id[1]);
        }
      }
      if (!s.origin && !s.right) {
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, s.root ?? "rows");
      }
      encoding.writeVarUint(e, 1);
      encoding.writeAny(e, s.value as string);
    }
    encoding.writeVarUint(e, 0);
    return encoding.toUint8Array(e);
  }

  it("refuses references forward in time and cycles between clients, which Yjs cannot integrate", () => {
    const { server } = pair();
    const forward = handMade([{ client: 5, clock: 0, origin: [5, 1], value: "aaaaaaaa" }]);
    expect(problem(server, forward)).toBe("pending");
    const cycle = handMade([
      { client: 6, clock: 0, right: [7, 0], value: "bbbbbbbb" },
      { client: 7, clock: 0, origin: [6, 0], value: "cccccccc" },
    ]);
    expect(problem(server, cycle)).toBe("pending");
    // The same shape without the cycle is fine, whichever client comes first in the update.
    const chain = handMade([
      { client: 6, clock: 0, origin: [7, 0], value: "bbbbbbbb" },
      { client: 7, clock: 0, root: "rows", value: "cccccccc" },
    ]);
    expect(problem(server, chain)).toBeNull();
    Y.applyUpdate(server, chain);
    expect(server.store.pendingStructs).toBeNull();
    expect(server.getArray("rows").toArray().slice(0, 2)).toEqual(["cccccccc", "bbbbbbbb"]); // no left neighbour: at the start
  });

  it("refuses, with writable types given, anything but additions to them by the sender's own clients", () => {
    const chatOnly = new Set(["chat"]);
    const { server, client } = pair();
    const apply = (u: Uint8Array) => Y.applyUpdate(server, u);
    // A chat message, and one deleted again, are the commenter's to write.
    const message = updateOf(client, (doc) => postMessage(doc, { author: "Ada", color: "#1a7f5a", text: "hi" }));
    expect(problem(server, message, chatOnly)).toBeNull();
    apply(message);
    // Deleting, even one's own message, is not: a deletion could as well cover another's changes.
    const unsaid = updateOf(client, () => client.types.chat.delete(0, 1));
    expect(problem(server, unsaid, chatOnly)).toBe("forbidden");
    apply(unsaid);
    // Cells, rows, styles, the title: refused, whether written, deleted, or both in one update.
    const edits: [string, (doc: Y.Doc) => void][] = [
      ["cells", () => client.setCellsA1({ A1: "x" })],
      ["rows", () => client.insertRows(0, 1)],
      ["rows", () => client.deleteRows(0, 1)],
      ["styles", () => client.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { bold: true })],
      ["meta", () => client.setTitle("mine")],
      ["cells", (doc) => doc.transact(() => { client.setCellsA1({ B1: "y" }); client.setCellsA1({ B1: "" }); })],
    ];
    for (const [root, edit] of edits) {
      const update = updateOf(client, edit);
      expect(problem(server, update, chatOnly), root).toBe("forbidden");
      expect(() => validateUpdate(server, update, { writable: chatOnly })).toThrow(new RegExp(`sheet's ${root}|delete`));
      expect(problem(server, update), root).toBeNull();
      apply(update);
    }
    // A delete of cells the server holds, sent alone (no insert to find the target from).
    const cleared = updateOf(client, () => client.setCellsA1({ A1: "" }));
    expect(problem(server, cleared, chatOnly)).toBe("forbidden");
    // Writing as a client that wrote cells, or garbage collecting another client's coming clocks.
    const editor = new Y.Doc();
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(server));
    Sheet.of(editor).setCellsA1({ Z1: "the editor's" });
    apply(Y.encodeStateAsUpdate(editor, Y.encodeStateVector(server)));
    const hijack = updateOf(editor, (doc) => postMessage(doc, { author: "Me", color: "#000000", text: "as the editor" }));
    expect(problem(server, hijack, chatOnly)).toBe("forbidden");
    expect(problem(server, hijack)).toBeNull();
    const gc = gcUpdate(editor.clientID, Y.getState(server.store, editor.clientID), 1_000_000);
    expect(problem(server, gc, chatOnly)).toBe("forbidden");
    expect(problem(server, gc, new Set())).toBe("forbidden");
    // A viewer may write nothing; an update with nothing new in it is no change.
    expect(problem(server, message, new Set())).toBeNull();
    expect(problem(server, updateOf(client, (doc) => postMessage(doc, { author: "B", color: "#000000", text: "x" })), new Set())).toBe("forbidden");
  });

  it("refuses any client's write to the comments, and any deletion in them, whatever its role", () => {
    const { server, client } = pair();
    const sheet = Sheet.of(server);
    const { rowId, colId } = sheet.idsAt(0, 0)!;
    const event = { id: "t1", action: "open", thread: "t1", rowId, colId, text: "hi", author: "A", person: "p", at: 1 } as const;
    // A well-formed event, as the server would write it, sent by a client: refused, even to an owner.
    const forged = updateOf(crafted(server), (doc) => doc.getArray("comments").push([event]));
    expect(problem(server, forged)).toBe("forbidden");
    expect(problem(server, forged, new Set(["chat", "comments"]))).toBe("forbidden");
    // The server's own event reaches the client; the client then deletes it, alone or with an edit.
    sheet.comments.append({ id: "t2", action: "open", thread: "t2", rowId, colId, text: "kept" }, { author: "A", person: "p", at: 2 });
    Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(client.doc)));
    const wiped = updateOf(client, () => client.types.comments.delete(0, client.types.comments.length));
    expect(problem(server, wiped)).toBe("forbidden");
    const withEdit = updateOf(crafted(server), (doc) => doc.transact(() => {
      Sheet.of(doc).setCellsA1({ A1: "x" });
      Sheet.of(doc).types.comments.delete(0, 1);
    }));
    expect(problem(server, withEdit)).toBe("forbidden");
    // Deleting rows and cells (what an editor may do) still passes, with comments in the document.
    expect(problem(server, updateOf(crafted(server), (doc) => Sheet.of(doc).deleteRows(0, 1)))).toBeNull();
    expect(server.getArray("comments").length).toBe(1);
  });
});
