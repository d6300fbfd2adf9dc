import * as Y from "yjs";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, PROTOCOL_VERSION, type Ack } from "@cosheet/protocol";
import { MemoryStorage } from "../src/storage/memory.js";
import type { Storage, StoredSheet, UpdateMeta } from "../src/storage/storage.js";
import { connectClient, createSheet, eventually, request, startServer, type TestClient, type TestServer } from "./helpers.js";

/** Memory storage that counts loads, can be slowed down, and can fail appends on demand. */
class InstrumentedStorage extends MemoryStorage {
  loads = 0;
  loadDelayMs = 0;
  failAppends = 0;
  appends = 0;
  appendedBytes: number[] = [];

  override async load(id: string): Promise<StoredSheet | null> {
    this.loads++;
    if (this.loadDelayMs) await new Promise((r) => setTimeout(r, this.loadDelayMs));
    return super.load(id);
  }

  override async append(id: string, update: Uint8Array, meta: UpdateMeta): Promise<number> {
    if (this.failAppends > 0) {
      this.failAppends--;
      throw new Error("disk full (simulated)");
    }
    this.appends++;
    this.appendedBytes.push(update.byteLength);
    return super.append(id, update, meta);
  }
}

let server: TestServer | null = null;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function start(storage: Storage, idleUnloadMs = 50) {
  server = await startServer({ storage, idleUnloadMs });
  return server;
}

function client(sheetId: string): TestClient {
  const c = connectClient(server!.url, sheetId);
  clients.push(c);
  return c;
}

describe("sheet registry", () => {
  it("50 concurrent joins of an unloaded sheet cause exactly one load, and nobody syncs before it", async () => {
    const storage = new InstrumentedStorage();
    const { url } = await start(storage);
    const id = await createSheet(url);
    storage.loadDelayMs = 150;
    const joiners = Array.from({ length: 50 }, () => client(id));
    await Promise.all(joiners.map((c) => c.provider.whenSynced()));
    expect(storage.loads).toBe(1);
    // Every client got the stored structure: nobody was answered with an empty sheet.
    for (const c of joiners) expect(c.sheet.rowCount).toBe(1000);
  });

  it("a failed write keeps the change in memory, retries, and acknowledges only once stored", async () => {
    const storage = new InstrumentedStorage();
    const { url } = await start(storage);
    const id = await createSheet(url);
    const a = client(id);
    await a.provider.whenSynced();
    storage.failAppends = 3;
    let acked = false;
    a.sheet.setCellsA1({ A1: "survives" });
    const saved = a.provider.whenSaved().then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 120));
    expect(acked).toBe(false);
    await saved;
    expect(storage.failAppends).toBe(0);
    const stored = await storage.load(id);
    const doc = new Y.Doc();
    for (const u of stored!.updates) Y.applyUpdate(doc, u);
    expect(doc.getMap("cells").size).toBe(1);
  });

  it("unloads an idle sheet and reloads it intact; a reconnect in between loses nothing", async () => {
    const storage = new InstrumentedStorage();
    const { url, app } = await start(storage, 30);
    const id = await createSheet(url);
    const a = client(id);
    await a.provider.whenSynced();
    a.sheet.setCellsA1({ A1: "one" });
    await a.provider.whenSaved();
    a.socket.disconnect();
    await eventually(() => app.registry.openSheets === 0);
    a.sheet.setCellsA1({ A2: "made while away" });
    a.socket.connect();
    await a.provider.whenSynced();
    await a.provider.whenSaved();
    expect(app.registry.openSheets).toBe(1);
    const b = client(id);
    await b.provider.whenSynced();
    expect(b.sheet.toA1Record()).toEqual({ A1: "one", A2: "made while away" });
    expect(b.sheet.rowCount).toBe(1000);
  });

  it("never unloads a sheet whose writes are still failing", async () => {
    const storage = new InstrumentedStorage();
    const { url, app } = await start(storage, 10);
    const id = await createSheet(url);
    const a = client(id);
    await a.provider.whenSynced();
    storage.failAppends = 4; // 1.5 s of retries
    a.sheet.setCellsA1({ A1: "pending" });
    await new Promise((r) => setTimeout(r, 30));
    a.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(app.registry.openSheets).toBe(1);
    await eventually(() => app.registry.openSheets === 0, 15_000);
    const b = client(id);
    await b.provider.whenSynced();
    expect(b.sheet.toA1Record()).toEqual({ A1: "pending" });
  });

  it("joining a sheet that does not exist loads nothing and says so", async () => {
    const storage = new InstrumentedStorage();
    await start(storage);
    const c = client("Z".repeat(22));
    const ack = await request<Ack<unknown>>(c.socket, "sheet:join", { sheetId: "Z".repeat(22), protocolVersion: PROTOCOL_VERSION });
    expect(ack.ok ? null : ack.error.code).toBe(ErrorCode.NotFound);
    expect(server!.app.registry.openSheets).toBe(0);
  });

  it("stores and relays a burst of large updates in pieces of about a megabyte, and acks once all are stored", async () => {
    const storage = new InstrumentedStorage();
    const { url, app } = await start(storage);
    const id = await createSheet(url);
    const watcher = client(id);
    await watcher.provider.whenSynced();
    const broadcasts: number[] = [];
    watcher.socket.on("sheet:update", ({ update }) => broadcasts.push((update as ArrayBuffer).byteLength));
    const before = storage.appends;
    storage.appendedBytes = [];
    const acks = await app.registry.use(id, (room) => {
      const writer = new Y.Doc();
      Y.applyUpdate(writer, Y.encodeStateAsUpdate(room.doc));
      const cells = writer.getMap<string>("cells");
      const rowIds = writer.getArray<string>("rows").toArray();
      const colId = writer.getArray<string>("cols").get(0);
      // Five updates of ~600 KB in one turn: too much for one merge.
      const updates = Array.from({ length: 5 }, (_, k) => {
        const sv = Y.encodeStateVector(writer);
        writer.transact(() => {
          for (let r = 0; r < 200; r++) cells.set(`${rowIds[r]}:${colId}`, `${k}`.repeat(3000));
        });
        return Y.encodeStateAsUpdate(writer, sv);
      });
      return updates.map((u) => room.apply(u, { kind: "http", linkId: null }));
    });
    let acked = 0;
    await Promise.all(acks.map((a) => a.then(() => acked++)));
    expect(acked).toBe(5);
    expect(storage.appends - before).toBeGreaterThan(1);
    expect(Math.max(...storage.appendedBytes)).toBeLessThan(1.3 * 1024 * 1024);
    await eventually(() => expect(watcher.sheet.getInput(0, 0)).toBe("4".repeat(3000)));
    expect(broadcasts.length).toBeGreaterThan(1);
  });
});
