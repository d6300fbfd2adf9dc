import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { CommentError, foldComments } from "./comments.js";
import { CONTENT_LIMITS } from "./content.js";
import type { CommentEvent, CommentRequest, CommentStamp } from "./schema.js";
import type { Sheet } from "./sheet.js";
import { prng, replicas, syncAll } from "./testing.js";

const ann: CommentStamp = { author: "Ann", person: "ann-key", at: 1 };
const bob: CommentStamp = { author: "Bob", person: "bob-key", at: 2 };

function open(sheet: Sheet, id: string, row: number, col: number, text: string, by = ann): void {
  const { rowId, colId } = sheet.idsAt(row, col)!;
  sheet.comments.append({ id, action: "open", thread: id, rowId, colId, text }, by);
}

function texts(sheet: Sheet): Record<string, string[]> {
  return Object.fromEntries([...sheet.comments.threads.values()].map((t) => [t.id, t.comments.map((c) => c.text)]));
}

describe("comment threads", () => {
  it("fold open, reply, edit, resolve and reopen into a thread", () => {
    const [sheet] = replicas(1);
    open(sheet!, "t1", 1, 1, "Is this right?");
    const { comments } = sheet!;
    comments.append({ id: "r1", action: "reply", thread: "t1", text: "Yes" }, bob);
    comments.append({ id: "e1", action: "edit", thread: "t1", target: "t1", text: "Is B2 right?" }, { ...ann, at: 3 });
    comments.append({ id: "s1", action: "resolve", thread: "t1" }, bob);
    const thread = comments.threads.get("t1")!;
    expect(thread.comments.map((c) => [c.author, c.text, c.editedAt])).toEqual([
      ["Ann", "Is B2 right?", 3],
      ["Bob", "Yes", null],
    ]);
    expect(thread.resolved).toBe(true);
    comments.append({ id: "o1", action: "reopen", thread: "t1" }, ann);
    expect(comments.threads.get("t1")!.resolved).toBe(false);
    expect(comments.placed().map((p) => [p.thread.id, p.row, p.col])).toEqual([["t1", 1, 1]]);
  });

  it("let only a comment's author change or delete it", () => {
    const [sheet] = replicas(1);
    open(sheet!, "t1", 0, 0, "Mine");
    const { comments } = sheet!;
    const edit = (by: CommentStamp) => comments.append({ id: `e-${by.person}`, action: "edit", thread: "t1", target: "t1", text: "changed" }, by);
    expect(() => edit(bob)).toThrow(expect.objectContaining({ reason: "not-yours" }));
    expect(() => edit({ ...ann, person: "" })).toThrow(CommentError);
    expect(texts(sheet!)).toEqual({ t1: ["Mine"] });
    // Nobody can change a comment that was written without a person key.
    comments.append({ id: "r1", action: "reply", thread: "t1", text: "anonymous" }, { ...bob, person: "" });
    expect(() => comments.append({ id: "d1", action: "delete", thread: "t1", target: "r1" }, { ...bob, person: "" })).toThrow(CommentError);
    expect(comments.threads.get("t1")!.comments).toHaveLength(2);
  });

  it("delete a reply alone, and the whole thread with the comment that opened it", () => {
    const [sheet] = replicas(1);
    open(sheet!, "t1", 0, 0, "Question");
    const { comments } = sheet!;
    comments.append({ id: "r1", action: "reply", thread: "t1", text: "Answer" }, bob);
    comments.append({ id: "d1", action: "delete", thread: "t1", target: "r1" }, bob);
    expect(texts(sheet!)).toEqual({ t1: ["Question"] });
    comments.append({ id: "d2", action: "delete", thread: "t1", target: "t1" }, ann);
    expect(texts(sheet!)).toEqual({});
    expect(() => comments.append({ id: "r2", action: "reply", thread: "t1", text: "late" }, bob)).toThrow(
      expect.objectContaining({ reason: "gone" }),
    );
  });

  it("take a request sent twice once, and refuse what cannot apply with nothing written", () => {
    const [sheet] = replicas(1);
    open(sheet!, "t1", 0, 0, "Once");
    const { comments } = sheet!;
    const log = sheet!.types.comments;
    const { rowId, colId } = sheet!.idsAt(0, 0)!;
    expect(comments.append({ id: "t1", action: "open", thread: "t1", rowId, colId, text: "Once" }, ann)).toBeNull();
    const refused: [CommentRequest, string][] = [
      [{ id: "x1", action: "open", thread: "x1", rowId: "nope", colId, text: "hi" }, "gone"],
      [{ id: "x2", action: "open", thread: "other", rowId, colId, text: "hi" }, "invalid"],
      [{ id: "x3", action: "reply", thread: "t1", text: "  padded  " }, "invalid"],
      [{ id: "x4", action: "reply", thread: "t1", text: "x".repeat(CONTENT_LIMITS.commentText + 1) }, "invalid"],
      [{ id: "x5", action: "reply", thread: "t1", text: "" }, "invalid"],
      [{ id: "x6", action: "reply", thread: "t1", text: "hi", rowId } as CommentRequest, "invalid"],
      [{ id: "x7", action: "edit", thread: "t1", target: "missing", text: "hi" }, "gone"],
    ];
    for (const [request, reason] of refused) {
      expect(() => comments.append(request, ann), request.id).toThrow(expect.objectContaining({ reason }));
    }
    expect(log.length).toBe(1);
  });

  it("pass over entries of a log that are not valid events, and repeated ids", () => {
    const good: CommentEvent = { id: "t1", action: "open", thread: "t1", rowId: "r", colId: "c", text: "ok", ...ann };
    const folded = foldComments([
      good,
      { ...good, text: "again" },
      { ...good, id: "t2", thread: "t2", extra: 1 },
      { ...good, id: "t3", thread: "t3", text: "" },
      { id: "r1", action: "reply", thread: "t1", text: "no stamp" },
      "junk",
      null,
      { ...ann, id: "r2", action: "reply", thread: "t1", text: "reply" },
    ]);
    expect([...folded.threads.values()].map((t) => t.comments.map((c) => c.text))).toEqual([["ok", "reply"]]);
  });

  it("let an editor delete anyone's comment, marked as moderated, and nobody else", () => {
    const [sheet] = replicas(1);
    open(sheet!, "t1", 0, 0, "Spam");
    const { comments } = sheet!;
    comments.append({ id: "r1", action: "reply", thread: "t1", text: "more spam" }, ann);
    expect(() => comments.append({ id: "d0", action: "delete", thread: "t1", target: "r1" }, bob)).toThrow(CommentError);
    comments.append({ id: "d1", action: "delete", thread: "t1", target: "r1" }, bob, undefined, { moderator: true });
    expect(sheet!.types.comments.get(2)).toMatchObject({ action: "delete", person: "bob-key", moderated: true });
    comments.append({ id: "d2", action: "delete", thread: "t1", target: "t1" }, bob, undefined, { moderator: true });
    expect(texts(sheet!)).toEqual({});
    // A moderated delete replayed from the log folds the same way.
    expect(foldComments(sheet!.types.comments.toArray()).threads.size).toBe(0);
  });

  it("refuse an id already taken by another event, and replies past a thread's limit", () => {
    const [sheet] = replicas(1);
    open(sheet!, "t1", 0, 0, "Question");
    const { comments } = sheet!;
    expect(() => comments.append({ id: "t1", action: "reply", thread: "t1", text: "same id" }, ann)).toThrow(
      expect.objectContaining({ reason: "invalid" }),
    );
    const { rowId, colId } = sheet!.idsAt(0, 0)!;
    expect(() => comments.append({ id: "t1", action: "open", thread: "t1", rowId, colId, text: "Question" }, bob)).toThrow(CommentError);
    for (let i = 1; i < CONTENT_LIMITS.commentsPerThread; i++) comments.append({ id: `r${i}`, action: "reply", thread: "t1", text: "x" }, bob);
    expect(() => comments.append({ id: "over", action: "reply", thread: "t1", text: "x" }, bob)).toThrow(expect.objectContaining({ reason: "full" }));
    expect(comments.threads.get("t1")!.comments).toHaveLength(CONTENT_LIMITS.commentsPerThread);
  });

  it("fold new entries in as they are appended, and the whole log again after a merge in the middle", () => {
    const [server, other] = replicas(2);
    open(server!, "t1", 0, 0, "first");
    const threads = server!.comments.threads;
    server!.comments.append({ id: "r1", action: "reply", thread: "t1", text: "second" }, bob);
    expect(server!.comments.threads).toBe(threads); // the same fold, grown
    // Another server appended concurrently: merged, its entry lands before or after ours.
    Y.applyUpdate(other!.doc, Y.encodeStateAsUpdate(server!.doc));
    other!.comments.append({ id: "r2", action: "reply", thread: "t1", text: "elsewhere" }, ann);
    server!.comments.append({ id: "r3", action: "reply", thread: "t1", text: "here" }, bob);
    Y.applyUpdate(server!.doc, Y.encodeStateAsUpdate(other!.doc));
    Y.applyUpdate(other!.doc, Y.encodeStateAsUpdate(server!.doc));
    const shown = (sheet: Sheet) => sheet.comments.threads.get("t1")!.comments.map((c) => c.text);
    expect(shown(server!)).toEqual(foldComments(server!.types.comments.toArray()).threads.get("t1")!.comments.map((c) => c.text));
    expect(shown(server!)).toEqual(shown(other!));
    expect(shown(server!)).toHaveLength(4);
  });

  it("refuse new entries once the log is full", () => {
    const [sheet] = replicas(1);
    const { rowId, colId } = sheet!.idsAt(0, 0)!;
    const filler = Array.from({ length: CONTENT_LIMITS.commentEvents }, (_, i): CommentEvent => ({
      id: `f${i}`,
      action: "open",
      thread: `f${i}`,
      rowId,
      colId,
      text: "x",
      ...ann,
    }));
    sheet!.types.comments.push(filler);
    expect(() => open(sheet!, "one-more", 0, 0, "full?")).toThrow(expect.objectContaining({ reason: "full" }));
    expect(sheet!.types.comments.length).toBe(CONTENT_LIMITS.commentEvents);
    // Cleaning up still works, up to a bound of its own.
    sheet!.comments.append({ id: "d1", action: "delete", thread: "f1", target: "f1" }, ann);
    sheet!.comments.append({ id: "s2", action: "resolve", thread: "f2" }, bob);
    expect(sheet!.comments.threads.has("f1")).toBe(false);
    expect(sheet!.comments.threads.get("f2")!.resolved).toBe(true);
  });
});

