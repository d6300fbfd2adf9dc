/**
 * Two nodes in this process, on one storage, joined by a real Redis (directly, or through a proxy
 * that loses, delays and repeats messages, or cuts the connection): whatever the relay does, the
 * nodes' documents reach what is stored.
 */
import { createClient } from "@redis/client";
import * as Y from "yjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, PROTOCOL_VERSION, connectSocket, type Ack, type DirectMessage, type ErrorBody, type SheetSocket } from "@cosheet/protocol";
import { Sheet, Workbook } from "@cosheet/sheet";
import { loadConfig } from "../src/config.js";
import { HEADS_POLL_MS } from "../src/registry/registry.js";
import { RedisRelay } from "../src/relay/redis.js";
import { encodeMessage } from "../src/relay/relay.js";
import { writePresenceUpdate } from "../src/registry/presence.js";
import { MemoryStorage } from "../src/storage/memory.js";
import type { Storage } from "../src/storage/storage.js";
import { apiCall, connectClient, createSheet, eventually, ownerSecret, request, silent, startServer, type TestClient, type TestServer } from "./helpers.js";
import { startPostgres } from "./postgres.js";
import { freePort, spawnServer } from "./process.js";
import { startFaultProxy, startRedis, type FaultProxy, type TestRedis } from "./redis.js";

