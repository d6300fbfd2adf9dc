import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { loadConfig } from "../src/config.js";
import { openStorage, storagePlace } from "../src/storage/open.js";
import { PostgresStorage, type NodeLock } from "../src/storage/postgres.js";
import type { Storage } from "../src/storage/storage.js";
import { eventually } from "./helpers.js";
import { queryOnce, startPostgres, type TestPostgres } from "./postgres.js";
import { freePort, spawnServer } from "./process.js";
import { storageContract } from "./storage.contract.js";

let server: Promise<TestPostgres> | null = null;
const opened: Storage[] = [];

/** The test server, started for the first test that needs it. */
function postgres(): Promise<TestPostgres> {
  server ??= startPostgres();
  return server;
}

async function open(url: string, lock: NodeLock = "sole"): Promise<PostgresStorage> {
  const storage = await PostgresStorage.open(url, { max: 4, lock });
  opened.push(storage);
  return storage;
}

/** The tables of a database. */
async function tables(url: string): Promise<string[]> {
  return (await queryOnce<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename);
}

/** How many advisory locks are held in the database. */
async function advisoryLocks(url: string): Promise<number> {
  const held = await queryOnce<{ n: string }>(url, "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  return Number(held[0]!.n);
}

afterAll(async () => {
  for (const storage of opened.splice(0)) await storage.close().catch(() => {});
  await (await server)?.stop();
});

// Each test has a database of its own.
storageContract("postgres", async () => {
  const url = await (await postgres()).newDatabase();
  return { storage: await open(url), reopen: () => open(url) };
});

describe("PostgresStorage", () => {
  it("creates the schema once when several nodes start together, and refuses a newer one", async () => {
    const url = await (await postgres()).newDatabase();
    await Promise.all([open(url, "shared"), open(url, "shared"), open(url, "shared")]);
    expect(await queryOnce(url, "SELECT version FROM cosheet_schema")).toEqual([{ version: 1 }]);
    await queryOnce(url, "UPDATE cosheet_schema SET version = 99");
    await expect(PostgresStorage.open(url, { lock: "shared" })).rejects.toThrow(/newer release of Cosheet \(schema version 99/);
  });

  it("numbers the appends of several nodes to a sheet without a gap or a repeat, and never deadlocks over two sheets", async () => {
    const url = await (await postgres()).newDatabase();
    const nodes = await Promise.all([open(url, "shared"), open(url, "shared"), open(url, "shared")]);
    const [a, b] = ["a".repeat(22), "b".repeat(22)];
    for (const id of [a, b]) await nodes[0]!.create(id, new Uint8Array([0, 0]), { plainAddress: true, links: [] });
    const meta = { at: Date.now(), author: "Ann", linkId: null, via: "socket" as const, cells: 1, discussion: false };
    // Each node's batch holds both sheets, some in one order and some in the other.
    const appends = Array.from({ length: 120 }, (_, i) => {
      const id = (i % 2 === 0) === (i % 3 === 0) ? a : b;
      return nodes[i % 3]!.append(id, new Uint8Array([0, 0]), { ...meta, author: `author ${i % 4}` }).then((seq) => ({ id, seq }));
    });
    const done = await Promise.all(appends);
    for (const id of [a, b]) {
      const seqs = done.filter((d) => d.id === id).map((d) => d.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 2));
      const history = await nodes[1]!.history(id);
      expect(history?.updates.map((u) => u.seq)).toEqual(Array.from({ length: seqs.length + 1 }, (_, i) => i + 1));
    }
    expect(new Set((await nodes[2]!.history(a))?.updates.map((u) => u.author))).toEqual(new Set(["", "author 0", "author 1", "author 2", "author 3"]));
  });

  it("refuses to start beside a node that uses the database alone, until it stops, and keeps its lock across a restart of PostgreSQL", async () => {
    const server = await postgres();
    const url = await server.newDatabase();
    const first = await open(url);
    await expect(PostgresStorage.open(url)).rejects.toThrow(/another Cosheet node is using this database/);
    await server.restart();
    // The lock went with the connection that held it; the first node takes it again.
    await eventually(async () => expect(await advisoryLocks(url)).toBe(1));
    await expect(PostgresStorage.open(url)).rejects.toThrow(/another Cosheet node is using this database/);
    await first.close();
    const second = await open(url);
    expect(second.kind).toBe("postgres");
    // An operator's command runs beside it; pointed at a database without sheets, it creates nothing.
    const command = await openStorage({ dataDir: "/nowhere", databaseUrl: url }, { command: true });
    opened.push(command);
    expect(await command.access("x".repeat(22), null)).toBeNull();
    const empty = await server.newDatabase();
    await expect(openStorage({ dataDir: "/nowhere", databaseUrl: empty }, { command: true })).rejects.toThrow(/holds no Cosheet sheets/);
    expect(await tables(empty)).toEqual([]);
  });

  it("lets any number of nodes joined by Redis share the database, but no node without it beside them, either way round", async () => {
    const url = await (await postgres()).newDatabase();
    const alone = await open(url);
    await expect(PostgresStorage.open(url, { lock: "shared" })).rejects.toThrow(/a Cosheet node without REDIS_URL is using this database alone/);
    await alone.close();
    const joined = [await open(url, "shared"), await open(url, "shared")];
    await expect(PostgresStorage.open(url)).rejects.toThrow(/nodes that share one database must all be joined by Redis/);
    for (const node of joined) await node.close();
    expect((await open(url)).kind).toBe("postgres");
  });

  it("tells a node that lost its lock while PostgreSQL restarted, to another node started meanwhile", async () => {
    const server = await postgres();
    const url = await server.newDatabase();
    const lost: Error[] = [];
    const first = await PostgresStorage.open(url, { onLockLost: (err) => lost.push(err) });
    opened.push(first);
    await server.restart();
    // Before the first node takes its lock again.
    await open(url);
    await eventually(() => expect(lost.map((e) => e.message)).toEqual([expect.stringMatching(/^lost the database's lock to another node/)]));
  });

  it("survives its connection being cut in the middle of writing: that batch fails, nothing acknowledged is missing, and it writes again", async () => {
    const url = await (await postgres()).newDatabase();
    const storage = await open(url);
    const id = "c".repeat(22);
    await storage.create(id, new Uint8Array([0, 0]), { plainAddress: true, links: [] });
    const meta = { at: Date.now(), author: "Ann", linkId: null, via: "socket" as const, cells: 2 ** 31, discussion: false };
    expect(await storage.append(id, new Uint8Array([0, 0]), meta)).toBe(2);
    // Another session holds the sheet's row: the next batch waits inside its transaction.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query("BEGIN");
    await other.query("SELECT id FROM sheets WHERE id = $1 FOR UPDATE", [id]);
    const waiting = Promise.allSettled([1, 2, 3].map(() => storage.append(id, new Uint8Array([0, 0]), meta)));
    await eventually(async () => {
      const { rows } = await other.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      expect(Number(rows[0].n)).toBe(1);
    });
    await other.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    await other.query("ROLLBACK");
    await other.end();
    expect((await waiting).map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect((await storage.history(id))!.updates.map((u) => u.seq)).toEqual([1, 2]);
    expect(await storage.append(id, new Uint8Array([0, 0]), meta)).toBe(3);
  });

  it("checkpoints a sheet on one node at a time, while appends to it go on", async () => {
    const url = await (await postgres()).newDatabase();
    const [a, b] = await Promise.all([open(url, "shared"), open(url, "shared")]);
    const id = "e".repeat(22);
    await a.create(id, new Uint8Array([0, 0]), { plainAddress: true, links: [] });
    const meta = { at: Date.now(), author: "Ann", linkId: null, via: "socket" as const, cells: 1, discussion: false };
    await a.append(id, new Uint8Array([0, 0]), meta);
    // A checkpoint of node a held open in the middle of its transaction.
    const held = new pg.Client({ connectionString: url });
    await held.connect();
    await held.query("BEGIN");
    await held.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [0x636f736a, id]);
    let checkpointed = false;
    const checkpoint = b.checkpoint(id, new Uint8Array([0, 0]), 2).then(() => (checkpointed = true));
    await eventually(async () => {
      const waiting = await held.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
      expect(Number(waiting.rows[0].n)).toBe(1);
    });
    // Appends do not wait for it; node b's checkpoint does.
    expect(await a.append(id, new Uint8Array([0, 0]), meta)).toBe(3);
    expect(await b.append(id, new Uint8Array([0, 0]), meta)).toBe(4);
    expect(checkpointed).toBe(false);
    await held.query("COMMIT");
    await held.end();
    await checkpoint;
    expect((await b.load(id))?.logged).toBe(2);
  });

  it("writes the links two nodes touched in opposite orders, without a deadlock, keeping the latest use", async () => {
    const url = await (await postgres()).newDatabase();
    const [a, b] = await Promise.all([open(url, "shared"), open(url, "shared")]);
    const id = "d".repeat(22);
    await a.create(id, new Uint8Array([0, 0]), { plainAddress: true, links: [] });
    const links = Array.from({ length: 100 }, (_, i) => `link${String(i).padStart(3, "0")}`);
    for (const [i, linkId] of links.entries()) {
      await a.addLink({ id: linkId, sheetId: id, secretHash: `hash${i}`, role: "view", label: "", createdAt: 1, expiresAt: null, lastUsedAt: null });
    }
    await Promise.all([
      ...links.map((linkId, i) => a.touchLink(id, linkId, 5_000 + i)),
      ...[...links].reverse().map((linkId) => b.touchLink(id, linkId, 1_000)),
    ]);
    expect((await b.listLinks(id)).map((l) => l.lastUsedAt)).toEqual(links.map((_, i) => 5_000 + i));
  });

  it("is chosen by DATABASE_URL, which must be a PostgreSQL address, and says which one it cannot reach without its password", async () => {
    expect(loadConfig({}, "/web").databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: "postgres://u:pw@db.example:5432/cosheet" }, "/web").databaseUrl).toBe("postgres://u:pw@db.example:5432/cosheet");
    for (const bad of ["mysql://db.example/cosheet", "db.example:5432", "postgres:///cosheet"]) {
      expect(() => loadConfig({ DATABASE_URL: bad }, "/web"), bad).toThrow(/DATABASE_URL: a PostgreSQL address/);
    }
    const url = await (await postgres()).newDatabase();
    const storage = await openStorage({ dataDir: "/nowhere", databaseUrl: url });
    opened.push(storage);
    expect(storage.kind).toBe("postgres");
    const closed = await openStorage({ dataDir: "/nowhere", databaseUrl: `postgres://cosheet:pw-not-logged@127.0.0.1:${await freePort()}/cosheet` }).catch((err: Error) => err);
    expect(closed).toBeInstanceOf(Error);
    expect((closed as Error).message).toMatch(/^cannot use the PostgreSQL database at postgres:\/\/cosheet@127\.0\.0\.1:\d+\/cosheet: .*ECONNREFUSED/);
    expect((closed as Error).message).not.toContain("pw-not-logged");
    // The server itself says so in one line, and stops.
    const server = await spawnServer({ DATABASE_URL: `postgres://cosheet:pw-not-logged@127.0.0.1:${await freePort()}/cosheet` }).catch((err: Error) => err);
    expect((server as Error).message).toMatch(/^server exited \(1\) before listening:\n/);
    expect((server as Error).message).toMatch(/^Cosheet cannot start: cannot use the PostgreSQL database at postgres:\/\/cosheet@127\.0\.0\.1:\d+\/cosheet: .*ECONNREFUSED.*$/m);
    expect((server as Error).message).not.toMatch(/pw-not-logged|\n\s+at /);
    expect(storagePlace({ dataDir: "/nowhere", databaseUrl: "postgres://cosheet@db.example/cosheet?password=s3cret&sslmode=require" })).toBe(
      "postgres://cosheet@db.example/cosheet?sslmode=require",
    );
  });
});