/** Delivers each replica's updates to the others in a random order. */
function randomNetwork(sheets: readonly Sheet[], rand: () => number) {
  const inbox: { to: Sheet; update: Uint8Array }[] = [];
  const net = {};
  for (const from of sheets) {
    from.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === net) return;
      for (const to of sheets) if (to !== from) inbox.push({ to, update });
    });
  }
  return {
    deliverSome(): void {
      for (let n = Math.floor(rand() * (inbox.length + 1)); n > 0; n--) {
        const [msg] = inbox.splice(Math.floor(rand() * inbox.length), 1);
        Y.applyUpdate(msg!.to.doc, msg!.update, net);
      }
    },
  };
}

describe("comments on three replicas", () => {
  it("follow their cell through concurrent inserts and deletes, hide with a deleted row and come back with its undo", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed);
      const int = (n: number) => Math.floor(rand() * n);
      const sheets = replicas(3, { rows: 12, cols: 6 });
      const [server, a, b] = sheets as [Sheet, Sheet, Sheet];
      // Each commented cell holds its thread's id, so "the same cell" can be checked after any moves.
      const marked = [
        [2, 1],
        [5, 3],
        [9, 0],
      ];
      server.setCells(marked.map(([row, col], i) => ({ row: row!, col: col!, input: `t${i}` })));
      marked.forEach(([row, col], i) => open(server, `t${i}`, row!, col!, `about t${i}`));
      syncAll(sheets);
      const net = randomNetwork(sheets, rand);
      const undo = new Y.UndoManager([a.types.rows, a.types.cols, a.types.cells], { trackedOrigins: new Set(["a"]) });
      const markedRow = (sheet: Sheet) => sheet.rows.indexOf(sheet.comments.threads.get("t1")!.rowId);
      for (let step = 0; step < 12; step++) {
        for (const [sheet, origin] of [
          [a, "a"],
          [b, "b"],
        ] as const) {
          const rows = sheet.rowCount;
          switch (int(4)) {
            case 0:
              sheet.insertRows(int(rows + 1), 1 + int(2), origin);
              break;
            case 1:
              sheet.insertCols(int(sheet.colCount + 1), 1, origin);
              break;
            case 2: {
              // Deletes elsewhere: never a commented row or column.
              const row = int(rows);
              if (!sheet.comments.placed().some((p) => p.row === row)) sheet.deleteRows(row, 1, origin);
              break;
            }
            default:
              sheet.setCells([{ row: rows + int(3), col: int(4), input: "new" }], origin);
          }
        }
        if (step === 5) {
          const row = markedRow(a);
          if (row >= 0) a.deleteRows(row, 1, "a");
        }
        if (step % 3 === 0) net.deliverSome();
      }
      syncAll(sheets);
      const placed = (sheet: Sheet) =>
        sheet.comments
          .placed()
          .map((p) => [p.thread.id, p.row, p.col, sheet.getInput(p.row, p.col)])
          .sort();
      // t1's row was deleted by a: hidden everywhere; the others are on their cells.
      for (const sheet of sheets) {
        expect(placed(sheet), `seed ${seed}`).toEqual(placed(server));
        for (const [id, , , input] of placed(sheet)) expect(input).toBe(id);
        expect(placed(sheet).map((p) => p[0])).toEqual(["t0", "t2"]);
      }
      // Undoing a's edits brings the row, its cells and its thread back, on every replica.
      while (undo.canUndo()) undo.undo();
      syncAll(sheets);
      for (const sheet of sheets) {
        const shown = placed(sheet);
        expect(shown.map((p) => p[0])).toEqual(["t0", "t1", "t2"]);
        for (const [id, , , input] of shown) expect(input).toBe(id);
      }
    }
  });
});