interface TestNode extends TestServer {
  relay: RedisRelay;
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const nodes: TestNode[] = [];
const clients: TestClient[] = [];
const proxies: FaultProxy[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map(async (n) => {
    await n.close();
    await n.relay.close();
  }));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function node(storage: Storage, redisUrl = redis.url, idleUnloadMs = 60_000): Promise<TestNode> {
  const relay = await RedisRelay.open(redisUrl, silent);
  const server = await startServer({ storage, relay, idleUnloadMs });
  const n = { ...server, relay };
  nodes.push(n);
  return n;
}

/**
 * Two nodes on one storage (B reaching Redis at `redisB`), a sheet made on the first, and a synced
 * client on each: Ada on A, Bob on B.
 */
async function pair(redisB = redis.url) {
  const storage = new MemoryStorage();
  const a = await node(storage);
  const b = await node(storage, redisB);
  const id = await createSheet(a.url);
  const ada = client(a.url, id);
  const bob = client(b.url, id);
  await Promise.all([ada.provider.whenSynced(), bob.provider.whenSynced()]);
  return { storage, a, b, id, ada, bob };
}

function client(base: string, id: string): TestClient {
  const c = connectClient(base, id);
  clients.push(c);
  return c;
}

/** The sheet's content as stored, replayed from the storage's log. */
async function storedRecord(storage: Storage, id: string) {
  const stored = await storage.load(id);
  const doc = new Y.Doc();
  for (const update of stored!.updates) Y.applyUpdate(doc, update);
  return Sheet.of(doc).toA1Record();
}

/** Resolves once every client's document says the same as the storage. */
async function converged(storage: Storage, id: string, all: TestClient[], timeoutMs = 10_000) {
  await eventually(async () => {
    const stored = await storedRecord(storage, id);
    for (const c of all) expect(c.sheet.toA1Record()).toEqual(stored);
    const rows = all.map((c) => c.sheet.rows.list().join());
    expect(new Set(rows).size).toBe(1);
  }, timeoutMs);
}

async function joinRaw(base: string, id: string): Promise<SheetSocket> {
  const socket = connectSocket(base, { reconnection: false });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const joined = await request<Ack<unknown>>(socket, "sheet:join", { sheetId: id, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(id) });
  expect(joined.ok).toBe(true);
  return socket;
}

describe("two nodes on one storage, joined by Redis", () => {
  it("carry edits, structure changes, tabs and restores to clients on the other node", async () => {
    const storage = new MemoryStorage();
    const a = await node(storage);
    const b = await node(storage);
    const id = await createSheet(a.url, "Shared");
    const ada = client(a.url, id);
    const bob = client(b.url, id);
    await Promise.all([ada.provider.whenSynced(), bob.provider.whenSynced()]);

    // Through the message alone: sooner than a look at the log's head, and without a read of it.
    ada.sheet.setCellsA1({ A1: "from a" });
    await eventually(() => expect(bob.sheet.getInput(0, 0)).toBe("from a"), HEADS_POLL_MS / 2);
    expect(b.app.registry.catchUps.reads).toBe(0);
    bob.sheet.insertRows(0, 2);
    bob.sheet.setCellsA1({ A1: "from b" });
    await eventually(() => expect(ada.sheet.getInput(2, 0)).toBe("from a"));
    await eventually(() => expect(ada.sheet.getInput(0, 0)).toBe("from b"));

    // A tab added over HTTP on one node shows on the other's client.
    expect((await apiCall(b.url, "POST", `/api/sheets/${id}/tabs`, { name: "Data" })).status).toBe(201);
    await eventually(() => expect(Workbook.of(ada.doc).list().map((t) => t.name)).toContain("Data"));

    // A version named on one node and restored on the other.
    await Promise.all([ada.provider.whenSaved(), bob.provider.whenSaved()]);
    const named = await apiCall(a.url, "POST", `/api/sheets/${id}/versions`, { name: "Before" });
    expect(named.status).toBe(201);
    ada.sheet.setCellsA1({ B1: "later" });
    await ada.provider.whenSaved();
    const restored = await apiCall(b.url, "POST", `/api/sheets/${id}/versions/${named.json.id}/restore`, {});
    expect(restored.status).toBe(200);
    await eventually(() => expect(ada.sheet.getInput(0, 1)).toBe(""));
    await converged(storage, id, [ada, bob]);
    expect(bob.sheet.getInput(0, 0)).toBe("from b");
  });

  it("carry presence and direct messages both ways, and drop a node's presence when its socket leaves", async () => {
    const storage = new MemoryStorage();
    const a = await node(storage);
    const b = await node(storage);
    const id = await createSheet(a.url);
    const ada = client(a.url, id);
    await ada.provider.whenSynced();
    ada.provider.awareness.setLocalState({ user: { name: "Ada" } });
    await new Promise((r) => setTimeout(r, 100));
    // Bob's node opens the sheet after Ada shared her presence: it asks the others for theirs.
    const bob = client(b.url, id);
    await bob.provider.whenSynced();
    const names = (c: TestClient) => [...c.provider.awareness.getStates().values()].map((s) => (s.user as { name?: string } | undefined)?.name);
    await eventually(() => expect(names(bob)).toContain("Ada"));
    bob.provider.awareness.setLocalState({ user: { name: "Bob" } });
    await eventually(() => expect(names(ada)).toContain("Bob"));

    const got = new Promise<DirectMessage>((resolve) => ada.socket.once("chat:direct", resolve));
    const sent = await request<Ack<null>>(bob.socket, "chat:direct", { sheetId: id, to: ada.doc.clientID, text: "psst" });
    expect(sent.ok).toBe(true);
    expect(await got).toMatchObject({ sheetId: id, from: bob.doc.clientID, text: "psst" });
    const back = new Promise<DirectMessage>((resolve) => bob.socket.once("chat:direct", resolve));
    expect((await request<Ack<null>>(ada.socket, "chat:direct", { sheetId: id, to: bob.doc.clientID, text: "hi" })).ok).toBe(true);
    expect((await back).text).toBe("hi");
    // Nobody has this id on either node.
    const nobody = await request<Ack<null>>(bob.socket, "chat:direct", { sheetId: id, to: 12345, text: "?" });
    expect(!nobody.ok && nobody.error.code).toBe(ErrorCode.NotFound);

    // A socket on one node cannot speak for a presence another node's socket introduced.
    const crafted = await joinRaw(b.url, id);
    const stolen = await request<Ack<null>>(crafted, "awareness:update", {
      sheetId: id,
      update: (await import("y-protocols/awareness")).encodeAwarenessUpdate(ada.provider.awareness, [ada.doc.clientID]),
    });
    expect(!stolen.ok && stolen.error.code).toBe(ErrorCode.BadRequest);
    crafted.disconnect();

    bob.close();
    await eventually(() => expect(names(ada)).not.toContain("Bob"));
  });

  it("keep presence where it belongs when another node's message claims it", async () => {
    const { a, id, ada, bob } = await pair();
    ada.provider.awareness.setLocalState({ user: { name: "Ada" } });
    const nameOf = (c: TestClient, clientId: number) => (c.provider.awareness.getStates().get(clientId)?.user as { name?: string } | undefined)?.name;
    await eventually(() => expect(nameOf(bob, ada.doc.clientID)).toBe("Ada"));
    const serverId = await a.app.registry.use(id, (room) => room.awareness.clientID);

    // A message, as if from a third node, speaking for Ada (with a clock far ahead) and for node A's
    // own room.
    const entries = [ada.doc.clientID, serverId].map((clientId) => ({ clientId, clock: 1_000_000, state: { user: { name: "Mallory", color: "#000000" } } }));
    const update = writePresenceUpdate(entries);
    const publisher = createClient({ url: redis.url });
    publisher.on("error", () => {});
    await publisher.connect();
    await publisher.publish(`cosheet:sheet:${id}`, Buffer.from(encodeMessage("third node", { type: "awareness", update })));
    await publisher.close();
    await new Promise((r) => setTimeout(r, 300));
    // Ada is still Ada everywhere, and the room's own id shows nobody.
    expect(nameOf(ada, ada.doc.clientID)).toBe("Ada");
    expect(nameOf(bob, ada.doc.clientID)).toBe("Ada");
    expect(ada.provider.awareness.getStates().has(serverId)).toBe(false);
    // And she goes on updating it.
    ada.provider.awareness.setLocalState({ user: { name: "Ada L." } });
    await eventually(() => expect(nameOf(bob, ada.doc.clientID)).toBe("Ada L."));
  });

  it("drop the sockets of a link revoked on the other node, even when the message saying so is lost", async () => {
    const deaf = await startFaultProxy(redis.url);
    proxies.push(deaf);
    const { a, b, id, bob } = await pair(deaf.url);
    const link = async () => (await apiCall(a.url, "POST", `/api/sheets/${id}/links`, { role: "view" })).json as { id: string; secret: string };
    const [revoked, kept] = [await link(), await link()];
    const viewer = connectClient(b.url, id, { secret: revoked.secret });
    const other = connectClient(b.url, id, { secret: kept.secret });
    clients.push(viewer, other);
    await Promise.all([viewer.provider.whenSynced(), other.provider.whenSynced()]);
    deaf.faults = { ...deaf.faults, drop: 1 };
    const errors: ErrorBody[] = [];
    for (const c of [bob, other]) c.provider.on("error", (e: ErrorBody) => errors.push(e));
    const error = new Promise<ErrorBody>((resolve) => viewer.provider.on("error", resolve));
    expect((await apiCall(a.url, "DELETE", `/api/sheets/${id}/links/${revoked.id}`)).status).toBe(204);
    expect((await error).code).toBe(ErrorCode.Unauthorized);
    // A link made and used after the sheet opened on B, and the owner's, still give access.
    const late = await link();
    const newcomer = connectClient(b.url, id, { secret: late.secret });
    clients.push(newcomer);
    await newcomer.provider.whenSynced();
    newcomer.provider.on("error", (e: ErrorBody) => errors.push(e));
    await new Promise((r) => setTimeout(r, HEADS_POLL_MS + 500));
    expect(errors).toEqual([]);
    expect([bob, other, newcomer].map((c) => c.provider.role)).toEqual(["owner", "view", "view"]);
  });

  it("open, unload and open again a sheet whether Redis is there or not, hearing each message once", async () => {
    const storage = new MemoryStorage();
    const cut = await startFaultProxy(redis.url);
    proxies.push(cut);
    const a = await node(storage);
    const b = await node(storage, cut.url, 50);
    const id = await createSheet(a.url);
    const ada = client(a.url, id);
    await ada.provider.whenSynced();
    ada.provider.awareness.setLocalState({ user: { name: "Ada" } });

    // Redis is away from node B while its first client opens the sheet there.
    cut.cut(3_000);
    await new Promise((r) => setTimeout(r, 100));
    const bob = client(b.url, id);
    await bob.provider.whenSynced();
    ada.sheet.setCellsA1({ A1: "while away" });
    await eventually(() => expect(bob.sheet.getInput(0, 0)).toBe("while away"), 10_000);
    // Once back, messages flow again.
    await eventually(async () => expect(await (await fetch(`${b.url}/healthz`)).json()).toMatchObject({ status: "ok" }), 10_000);
    const readsBefore = b.app.registry.catchUps.reads;
    ada.sheet.setCellsA1({ A2: "live" });
    await eventually(() => expect(bob.sheet.getInput(1, 0)).toBe("live"), HEADS_POLL_MS / 2);

    // Bob leaves: node B unloads the sheet; edits go on at A; he comes back.
    bob.close();
    await eventually(() => expect(b.app.registry.openSheets).toBe(0));
    ada.sheet.setCellsA1({ A3: "while gone" });
    await ada.provider.whenSaved();
    const again = client(b.url, id);
    await again.provider.whenSynced();
    expect(again.sheet.getInput(2, 0)).toBe("while gone");
    again.provider.awareness.setLocalState({ user: { name: "Bob" } });
    await eventually(() => expect([...ada.provider.awareness.getStates().values()].map((s) => (s.user as { name?: string } | undefined)?.name)).toContain("Bob"));
    // A direct message reaches him once.
    const got: DirectMessage[] = [];
    again.socket.on("chat:direct", (m) => got.push(m));
    expect((await request<Ack<null>>(ada.socket, "chat:direct", { sheetId: id, to: again.doc.clientID, text: "welcome back" })).ok).toBe(true);
    await eventually(() => expect(got).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toHaveLength(1);
    expect(b.app.registry.catchUps.reads).toBe(readsBefore);
  });

  it("keep a row and a column in each tab when deletes on two nodes meet", async () => {
    const { storage, b, id, ada, bob } = await pair();
    const rows = ada.sheet.rowCount;
    const half = Math.floor(rows / 2);
    // At once: each deletes the rows the other keeps; one row comes back, once.
    ada.sheet.deleteRows(0, half);
    bob.sheet.deleteRows(half, rows - half);
    await Promise.all([ada.provider.whenSaved(), bob.provider.whenSaved()]);
    await eventually(() => expect([ada.sheet.rowCount, bob.sheet.rowCount]).toEqual([1, 1]));
    // Deletes that meet on node B, node A watching: B adds the row back, A adds none.
    const carol = client(b.url, id);
    await carol.provider.whenSynced();
    bob.sheet.insertRows(0, 9);
    await eventually(() => expect(carol.sheet.rowCount).toBe(10));
    bob.sheet.deleteRows(0, 5);
    carol.sheet.deleteRows(5, 5);
    await Promise.all([bob.provider.whenSaved(), carol.provider.whenSaved()]);
    // Past the time any node waits before it adds a row.
    await new Promise((r) => setTimeout(r, 3_000));
    await converged(storage, id, [ada, bob, carol]);
    expect([ada, bob, carol].map((c) => c.sheet.rowCount)).toEqual([1, 1, 1]);
  });

  it("drop the sockets of a link revoked on the other node", async () => {
    const storage = new MemoryStorage();
    const a = await node(storage);
    const b = await node(storage);
    const id = await createSheet(a.url);
    const made = await apiCall(a.url, "POST", `/api/sheets/${id}/links`, { role: "view" });
    const viewer = connectClient(b.url, id, { secret: made.json.secret });
    clients.push(viewer);
    await viewer.provider.whenSynced();
    const error = new Promise<ErrorBody>((resolve) => viewer.provider.on("error", resolve));
    expect((await apiCall(a.url, "DELETE", `/api/sheets/${id}/links/${made.json.id}`)).status).toBe(204);
    expect((await error).code).toBe(ErrorCode.Unauthorized);
  });

  it("never relay a refused update", async () => {
    const storage = new MemoryStorage();
    const a = await node(storage);
    const b = await node(storage);
    const id = await createSheet(a.url);
    const bob = client(b.url, id);
    await bob.provider.whenSynced();
    const heard: Buffer[] = [];
    const listener = createClient({ url: redis.url });
    listener.on("error", () => {});
    await listener.connect();
    await listener.subscribe(`cosheet:sheet:${id}`, (m) => heard.push(m), true);
    const crafted = await joinRaw(a.url, id);
    const garbage = await request<Ack<null>>(crafted, "sheet:update", { sheetId: id, update: new Uint8Array([1, 2, 3, 4, 5]) });
    expect(garbage.ok).toBe(false);
    // An update that depends on changes the sheet does not have is refused too.
    const elsewhere = new Y.Doc();
    Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(bob.doc));
    Sheet.of(elsewhere).setCellsA1({ A1: "x" });
    const known = Y.encodeStateVector(elsewhere);
    Sheet.of(elsewhere).setCellsA1({ A1: "y" });
    const later = Y.encodeStateAsUpdate(elsewhere, known);
    expect((await request<Ack<null>>(crafted, "sheet:update", { sheetId: id, update: later })).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.filter((m) => m[0] === 0)).toEqual([]);
    expect(bob.sheet.types.cells.size).toBe(0);
    crafted.disconnect();
    // What is accepted is heard.
    bob.sheet.setCellsA1({ A1: "ok" });
    await eventually(() => expect(heard.filter((m) => m[0] === 0)).toHaveLength(1));
    await listener.close();
  });

  it("carry an update too large for a message through the log", async () => {
    const { storage, b, id, ada, bob } = await pair();
    const before = b.app.registry.catchUps.reads;
    const cells: Record<string, string> = {};
    for (let i = 1; i <= 400; i++) cells[`A${i}`] = `${"long text ".repeat(30)}${i}`;
    ada.sheet.setCellsA1(cells);
    await eventually(() => expect(bob.sheet.getInput(399, 0)).toBe(cells.A400));
    expect(b.app.registry.catchUps.reads).toBeGreaterThan(before);
    await converged(storage, id, [ada, bob]);
  });

  it("a node that hears no message at all still reaches what is stored, by looking at the log", async () => {
    const deaf = await startFaultProxy(redis.url);
    proxies.push(deaf);
    const { b, id, ada, bob } = await pair(deaf.url);
    deaf.faults = { ...deaf.faults, drop: 1 };
    ada.sheet.setCellsA1({ A1: "unheard" });
    await ada.provider.whenSaved();
    // A request to node B reads what A acknowledged at once: it reads the log first.
    const read = await apiCall(b.url, "GET", `/api/sheets/${id}/cells?range=A1`);
    expect(read.json.cells[0][0].input).toBe("unheard");
    await eventually(() => expect(bob.sheet.getInput(0, 0)).toBe("unheard"), 10_000);
    expect(deaf.counts.dropped).toBeGreaterThan(0);
    expect(b.app.registry.catchUps.updates).toBeGreaterThan(0);
  });

  it("converge within 10 s of the last edit when Redis loses, delays and repeats messages, is cut off, and restarts", async () => {
    const storage = new MemoryStorage();
    const proxyA = await startFaultProxy(redis.url);
    const proxyB = await startFaultProxy(redis.url);
    proxies.push(proxyA, proxyB);
    const a = await node(storage, proxyA.url);
    const b = await node(storage, proxyB.url);
    const id = await createSheet(a.url);
    const writers = [client(a.url, id), client(a.url, id), client(b.url, id), client(b.url, id)];
    await Promise.all(writers.map((w) => w.provider.whenSynced()));
    let disconnects = 0;
    for (const w of writers) w.socket.on("disconnect", () => disconnects++);
    const faults = { drop: 0.3, delay: 0.2, delayMs: 700, duplicate: 0.2 };
    proxyA.faults = { ...faults };
    proxyB.faults = { ...faults };

    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const edit = (round: number) => {
      for (const [i, w] of writers.entries()) {
        const roll = random();
        if (roll < 0.1) w.sheet.insertRows(Math.floor(random() * 5), 1);
        else if (roll < 0.15 && w.sheet.rowCount > 10) w.sheet.deleteRows(Math.floor(random() * 5), 1);
        else if (roll < 0.2) w.sheet.insertCols(Math.floor(random() * 3), 1);
        else w.sheet.setCellsA1({ [`${"ABCDE"[Math.floor(random() * 5)]}${1 + Math.floor(random() * 20)}`]: `w${i} r${round}` });
      }
    };
    for (let round = 0; round < 30; round++) {
      edit(round);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Node A's connection is cut for 2 s, mid-run.
    proxyA.cut(2_000);
    for (let round = 30; round < 50; round++) {
      edit(round);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    // Redis itself restarts.
    await redis.restart();
    for (let round = 50; round < 70; round++) {
      edit(round);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(writers.map((w) => w.provider.whenSaved()));
    // Within 10 s of the last acknowledgement, each node has read what it missed from the log.
    await converged(storage, id, writers, 10_000);
    expect(proxyA.counts.dropped + proxyB.counts.dropped).toBeGreaterThan(0);
    expect(proxyA.counts.duplicated + proxyB.counts.duplicated).toBeGreaterThan(0);
    // Without any client reconnecting.
    expect(disconnects).toBe(0);
  });

  it("report the relay at /healthz and /metrics: its state, how fast it answers, and the reads of what was missed", async () => {
    const storage = new MemoryStorage();
    const cut = await startFaultProxy(redis.url);
    proxies.push(cut);
    const a = await node(storage, cut.url);
    const health = await fetch(`${a.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "ok",
      storage: { kind: "memory", status: "ok" },
      relay: { kind: "redis", status: "ok", latencyMs: expect.any(Number) },
    });
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^cosheet_relay_up\{kind="redis"\} 1$/m);
    expect(metrics).toMatch(/^cosheet_relay_check_seconds\{kind="redis"\} \d/m);
    expect(metrics).toMatch(/^cosheet_catch_up_reads_total 0$/m);
    expect(metrics).toMatch(/^cosheet_catch_up_updates_total 0$/m);
    // Without Redis the node still serves (degraded); only without its storage is it unavailable.
    cut.cut(3_000);
    await eventually(async () => {
      const res = await fetch(`${a.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "degraded", storage: { status: "ok" }, relay: { kind: "redis", status: "unavailable" } });
    });
    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^cosheet_relay_up\{kind="redis"\} 0$/m);
    // It comes back by itself.
    await eventually(async () => expect(await (await fetch(`${a.url}/healthz`)).json()).toMatchObject({ status: "ok" }), 10_000);
  });
});

describe("REDIS_URL", () => {
  it("must be a Redis address, goes with DATABASE_URL, and a server that cannot reach it says so in one line without its password", async () => {
    const db = { DATABASE_URL: "postgres://u@db.example/cosheet" };
    expect(loadConfig({ ...db, REDIS_URL: "redis://:pw@cache.example:6379" }, "/web").redisUrl).toBe("redis://:pw@cache.example:6379");
    expect(loadConfig(db, "/web").redisUrl).toBeUndefined();
    for (const bad of ["http://cache.example", "cache.example:6379", "redis://"]) {
      expect(() => loadConfig({ ...db, REDIS_URL: bad }, "/web"), bad).toThrow(/REDIS_URL: a Redis address/);
    }
    expect(() => loadConfig({ REDIS_URL: "redis://cache.example" }, "/web")).toThrow(/REDIS_URL: several nodes share one PostgreSQL database: set DATABASE_URL too/);

    const postgres = await startPostgres();
    try {
      const env = { DATABASE_URL: await postgres.newDatabase(), REDIS_URL: `redis://:pw-not-logged@127.0.0.1:${await freePort()}` };
      const failed = await spawnServer(env).catch((err: Error) => err);
      expect((failed as Error).message).toMatch(/^server exited \(1\) before listening:\n/);
      expect((failed as Error).message).toMatch(/^Cosheet cannot start: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*$/m);
      expect((failed as Error).message).not.toMatch(/pw-not-logged|\n\s+at /);
    } finally {
      await postgres.stop();
    }
  });
});
