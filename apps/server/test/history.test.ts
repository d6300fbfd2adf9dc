import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { formatCell, parseCell, Sheet } from "@cosheet/sheet";
import { prng } from "@cosheet/sheet/testing";
import { pruneHistory } from "../src/history/history.js";
import { MemoryStorage } from "../src/storage/memory.js";
import { SqliteStorage } from "../src/storage/sqlite.js";
import type { Storage } from "../src/storage/storage.js";
import { apiCall, bearer, connectClient, createSheet, eventually, ownerSecret, startServer, type TestClient, type TestServer } from "./helpers.js";
import { freePort, spawnServer, type ServerProcess } from "./process.js";

const servers: TestServer[] = [];
const clients: TestClient[] = [];
const procs: ServerProcess[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of procs.splice(0)) p.child.kill("SIGKILL");
});

afterAll(async () => {
  for (const s of servers) await s.close();
});

async function server(deps: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer({ checkpointEvery: 5, ...deps });
  servers.push(s);
  return s;
}

function client(base: string, id: string, name?: string): TestClient {
  const c = connectClient(base, id);
  if (name) c.provider.awareness.setLocalState({ user: { name, color: "#1a7f5a" } });
  clients.push(c);
  return c;
}

/** The cells of a document, by address. */
function cellsOf(updates: readonly Uint8Array[]): Record<string, string> {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return Sheet.of(doc).toA1Record();
}

/** The inputs a cells answer holds, by address, as `toA1Record` gives them. */
async function cellsAt(base: string, id: string, version: string): Promise<Record<string, string>> {
  const res = await apiCall(base, "GET", `/api/sheets/${id}/cells?version=${version}`);
  expect(res.status).toBe(200);
  const out: Record<string, string> = {};
  if (!res.json.range) return out;
  const [start] = (res.json.range as string).split(":");
  const { col: c0, row: r0 } = parseCell(start!);
  (res.json.cells as { input: string }[][]).forEach((row, r) =>
    row.forEach((cell, c) => {
      if (cell.input !== "") out[formatCell({ row: r0 + r, col: c0 + c })] = cell.input;
    }),
  );
  return out;
}

async function versions(base: string, id: string) {
  const res = await apiCall(base, "GET", `/api/sheets/${id}/versions`);
  expect(res.status).toBe(200);
  return res.json.versions as { id: string; at: string; authors: string[]; name?: string; changedCells: number }[];
}

/** Random edits, structure changes included, by several replicas at once. */
async function randomEdits(cs: TestClient[], rand: () => number, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const s = cs[Math.floor(rand() * cs.length)]!.sheet;
    const op = rand();
    const row = Math.floor(rand() * Math.min(s.rowCount, 20));
    if (op < 0.65) s.setCells([{ row, col: Math.floor(rand() * 6), input: `v${Math.floor(rand() * 1000)}` }]);
    else if (op < 0.75) s.setCells([{ row, col: Math.floor(rand() * 6), input: "" }]);
    else if (op < 0.85) s.insertRows(row, 1 + Math.floor(rand() * 2));
    else if (op < 0.92 && s.rowCount > 5) s.deleteRows(row, 1);
    else if (s.colCount > 3) s.insertCols(Math.floor(rand() * 4), 1);
    if (rand() < 0.3) await Promise.all(cs.map((c) => c.provider.whenSaved()));
  }
  await Promise.all(cs.map((c) => c.provider.whenSaved()));
}

