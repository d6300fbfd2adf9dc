import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, newPersonKey, personId, type Ack, type ErrorBody, type Role, type ThreadInfo } from "@cosheet/protocol";
import { Sheet, type CommentRequest } from "@cosheet/sheet";
import { SqliteStorage } from "../src/storage/sqlite.js";
import { apiCall, connectClient, createSheet, eventually, ownerSecret, request, startServer, type TestClient, type TestServer } from "./helpers.js";

let server: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

const api = (method: string, url: string, body?: unknown, secret?: string | null) => apiCall(server.url, method, url, body, "application/json", secret);

async function linkSecret(id: string, role: Role): Promise<string> {
  const made = await api("POST", `/api/sheets/${id}/links`, { role });
  return made.json.secret as string;
}

/** A client with a name in presence and a person key, synced. */
async function person(id: string, name: string, options: { secret?: string | null; person?: string } = {}): Promise<TestClient> {
  const client = connectClient(server.url, id, { person: newPersonKey(), ...options });
  clients.push(client);
  client.provider.awareness.setLocalState({ user: { name, color: "#1a7f5a" } });
  await client.provider.whenSynced();
  return client;
}

function openAt(client: TestClient, id: string, row: number, col: number, text: string): CommentRequest {
  const { rowId, colId } = client.sheet.idsAt(row, col)!;
  return { id, action: "open", thread: id, rowId, colId, text };
}

async function refusal(promise: Promise<void>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (err) {
    return (err as ErrorBody).code;
  }
}

const threadsOf = (client: TestClient) =>
  [...client.sheet.comments.threads.values()].map((t) => ({
    id: t.id,
    resolved: t.resolved,
    comments: t.comments.map((c) => `${c.author}: ${c.text}`),
  }));

