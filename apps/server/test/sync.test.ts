import type { Duplex } from "node:stream";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { connectSocket, ErrorCode, LIMITS, PROTOCOL_VERSION, SheetProvider, type SheetSocket } from "@cosheet/protocol";
import { postMessage, Sheet, sheetTypes } from "@cosheet/sheet";
import { connectClient, createSheet, eventually, ownerSecret, request, startServer, type TestClient, type TestServer } from "./helpers.js";

let server: TestServer;
const clients: TestClient[] = [];

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

function client(sheetId: string): TestClient {
  const c = connectClient(server.url, sheetId);
  clients.push(c);
  return c;
}

function randomEdit(sheet: Sheet, i: number): void {
  const pick = Math.random();
  if (pick < 0.7) {
    sheet.setCells([{ row: Math.floor(Math.random() * 30), col: Math.floor(Math.random() * 6), input: `v${i}` }]);
  } else if (pick < 0.8) {
    sheet.insertRows(Math.floor(Math.random() * 20), 1);
  } else if (pick < 0.9) {
    sheet.deleteRows(Math.floor(Math.random() * 20), 1);
  } else {
    sheet.clearRange({ start: { row: 0, col: 0 }, end: { row: 2, col: 2 } });
  }
}

function docOf(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/** A sheet of 40,000 cells, written in four bands by a client, stored. */
async function largeSheet(): Promise<{ id: string; a: TestClient }> {
  const id = await createSheet(server.url);
  const a = client(id);
  await a.provider.whenSynced();
  a.sheet.insertRows(0, 2000);
  for (let band = 0; band < 4; band++) {
    a.sheet.setCells(Array.from({ length: 10_000 }, (_, i) => ({ row: band * 500 + Math.floor(i / 20), col: i % 20, input: `r${band}-${i}` })));
  }
  await a.provider.whenSaved();
  return { id, a };
}

function state(c: TestClient) {
  return { rows: c.sheet.rows.list(), cols: c.sheet.cols.list(), cells: c.sheet.types.cells.toJSON() };
}

describe("sync", () => {
  it("two clients converge after random concurrent edits; a third joining later gets everything", async () => {
    const id = await createSheet(server.url, "Converge");
    const [a, b] = [client(id), client(id)];
    await Promise.all([a.provider.whenSynced(), b.provider.whenSynced()]);
    expect(a.sheet.rowCount).toBe(1000);
    expect(a.sheet.title).toBe("Converge");

    for (let i = 0; i < 200; i++) {
      randomEdit(i % 2 ? a.sheet : b.sheet, i);
      if (i % 17 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all([a.provider.whenSaved(), b.provider.whenSaved()]);
    await eventually(() => expect(state(a)).toEqual(state(b)));
    expect(Object.keys(state(a).cells).length).toBeGreaterThan(0);

    const c = client(id);
    await c.provider.whenSynced();
    expect(state(c)).toEqual(state(a));
    expect(Y.encodeStateVector(c.doc)).toEqual(Y.encodeStateVector(a.doc));
  });

  it("a client that edits offline converges after it reconnects", async () => {
    const id = await createSheet(server.url);
    const [a, b] = [client(id), client(id)];
    await Promise.all([a.provider.whenSynced(), b.provider.whenSynced()]);

    a.socket.disconnect();
    await eventually(() => a.provider.status === "offline");
    a.sheet.setCellsA1({ A1: "offline edit", B2: "2" });
    a.sheet.insertRows(0, 1);
    b.sheet.setCellsA1({ C3: "online edit" });
    expect(a.provider.unsyncedChanges).toBe(2);
    await b.provider.whenSaved();

    a.socket.connect();
    await a.provider.whenSynced();
    await a.provider.whenSaved();
    expect(a.provider.unsyncedChanges).toBe(0);
    await eventually(() => expect(state(b)).toEqual(state(a)));
    expect(b.sheet.toA1Record()).toEqual({ A2: "offline edit", B3: "2", C4: "online edit" });
  });

  it("relays presence to the others and removes it when a client leaves", async () => {
    const id = await createSheet(server.url);
    const [a, b] = [client(id), client(id)];
    await Promise.all([a.provider.whenSynced(), b.provider.whenSynced()]);
    const ada = { user: { name: "Ada", color: "#1a7f5a" }, cursor: { rowId: "r1", colId: "c1" } };
    a.provider.awareness.setLocalState(ada);
    await eventually(() => expect(b.provider.awareness.getStates().get(a.doc.clientID)).toEqual(ada));

    const c = client(id);
    await c.provider.whenSynced();
    expect(c.provider.awareness.getStates().get(a.doc.clientID)).toEqual(ada);

    a.socket.disconnect();
    await eventually(() => expect(b.provider.awareness.getStates().has(a.doc.clientID)).toBe(false));
  });

  it("syncs sheets and updates far beyond Socket.IO's default 1 MB buffer", async () => {
    const id = await createSheet(server.url);
    const a = client(id);
    await a.provider.whenSynced();
    const writes = [];
    for (let r = 0; r < 1000; r++) for (let c = 0; c < 60; c++) writes.push({ row: r, col: c, input: `row ${r} col ${c}` });
    let size = 0;
    a.doc.once("update", (u: Uint8Array) => (size = u.byteLength));
    a.sheet.setCells(writes); // one paste of 60,000 cells
    expect(size).toBeGreaterThan(1_500_000);
    await a.provider.whenSaved();
    const b = client(id);
    await b.provider.whenSynced();
    expect(b.sheet.types.cells.size).toBe(60_000);
    expect(b.sheet.getInput(999, 59)).toBe("row 999 col 59");
  });

  it("sends a large sheet in parts, each a task of its own on the client, and what changes meanwhile arrives too", async () => {
    const { id, a } = await largeSheet();
    const b = client(id);
    let parts = 0;
    let during = false;
    const loading: boolean[] = [];
    b.provider.on("loading", (value) => loading.push(value));
    let waited = false;
    b.doc.on("afterTransaction", () => (waited ||= b.doc.store.pendingStructs !== null));
    b.socket.on("sheet:part", () => {
      // While the parts arrive, someone edits.
      if (parts++ === 1) {
        a.sheet.setCellsA1({ A1: "edited meanwhile" });
        a.sheet.deleteRows(1, 1);
        during = b.provider.status !== "synced" && b.provider.loading;
      }
    });
    await b.provider.whenSynced();
    expect(parts).toBeGreaterThanOrEqual(4);
    expect(during).toBe(true);
    // Changes are off while the state arrives into the empty document, and on once it has.
    expect(loading).toEqual([true, false]);
    expect(b.provider.loading).toBe(false);
    await a.provider.whenSaved();
    await eventually(() => expect(state(b)).toEqual(state(a)));
    expect(b.sheet.getInput(0, 0)).toBe("edited meanwhile");
    // The edit made meanwhile is applied after the parts it builds on: nothing ever waited.
    expect(waited).toBe(false);
  });

  it("waits for a local copy still loading before its step 1, and is sent only what the copy lacks", async () => {
    const { id, a } = await largeSheet();
    const full = Y.encodeStateAsUpdate(a.doc).byteLength;
    const copy = Y.encodeStateAsUpdate(a.doc);
    a.sheet.setCellsA1({ A1: "after the copy" });
    await a.provider.whenSaved();
    // The copy loads 300 ms after the join has answered, as IndexedDB may.
    const doc = new Y.Doc();
    const loaded = () => new Promise((resolve) => setTimeout(() => resolve(Y.applyUpdate(doc, copy)), 300));
    const b = connectClient(server.url, id, { doc, beforeSync: loaded });
    clients.push(b);
    let received = 0;
    b.socket.on("sheet:part", (part) => {
      received += part.update.byteLength;
    });
    const loading: boolean[] = [];
    b.provider.on("loading", (value) => loading.push(value));
    await b.provider.whenSynced();
    expect(state(b)).toEqual(state(a));
    expect(b.sheet.getInput(0, 0)).toBe("after the copy");
    expect(received).toBeLessThan(full / 20);
    // The document was not empty when it asked: it never stops taking edits.
    expect(loading).toEqual([]);
  });

  it("sends each part once the socket has written out the last: a client that stops reading holds one part on the server", async () => {
    const { id, a } = await largeSheet();
    const full = Y.encodeStateAsUpdate(a.doc).byteLength;
    const socket: SheetSocket = connectSocket(server.url, { reconnection: false });
    onTestFinished(() => { socket.disconnect(); });
    await new Promise((resolve) => socket.once("connect", () => resolve(null)));
    await request(socket, "sheet:join", { sheetId: id, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(id) });
    const step1 = encoding.encode((e) => syncProtocol.writeSyncStep1(e, new Y.Doc()));
    const onServer = server.app.io.sockets.sockets.get(socket.id!)!;
    const buffered = () => {
      const conn = onServer.conn as unknown as { writeBuffer: { data: unknown }[]; transport: { socket: { _socket: Duplex } } };
      const queued = conn.writeBuffer.reduce((n, p) => n + (typeof p.data === "string" ? p.data.length : (p.data as Uint8Array).byteLength), 0);
      return queued + conn.transport.socket._socket.writableLength;
    };
    // The client stops reading, and asks for the whole state 20 times.
    const tcp = (socket.io.engine as unknown as { transport: { ws: { _socket: Duplex } } }).transport.ws._socket;
    tcp.pause();
    let parts = 0;
    socket.on("sheet:part", () => parts++);
    const answers = Array.from({ length: 20 }, () => request<{ ok: boolean }>(socket, "sheet:sync", { sheetId: id, message: step1, parts: true }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // What the kernel does not take waits in the stream, not in the server's memory: 20 requests
    // answered regardless would hold 20 states.
    expect(buffered()).toBeLessThan(full);
    tcp.resume();
    const settled = await Promise.all(answers);
    expect(settled.filter((answer) => answer.ok)).toHaveLength(1);
    expect(parts).toBeGreaterThanOrEqual(4);
  });

  it("compresses the large parts for a client that reads them, and sends them as they are to one that does not ask", async () => {
    const { id, a } = await largeSheet();
    const full = Y.encodeStateAsUpdate(a.doc).byteLength;
    const b = client(id);
    const received: { bytes: number; compression: string | undefined }[] = [];
    b.socket.on("sheet:part", (part) => received.push({ bytes: part.update.byteLength, compression: part.compression }));
    await b.provider.whenSynced();
    expect(state(b)).toEqual(state(a));
    expect(received.filter((part) => part.compression === "deflate").length).toBeGreaterThanOrEqual(4);
    expect(received.filter((part) => part.bytes >= 4096 && part.compression === undefined)).toEqual([]);
    expect(received.reduce((sum, part) => sum + part.bytes, 0)).toBeLessThan(full / 3);

    // A client that does not ask (a page loaded before this release) is sent each part as a Yjs
    // update, the delete set among them.
    a.sheet.deleteRows(0, 3);
    a.sheet.setCellsA1({ A1: "overwritten", B1: "" });
    await a.provider.whenSaved();
    const socket: SheetSocket = connectSocket(server.url, { reconnection: false });
    onTestFinished(() => { socket.disconnect(); });
    await new Promise((resolve) => socket.once("connect", () => resolve(null)));
    await request(socket, "sheet:join", { sheetId: id, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(id) });
    const doc = new Y.Doc();
    const compressions: (string | undefined)[] = [];
    socket.on("sheet:part", (part) => {
      compressions.push(part.compression);
      Y.applyUpdate(doc, new Uint8Array(part.update));
    });
    const step1 = encoding.encode((e) => syncProtocol.writeSyncStep1(e, new Y.Doc()));
    const answer = await request<{ ok: boolean; data: { messages: ArrayBuffer[] } }>(socket, "sheet:sync", { sheetId: id, message: step1, parts: true });
    expect(answer.ok).toBe(true);
    expect(compressions.length).toBeGreaterThanOrEqual(4);
    expect(compressions.filter((c) => c !== undefined)).toEqual([]);
    // The parts hold the whole state, deletions too; the answer is the server's step 1 alone.
    // Compared as buffers: a deep equality of two 3.5 MB arrays takes seconds.
    expect(Buffer.from(Y.encodeStateAsUpdate(doc)).equals(Y.encodeStateAsUpdate(a.doc))).toBe(true);
    expect(answer.data.messages.map((m) => new Uint8Array(m)[0])).toEqual([syncProtocol.messageYjsSyncStep1]);
  });

  it("asks again, after a wait and without compression, for a state of which a compressed part could not be read", async () => {
    const { id, a } = await largeSheet();
    const socket = connectSocket(server.url, { reconnectionDelay: 50 });
    let cut = 0;
    // Ahead of the provider's own listener: every compressed part arrives cut short, as from a
    // decoder that never works; only parts sent as they are can be read.
    socket.on("sheet:part", (part) => {
      if (part.compression && part.update.byteLength > 100) {
        cut++;
        part.update = part.update.subarray(0, part.update.byteLength >> 1);
      }
    });
    const doc = new Y.Doc();
    const provider = new SheetProvider({ socket, sheetId: id, doc, secret: ownerSecret(id)! });
    onTestFinished(() => {
      provider.destroy();
      socket.disconnect();
    });
    const asked: (string | undefined)[] = [];
    const emit = socket.emit.bind(socket) as (...args: unknown[]) => unknown;
    socket.emit = ((event: string, ...rest: unknown[]) => {
      const payload = rest[0] as { parts?: boolean; compression?: string };
      if (event === "sheet:sync" && payload.parts) asked.push(payload.compression);
      return emit(event, ...rest);
    }) as never;
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    onTestFinished(() => logged.mockRestore());
    await provider.whenSynced();
    expect(cut).toBeGreaterThan(0);
    expect(logged).toHaveBeenCalledWith("a part of the sheet's state could not be applied", expect.anything());
    expect(asked[0]).toBe("deflate");
    expect(asked.slice(1)).toContain(undefined);
    expect(asked.at(-1)).toBeUndefined();
    expect(Sheet.of(doc).types.cells.toJSON()).toEqual(a.sheet.types.cells.toJSON());
  });

  it("refuses a state vector larger than a sheet's can be", async () => {
    const id = await createSheet(server.url);
    const c = client(id);
    await c.provider.whenSynced();
    const huge = new Uint8Array(LIMITS.maxStateVectorBytes + 1);
    huge[0] = syncProtocol.messageYjsSyncStep1;
    for (const parts of [true, false]) {
      const answer = await request<{ ok: boolean; error?: { code: string } }>(c.socket, "sheet:sync", { sheetId: id, message: huge, parts });
      expect(answer.error?.code).toBe(ErrorCode.UpdateTooLarge);
    }
  });

  it("sends a sheet just loaded from storage as its checkpoint's parts, then syncs the rest", async () => {
    const { id, a } = await largeSheet();
    const expected = state(a);
    a.close();
    // Unloaded once idle, it is checkpointed in parts.
    await eventually(async () => {
      const stored = await server.storage.load(id);
      expect(stored!.logged).toBe(0);
      expect(stored!.updates.length).toBeGreaterThan(4);
    });
    const b = client(id);
    let parts = 0;
    b.socket.on("sheet:part", () => parts++);
    await b.provider.whenSynced();
    expect(parts).toBeGreaterThanOrEqual(4);
    expect(state(b)).toEqual(expected);
    b.sheet.setCellsA1({ A1: "after" });
    await b.provider.whenSaved();
    expect(Sheet.of(docOf((await server.storage.load(id))!.updates)).getInput(0, 0)).toBe("after");
  });

  it("a client opening into an empty document sends no step 2; one that wrote meanwhile does", async () => {
    const id = await createSheet(server.url);
    const a = client(id);
    await a.provider.whenSynced();
    a.sheet.setCellsA1({ A1: "before" });
    await a.provider.whenSaved();
    /** The types of the sync messages a client sends (0: step 1, 1: step 2). */
    const syncsOf = (c: TestClient) => {
      const types: number[] = [];
      const emit = c.socket.emit.bind(c.socket) as (...args: unknown[]) => unknown;
      c.socket.emit = ((event: string, payload: { message?: ArrayBuffer | Uint8Array }, ...rest: unknown[]) => {
        if (event === "sheet:sync") types.push(new Uint8Array(payload.message!)[0]!);
        return emit(event, payload, ...rest);
      }) as never;
      return types;
    };

    const fresh = client(id);
    const freshSyncs = syncsOf(fresh);
    await fresh.provider.whenSynced();
    expect(freshSyncs).toEqual([syncProtocol.messageYjsSyncStep1]);
    expect(fresh.sheet.getInput(0, 0)).toBe("before");
    fresh.sheet.setCellsA1({ A2: "from the fresh one" });
    await eventually(() => expect(a.sheet.getInput(1, 0)).toBe("from the fresh one"));

    // Written while the sheet was arriving: its step 2 carries the change.
    const early = client(id);
    const earlySyncs = syncsOf(early);
    early.provider.on("loading", (loading) => {
      if (loading) postMessage(early.doc, { author: "Early", color: "#000000", text: "while loading" });
    });
    await early.provider.whenSynced();
    expect(earlySyncs).toEqual([syncProtocol.messageYjsSyncStep1, syncProtocol.messageYjsSyncStep2]);
    await eventually(() => expect(sheetTypes(a.doc).chat.toArray().map((m) => m.text)).toEqual(["while loading"]));
  });

  it("sends a change the moment it is made; more changes made in the same task go together after it", async () => {
    const id = await createSheet(server.url);
    const a = client(id);
    const b = client(id);
    await Promise.all([a.provider.whenSynced(), b.provider.whenSynced()]);
    const sent: string[] = [];
    const emit = a.socket.emit.bind(a.socket) as (...args: unknown[]) => unknown;
    a.socket.emit = ((event: string, ...rest: unknown[]) => {
      if (event === "sheet:update") sent.push(event);
      return emit(event, ...rest);
    }) as never;
    a.sheet.setCellsA1({ A1: "first" });
    // On the wire before anything else this task does (the page drawing it, formulas).
    expect(sent).toHaveLength(1);
    a.sheet.setCellsA1({ A2: "second" });
    a.sheet.setCellsA1({ A3: "third" });
    expect(sent).toHaveLength(1);
    await a.provider.whenSaved();
    expect(sent).toHaveLength(2);
    await eventually(() => expect([0, 1, 2].map((row) => b.sheet.getInput(row, 0))).toEqual(["first", "second", "third"]));
  });

  it("one socket can hold several sheets", async () => {
    const [s1, s2] = [await createSheet(server.url, "one"), await createSheet(server.url, "two")];
    const a = client(s1);
    const b = new SheetProvider({ socket: a.socket, sheetId: s2, doc: new Y.Doc(), secret: ownerSecret(s2)! });
    const watcher = client(s2);
    await Promise.all([a.provider.whenSynced(), b.whenSynced(), watcher.provider.whenSynced()]);
    expect(Sheet.of(b.doc).title).toBe("two");
    a.sheet.setCellsA1({ A1: "sheet one" });
    Sheet.of(b.doc).setCellsA1({ A1: "sheet two" });
    await eventually(() => expect(watcher.sheet.toA1Record()).toEqual({ A1: "sheet two" }));
    expect(a.sheet.toA1Record()).toEqual({ A1: "sheet one" });
    b.destroy();
  });
});

describe("direct messages", () => {
  it("reach only the person they are for, and are never stored", async () => {
    const id = await createSheet(server.url);
    const [a, b, c] = [client(id), client(id), client(id)];
    await Promise.all([a, b, c].map((x) => x.provider.whenSynced()));
    for (const [x, name] of [[a, "Ada"], [b, "Bob"], [c, "Cy"]] as const) x.provider.awareness.setLocalState({ user: { name } });
    await eventually(() => expect(a.provider.awareness.getStates().size).toBe(3));
    const got: Record<string, unknown[]> = { b: [], c: [] };
    b.socket.on("chat:direct", (m) => got.b!.push(m));
    c.socket.on("chat:direct", (m) => got.c!.push(m));
    const ack = await request<{ ok: boolean }>(a.socket, "chat:direct", { sheetId: id, to: b.doc.clientID, text: "just for you" });
    expect(ack.ok).toBe(true);
    await eventually(() => expect(got.b).toHaveLength(1));
    expect(got.b![0]).toMatchObject({ sheetId: id, from: a.doc.clientID, text: "just for you" });
    await new Promise((r) => setTimeout(r, 100));
    expect(got.c).toHaveLength(0);
    expect(JSON.stringify(b.doc.toJSON())).not.toContain("just for you");

    const gone = await request<{ ok: boolean; error?: { code: string } }>(a.socket, "chat:direct", { sheetId: id, to: 424242, text: "hello?" });
    expect(gone.error?.code).toBe("NOT_FOUND");
  });
});