describe("version history", () => {
  for (const [name, make] of [
    ["memory", () => new MemoryStorage()],
    ["sqlite", () => new SqliteStorage(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-history-")), "sheets.db"))],
  ] as [string, () => Storage][]) {
    it(`reads back, at random points of a log written by several replicas, exactly a replay of the log up to there (${name})`, async () => {
      const storage = make();
      const s = await server({ storage });
      const id = await createSheet(s.url);
      const cs = [client(s.url, id, "Ada"), client(s.url, id, "Bob"), client(s.url, id, "Cy")];
      await Promise.all(cs.map((c) => c.provider.whenSynced()));
      const rand = prng(name === "memory" ? 11 : 12);
      await randomEdits(cs, rand, 80);
      const history = (await storage.history(id))!;
      expect(history.updates.length).toBeGreaterThan(20);
      const log = await storage.log(id, 0, history.updates.at(-1)!.seq);
      for (let i = 0; i < 12; i++) {
        const entry = log[Math.floor(rand() * log.length)]!;
        const replay = cellsOf(log.filter((l) => l.seq <= entry.seq).map((l) => l.data));
        expect(await cellsAt(s.url, id, String(entry.seq)), `seq ${entry.seq}`).toEqual(replay);
      }
      // Every automatic version listed reads back too, and the newest is the sheet as it is now.
      const listed = await versions(s.url, id);
      expect(listed.length).toBeGreaterThan(0);
      expect(await cellsAt(s.url, id, listed[0]!.id)).toEqual(cs[0]!.sheet.toA1Record());
      expect(new Set(listed.flatMap((v) => v.authors))).toEqual(new Set(["Ada", "Bob", "Cy", ""]));
    }, 60_000);
  }

  it("names versions, restores one as a forward edit that converges on three clients (one offline and editing), and undoes it", async () => {
    const s = await server();
    const id = await createSheet(s.url);
    const [a, b, c] = [client(s.url, id, "Ada"), client(s.url, id, "Bob"), client(s.url, id, "Cy")];
    await Promise.all([a, b, c].map((x) => x.provider.whenSynced()));
    a.sheet.setCellsA1({ A1: "draft", B1: "=A1", A3: "row three" });
    await a.provider.whenSaved();
    const named = await apiCall(s.url, "POST", `/api/sheets/${id}/versions`, { name: "Sent to finance", author: "Ada" });
    expect(named.status).toBe(201);
    expect(named.json).toMatchObject({ name: "Sent to finance", authors: ["Ada"] });

    b.sheet.setCellsA1({ A1: "final", C5: "later" });
    b.sheet.deleteRows(2, 1); // "row three" goes
    await b.provider.whenSaved();
    await eventually(() => expect(c.sheet.getInput(0, 0)).toBe("final"));
    // Cy goes offline and edits while Ada restores.
    c.socket.disconnect();
    c.sheet.setCellsA1({ D1: "offline edit" });

    const restored = await apiCall(s.url, "POST", `/api/sheets/${id}/versions/${named.json.id}/restore`, { author: "Ada" });
    expect(restored.status).toBe(200);
    expect(restored.json.before.name).toMatch(/^Before restore of Sent to finance/);
    await eventually(() => expect(a.sheet.toA1Record()).toEqual({ A1: "draft", B1: "=A1", A3: "row three" }));
    await eventually(() => expect(b.sheet.toA1Record()).toEqual(a.sheet.toA1Record()));
    c.socket.connect();
    await c.provider.whenSynced();
    await c.provider.whenSaved();
    const expected = { A1: "draft", B1: "=A1", A3: "row three", D1: "offline edit" };
    for (const x of [a, b, c]) await eventually(() => expect(x.sheet.toA1Record()).toEqual(expected));
    expect(new Set([a, b, c].map((x) => x.sheet.rows.list().join()))).toHaveProperty("size", 1);

    // The restore is a version of its own, and the state before it can be restored back.
    const list = await versions(s.url, id);
    expect(list.some((v) => v.authors.includes("Ada") && !v.name)).toBe(true);
    const undo = await apiCall(s.url, "POST", `/api/sheets/${id}/versions/${restored.json.before.id}/restore`, {});
    expect(undo.status).toBe(200);
    // The sheet as it was just before the restore: Cy's offline edit, merged after it, was not in it.
    await eventually(() => expect(a.sheet.toA1Record()).toEqual({ A1: "final", B1: "=A1", C4: "later" }));
    // A version's whole state, for a page to show it in a document of its own.
    const state = await fetch(`${s.url}/api/sheets/${id}/versions/${named.json.id}/state`, { headers: bearer(ownerSecret(id)) });
    expect(state.headers.get("content-type")).toBe("application/octet-stream");
    expect(cellsOf([new Uint8Array(await state.arrayBuffer())])).toEqual({ A1: "draft", B1: "=A1", A3: "row three" });
    // Deleting a named version; unknown versions are typed 404s.
    expect((await apiCall(s.url, "DELETE", `/api/sheets/${id}/versions/${named.json.id}`)).status).toBe(204);
    expect((await apiCall(s.url, "GET", `/api/sheets/${id}/cells?version=${named.json.id}`)).json.error.code).toBe("NOT_FOUND");
    expect((await apiCall(s.url, "GET", `/api/sheets/${id}/cells?version=999999`)).json.error.code).toBe("NOT_FOUND");
  }, 30_000);

  it("keeps versions and cell history through checkpoints and a restart", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-history-"));
    const file = path.join(dir, "sheets.db");
    let storage = new SqliteStorage(file);
    let s = await server({ storage, checkpointEvery: 3, idleUnloadMs: 50 });
    const id = await createSheet(s.url);
    const [ada, bob] = [client(s.url, id, "Ada"), client(s.url, id, "Bob")];
    await Promise.all([ada, bob].map((x) => x.provider.whenSynced()));
    for (let i = 0; i < 6; i++) {
      (i % 2 ? bob : ada).sheet.setCellsA1({ B2: `value ${i}`, [`A${i + 1}`]: String(i) });
      await Promise.all([ada, bob].map((x) => x.provider.whenSaved()));
    }
    ada.sheet.setCellsA1({ B2: "=A1*2" });
    await ada.provider.whenSaved();
    ada.sheet.insertRows(0, 2); // B2 is now B4: its history follows it
    await ada.provider.whenSaved();
    const before = { versions: await versions(s.url, id), cell: (await apiCall(s.url, "GET", `/api/sheets/${id}/cells/B4/history`)).json };
    // The formula reads as it did when it was typed (A1, before the rows were inserted above it).
    expect(before.cell.history.map((h: { input: string }) => h.input)).toEqual(["=A1*2", "value 5", "value 4", "value 3", "value 2", "value 1", "value 0"]);
    expect(new Set(before.cell.history.map((h: { author: string }) => h.author))).toEqual(new Set(["Ada", "Bob"]));

    for (const c of clients.splice(0)) c.close();
    await s.close();
    await storage.close();
    storage = new SqliteStorage(file);
    s = await server({ storage });
    expect(await versions(s.url, id)).toEqual(before.versions);
    expect((await apiCall(s.url, "GET", `/api/sheets/${id}/cells/B4/history`)).json).toEqual(before.cell);
    await s.close();
    await storage.close();
  }, 30_000);

  it("prunes history past its retention to named versions and one a week, keeping what is newer", async () => {
    const storage = new MemoryStorage();
    const s = await server({ storage });
    const id = await createSheet(s.url);
    const a = client(s.url, id, "Ada");
    await a.provider.whenSynced();
    for (let i = 0; i < 5; i++) {
      a.sheet.setCellsA1({ A1: `edit ${i}` });
      await a.provider.whenSaved();
    }
    await apiCall(s.url, "POST", `/api/sheets/${id}/versions`, { name: "Keep me" });
    a.sheet.setCellsA1({ A1: "after the name" });
    await a.provider.whenSaved();
    // Seen from 60 days on, with a retention of 30: all of it is old.
    const later = Date.now() + 60 * 24 * 3_600_000;
    expect(await pruneHistory(storage, id, 30 * 24 * 3_600_000, later)).toBe(true);
    const history = (await storage.history(id))!;
    expect(history.updates).toHaveLength(1); // the newest update stays in the log
    const listed = await versions(s.url, id);
    const kept = listed.find((v) => v.name === "Keep me")!;
    expect(await cellsAt(s.url, id, kept.id)).toEqual({ A1: "edit 4" });
    expect(await cellsAt(s.url, id, listed.find((v) => !v.name)!.id)).toEqual({ A1: "after the name" });
    expect((await apiCall(s.url, "GET", `/api/sheets/${id}/cells?version=3`)).json.error.code).toBe("NOT_FOUND");
    // The sheet loads and edits as before.
    a.sheet.setCellsA1({ B1: "still editing" });
    await a.provider.whenSaved();
    expect(await cellsAt(s.url, id, (await versions(s.url, id))[0]!.id)).toEqual({ A1: "after the name", B1: "still editing" });
  });

  it("a kill -9 during a restore loses nothing acknowledged and leaves no half restore", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-restore-kill-"));
    const port = await freePort();
    const first = await spawnServer({ DATA_DIR: dataDir, PORT: String(port) });
    procs.push(first);
    const id = await createSheet(first.url);
    const a = client(first.url, id, "Ada");
    await a.provider.whenSynced();
    const writes: Record<string, string> = {};
    for (let r = 1; r <= 400; r++) writes[`A${r}`] = `v1 ${r}`;
    a.sheet.setCellsA1(writes);
    await a.provider.whenSaved();
    const v1 = (await apiCall(first.url, "POST", `/api/sheets/${id}/versions`, { name: "v1" })).json.id as string;
    const v2writes: Record<string, string> = {};
    for (let r = 1; r <= 400; r++) v2writes[`A${r}`] = `v2 ${r}`;
    a.sheet.setCellsA1({ ...v2writes, B1: "acked" });
    await a.provider.whenSaved();
    a.close();

    const restoring = apiCall(first.url, "POST", `/api/sheets/${id}/versions/${v1}/restore`, {}).catch(() => null);
    await new Promise((r) => setTimeout(r, 5));
    first.child.kill("SIGKILL");
    await first.exited;
    await restoring;

    const second = await spawnServer({ DATA_DIR: dataDir, PORT: String(port) });
    procs.push(second);
    const cells = (await apiCall(second.url, "GET", `/api/sheets/${id}/cells?range=A1:B400`)).json.cells as { input: string }[][];
    const column = cells.map((row) => row[0]!.input);
    // Either all of the restore or none of it, and the acknowledged edit either way unless restored over.
    const restored = column.every((v, i) => v === `v1 ${i + 1}`);
    const notRestored = column.every((v, i) => v === `v2 ${i + 1}`);
    expect(restored || notRestored).toBe(true);
    expect(cells[0]![1]!.input).toBe(restored ? "" : "acked");
  }, 60_000);
});