describe("comments over the socket", () => {
  it("are live for everyone, stamped by the server, and only their author changes them", async () => {
    const id = await createSheet(server.url);
    const ann = await person(id, "Ann");
    const bob = await person(id, "Bob", { secret: await linkSecret(id, "comment") });
    expect(bob.provider.role).toBe("comment");

    await ann.provider.postComment(openAt(ann, "t1", 1, 1, "Is B2 right?"));
    await eventually(() => expect(threadsOf(bob)).toEqual([{ id: "t1", resolved: false, comments: ["Ann: Is B2 right?"] }]));
    await bob.provider.postComment({ id: "r1", action: "reply", thread: "t1", text: "Checked, yes" });
    await eventually(() => expect(threadsOf(ann)[0]!.comments).toEqual(["Ann: Is B2 right?", "Bob: Checked, yes"]));

    // Each event carries the author's person id in this sheet, never the key itself.
    const stamped = ann.sheet.types.comments.toArray();
    expect(stamped.map((e) => e.person)).toEqual([
      await personId(id, (ann.provider as unknown as { person: string }).person),
      await personId(id, (bob.provider as unknown as { person: string }).person),
    ]);
    expect(stamped.every((e) => Math.abs(e.at - Date.now()) < 60_000)).toBe(true);

    // Bob may not change Ann's comment; Ann may, and Bob may resolve the thread.
    expect(await refusal(bob.provider.postComment({ id: "e1", action: "edit", thread: "t1", target: "t1", text: "mine now" }))).toBe(
      ErrorCode.Forbidden,
    );
    expect(await refusal(bob.provider.postComment({ id: "d1", action: "delete", thread: "t1", target: "t1" }))).toBe(ErrorCode.Forbidden);
    await ann.provider.postComment({ id: "e2", action: "edit", thread: "t1", target: "t1", text: "Is B2 right now?" });
    await bob.provider.postComment({ id: "s1", action: "resolve", thread: "t1" });
    await eventually(() => expect(threadsOf(bob)).toEqual([{ id: "t1", resolved: true, comments: ["Ann: Is B2 right now?", "Bob: Checked, yes"] }]));
    // A reply to a thread that was deleted is refused as gone.
    await ann.provider.postComment({ id: "d2", action: "delete", thread: "t1", target: "t1" });
    expect(await refusal(bob.provider.postComment({ id: "r2", action: "reply", thread: "t1", text: "late" }))).toBe(ErrorCode.NotFound);
    await eventually(() => expect(threadsOf(bob)).toEqual([]));
  });

  it("an editor deletes anyone's comment, marked as moderated; an id taken by another person is refused", async () => {
    const id = await createSheet(server.url);
    const owner = await person(id, "Owner");
    const spammer = await person(id, "Spammer", { secret: await linkSecret(id, "comment") });
    await spammer.provider.postComment(openAt(spammer, "t1", 0, 0, "buy now"));
    await eventually(() => expect(owner.sheet.comments.threads.has("t1")).toBe(true));
    // The same id posted by someone else is no repeat: refused, not acknowledged as stored.
    expect(await refusal(owner.provider.postComment(openAt(owner, "t1", 0, 0, "buy now")))).toBe(ErrorCode.BadRequest);
    await owner.provider.postComment({ id: "d1", action: "delete", thread: "t1", target: "t1" });
    expect(owner.sheet.types.comments.toArray().at(-1)).toMatchObject({ action: "delete", moderated: true });
    await eventually(() => expect(spammer.sheet.comments.threads.size).toBe(0));
  });

  it("a commenter may not write the chat as the server's own client", async () => {
    const id = await createSheet(server.url);
    const owner = await person(id, "Owner");
    await owner.provider.postComment(openAt(owner, "t1", 0, 0, "by the server"));
    const commenter = await person(id, "C", { secret: await linkSecret(id, "comment") });
    // The comment event's item names the server's client id; write a chat message as that client.
    const serverClient = [...commenter.doc.store.clients.keys()].find((client) =>
      commenter.doc.store.clients.get(client)!.every((s) => (s as Y.Item).parent === commenter.sheet.types.comments),
    )!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(commenter.doc));
    doc.clientID = serverClient;
    const before = Y.encodeStateVector(doc);
    doc.getArray("chat").push([{ id: "m1", author: "Server", color: "#000000", text: "trust me", at: 1 }]);
    const answer = await request<Ack<null>>(commenter.socket, "sheet:update", { sheetId: id, update: Y.encodeStateAsUpdate(doc, before) });
    expect(!answer.ok && answer.error.code).toBe(ErrorCode.Forbidden);
  });

  it("without a person key, a comment can be written but never changed", async () => {
    const id = await createSheet(server.url);
    const anon = connectClient(server.url, id);
    clients.push(anon);
    await anon.provider.whenSynced();
    await anon.provider.postComment(openAt(anon, "t1", 0, 0, "no key"));
    expect(anon.sheet.comments.threads.get("t1")!.comments[0]).toMatchObject({ author: "Anonymous", person: "" });
    expect(await refusal(anon.provider.postComment({ id: "e1", action: "edit", thread: "t1", target: "t1", text: "x" }))).toBe(ErrorCode.Forbidden);
  });

  it("a viewer may not comment; a malformed or oversized event is refused with nothing written", async () => {
    const id = await createSheet(server.url);
    const owner = await person(id, "Owner");
    const viewer = await person(id, "Vic", { secret: await linkSecret(id, "view") });
    expect(await refusal(viewer.provider.postComment(openAt(viewer, "v1", 0, 0, "let me")))).toBe(ErrorCode.Forbidden);
    const post = (comment: unknown) => request<Ack<null>>(owner.socket, "comment:post", { sheetId: id, comment });
    const { rowId, colId } = owner.sheet.idsAt(0, 0)!;
    const bad: unknown[] = [
      null,
      { id: "x", action: "open", thread: "x", rowId, colId },
      { id: "x", action: "open", thread: "x", rowId, colId, text: "   " },
      { id: "x", action: "open", thread: "x", rowId, colId, text: "y".repeat(5001) },
      { id: "x", action: "open", thread: "x", rowId, colId, text: "hi", author: "Someone else" },
      { id: "x", action: "open", thread: "x", rowId, colId, text: "hi", person: "forged" },
      { id: "x:y", action: "reply", thread: "t", text: "hi" },
      { id: "x", action: "wipe", thread: "t" },
    ];
    for (const comment of bad) {
      const answer = await post(comment);
      expect(answer.ok ? "accepted" : answer.error.code, JSON.stringify(comment)?.slice(0, 80)).toBe(ErrorCode.BadRequest);
    }
    const gone = await post({ id: "x", action: "open", thread: "x", rowId: "nosuchrow", colId, text: "hi" });
    expect(!gone.ok && gone.error.code).toBe(ErrorCode.NotFound);
    expect(owner.sheet.types.comments.length).toBe(0);
  });

  it("no client writes or deletes the comments through the document, whatever its role", async () => {
    const id = await createSheet(server.url);
    const owner = await person(id, "Owner");
    await owner.provider.postComment(openAt(owner, "t1", 0, 0, "kept"));
    const tryUpdate = async (change: (doc: Y.Doc) => void) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(owner.doc));
      const before = Y.encodeStateVector(doc);
      change(doc);
      const answer = await request<Ack<null>>(owner.socket, "sheet:update", { sheetId: id, update: Y.encodeStateAsUpdate(doc, before) });
      return answer.ok ? "accepted" : answer.error.code;
    };
    const forged = { ...owner.sheet.types.comments.get(0), id: "f1", thread: "f1", text: "forged" };
    expect(await tryUpdate((doc) => Sheet.of(doc).types.comments.push([forged]))).toBe(ErrorCode.Forbidden);
    expect(await tryUpdate((doc) => Sheet.of(doc).types.comments.delete(0, 1))).toBe(ErrorCode.Forbidden);
    const served = await api("GET", `/api/sheets/${id}/comments`);
    expect(served.json.threads.map((t: ThreadInfo) => t.comments.map((c) => c.text))).toEqual([["kept"]]);
  });

  it("written offline are sent on reconnect, once, in order", async () => {
    const id = await createSheet(server.url);
    const ann = await person(id, "Ann");
    const bob = await person(id, "Bob");
    ann.socket.disconnect();
    await eventually(() => expect(ann.provider.status).toBe("offline"));
    const posted = [
      ann.provider.postComment(openAt(ann, "t1", 2, 2, "offline thought")),
      ann.provider.postComment({ id: "r1", action: "reply", thread: "t1", text: "and a follow-up" }),
    ];
    expect(ann.provider.unsentComments).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(bob.sheet.types.comments.length).toBe(0);
    ann.socket.connect();
    await Promise.all(posted);
    await eventually(() => expect(threadsOf(bob)[0]?.comments).toEqual(["Ann: offline thought", "Ann: and a follow-up"]));
    // The same event sent again (its answer lost, say) is stored once.
    await ann.provider.postComment({ id: "r1", action: "reply", thread: "t1", text: "and a follow-up" });
    expect(ann.sheet.types.comments.length).toBe(2);
  });

  it("GET /comments lists the threads by their cell as it is now, and hides those whose row is deleted", async () => {
    const id = await createSheet(server.url);
    const ann = await person(id, "Ann");
    await ann.provider.postComment(openAt(ann, "t1", 1, 1, "on B2"));
    await ann.provider.postComment(openAt(ann, "t2", 4, 0, "on A5"));
    ann.sheet.insertRows(0, 1);
    await ann.provider.whenSaved();
    const cells = async () => ((await api("GET", `/api/sheets/${id}/comments`)).json.threads as ThreadInfo[]).map((t) => [t.id, t.cell]);
    expect(await cells()).toEqual([
      ["t1", "B3"],
      ["t2", "A6"],
    ]);
    const undo = new Y.UndoManager(ann.sheet.types.rows, { trackedOrigins: new Set(["mine"]) });
    ann.sheet.deleteRows(2, 1, "mine");
    await ann.provider.whenSaved();
    expect(await cells()).toEqual([["t2", "A5"]]);
    undo.undo();
    await ann.provider.whenSaved();
    expect(await cells()).toEqual([
      ["t1", "B3"],
      ["t2", "A6"],
    ]);
    const { json } = await api("GET", `/api/sheets/${id}/comments`);
    expect(json.threads[0]).toMatchObject({ resolved: false, comments: [{ author: "Ann", text: "on B2", editedAt: null }] });
    expect((await api("GET", `/api/sheets/${id}/comments`, undefined, null)).status).toBe(401);
    expect(ownerSecret(id)).toBeDefined();
  });
  it("a thread hidden with its deleted row comes back when a version from before is restored", async () => {
    const id = await createSheet(server.url);
    const ann = await person(id, "Ann");
    await ann.provider.postComment(openAt(ann, "t1", 2, 0, "on A3"));
    const named = await api("POST", `/api/sheets/${id}/versions`, { name: "with the thread" });
    ann.sheet.deleteRows(2, 1);
    await ann.provider.whenSaved();
    const cells = async () => ((await api("GET", `/api/sheets/${id}/comments`)).json.threads as ThreadInfo[]).map((t) => t.cell);
    expect(await cells()).toEqual([]);
    expect((await api("POST", `/api/sheets/${id}/versions/${named.json.id}/restore`, {})).status).toBe(200);
    expect(await cells()).toEqual(["A3"]);
    await eventually(() => expect(ann.sheet.comments.placed().map((p) => p.row)).toEqual([2]));
  });

  it("a sheet stored by the previous release takes comments, and keeps them across a restart", async () => {
    // Its documents have no comments type yet: the first comment creates it; nothing to migrate.
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "sheets-v1.db");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-comments-")), "sheets.db");
    fs.copyFileSync(fixture, file);
    const sheetId = "v1SheetAaaaaaaaaaaaaa1";
    const old = await startServer({ storage: new SqliteStorage(file) });
    const ann = connectClient(old.url, sheetId, { secret: null, person: newPersonKey() });
    await ann.provider.whenSynced();
    expect(ann.sheet.getInput(0, 0)).toBe("alpha");
    await ann.provider.postComment(openAt(ann, "t1", 0, 0, "on the old sheet"));
    ann.close();
    await old.close();
    const again = await startServer({ storage: new SqliteStorage(file) });
    const listed = await apiCall(again.url, "GET", `/api/sheets/${sheetId}/comments`, undefined, undefined, null);
    expect(listed.json.threads).toMatchObject([{ cell: "A1", comments: [{ author: "Anonymous", text: "on the old sheet" }] }]);
    await again.close();
  });

  it("more sockets from one address buy no more comments", async () => {
    const id = await createSheet(server.url);
    const secret = await linkSecret(id, "comment");
    const sockets = await Promise.all(Array.from({ length: 5 }, (_, i) => person(id, `P${i}`, { secret })));
    const { rowId, colId } = sockets[0]!.sheet.idsAt(0, 0)!;
    const started = performance.now();
    const answers = await Promise.all(
      sockets.flatMap((c, i) =>
        Array.from({ length: 30 }, (_, j) =>
          request<Ack<null>>(c.socket, "comment:post", { sheetId: id, comment: { id: `c${i}x${j}`, action: "open", thread: `c${i}x${j}`, rowId, colId, text: "hi" } }),
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const stored = answers.filter((a) => a.ok).length;
    expect(answers.filter((a) => !a.ok && a.error.code === ErrorCode.RateLimited).length).toBeGreaterThan(0);
    // The address's burst, and what it refilled meanwhile: not five sockets' bursts (150).
    expect(stored).toBeLessThanOrEqual(90 + Math.ceil(3 * seconds) + 1);
  });
});
