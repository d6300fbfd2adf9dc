import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { initSheet, Sheet } from "@cosheet/sheet";
import { MemoryStorage } from "../src/storage/memory.js";
import { SqliteStorage } from "../src/storage/sqlite.js";
import type { UpdateMeta } from "../src/storage/storage.js";
import { storageContract } from "./storage.contract.js";

storageContract("memory", async () => ({ storage: new MemoryStorage() }));

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-")), "nested", "sheets.db");
}

storageContract("sqlite", async () => {
  const file = tempFile();
  return { storage: new SqliteStorage(file), reopen: async () => new SqliteStorage(file) };
});

/** SqliteStorage's insides that these tests look at. */
interface Insides {
  db: Database.Database;
  writeBatch: (batch: unknown[], fresh: Map<string, number>) => number[];
  stmt: { insertUpdate: { run: (...args: unknown[]) => unknown } };
}

function insides(storage: SqliteStorage): Insides {
  return storage as unknown as Insides;
}

function meta(fields: Partial<UpdateMeta> = {}): UpdateMeta {
  return { at: Date.now(), author: "Ann", linkId: null, via: "socket", cells: 1, discussion: false, ...fields };
}

async function newSheet(storage: SqliteStorage, id: string) {
  const doc = new Y.Doc();
  initSheet(doc, { rows: 5, cols: 3 });
  await storage.create(id, Y.encodeStateAsUpdate(doc), { plainAddress: true, links: [] });
  const updates: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => updates.push(u));
  return { doc, updates };
}

function authorRows(file: string): { sheet_id: string; name: string; link_id: string | null; via: string }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT sheet_id, name, link_id, via FROM authors ORDER BY id").all() as never;
  } finally {
    db.close();
  }
}

describe("SqliteStorage", () => {
  it("writes synchronously (FULL) and group-commits the appends of one event-loop turn", async () => {
    const storage = new SqliteStorage(tempFile());
    const { db } = insides(storage);
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const id = "groupCommitSheetAaaaa1";
    const { doc, updates } = await newSheet(storage, id);
    for (let i = 0; i < 30; i++) Sheet.of(doc).setCellsA1({ [`A${1 + (i % 5)}`]: String(i) });

    const batches: number[] = [];
    const writeBatch = insides(storage).writeBatch;
    insides(storage).writeBatch = (batch, fresh) => {
      batches.push(batch.length);
      return writeBatch(batch, fresh);
    };
    const seqs = await Promise.all(updates.map((u, i) => storage.append(id, u, meta({ author: `w${i % 3}` }))));
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    expect(batches).toEqual([30]);
    await storage.append(id, updates[0]!, meta());
    await Promise.all([storage.append(id, updates[1]!, meta()), storage.append(id, updates[2]!, meta())]);
    expect(batches).toEqual([30, 1, 2]);
    await storage.close();
  });

  it("writes the links used meanwhile in one transaction, and what is left on close", async () => {
    const file = tempFile();
    const storage = new SqliteStorage(file);
    const id = "touchedSheetAaaaaaaaa1";
    const links = Array.from({ length: 20 }, (_, i) => ({
      id: `link${i}`,
      sheetId: id,
      secretHash: `hash${i}`,
      role: "edit" as const,
      label: "",
      createdAt: 1_000,
      expiresAt: null,
      lastUsedAt: null,
    }));
    await newSheet(storage, id);
    for (const link of links) await storage.addLink(link);
    const { db } = insides(storage);
    let transactions = 0;
    const transaction = db.transaction.bind(db);
    db.transaction = ((fn: (...args: never[]) => unknown) => {
      const run = transaction(fn);
      return ((...args: never[]) => {
        transactions++;
        return run(...args);
      }) as never;
    }) as never;
    await Promise.all(links.map((link, i) => storage.touchLink(id, link.id, 5_000 + i)));
    expect(transactions).toBe(1);
    expect((await storage.listLinks(id)).map((l) => l.lastUsedAt)).toEqual(links.map((_, i) => 5_000 + i));

    // Not awaited: closing writes them.
    void storage.touchLink(id, "link0", 9_000);
    await storage.close();
    const again = new SqliteStorage(file);
    expect((await again.listLinks(id))[0]!.lastUsedAt).toBe(9_000);
    await again.close();
  });

  it("stores each (sheet, author, link, via) once, across reopens", async () => {
    const file = tempFile();
    let storage = new SqliteStorage(file);
    const a = "authorsSheetAaaaaaaaa1";
    const b = "authorsSheetBbbbbbbbb2";
    const { doc, updates } = await newSheet(storage, a);
    await newSheet(storage, b);
    for (let i = 0; i < 4; i++) Sheet.of(doc).setCellsA1({ A1: String(i) });
    const u = updates[0]!;
    for (let round = 0; round < 2; round++) {
      await Promise.all([
        storage.append(a, u, meta()),
        storage.append(a, u, meta({ at: 5 })),
        storage.append(a, u, meta({ cells: 7, discussion: true })),
        storage.append(a, u, meta({ linkId: "L1" })),
        storage.append(a, u, meta({ linkId: "L1", via: "http" })),
        storage.append(a, u, meta({ author: "" })),
        storage.append(b, u, meta()),
        storage.append(b, u, meta({ author: "", via: "server" })),
      ]);
      await storage.close();
      storage = new SqliteStorage(file);
    }
    expect(authorRows(file)).toEqual([
      { sheet_id: a, name: "", link_id: null, via: "server" },
      { sheet_id: b, name: "", link_id: null, via: "server" },
      { sheet_id: a, name: "Ann", link_id: null, via: "socket" },
      { sheet_id: a, name: "Ann", link_id: "L1", via: "socket" },
      { sheet_id: a, name: "Ann", link_id: "L1", via: "http" },
      { sheet_id: a, name: "", link_id: null, via: "socket" },
      { sheet_id: b, name: "Ann", link_id: null, via: "socket" },
    ]);
    const history = (await storage.history(a))!.updates;
    expect(history).toHaveLength(13);
    expect(history[11]).toEqual({ ...meta({ linkId: "L1", via: "http" }), at: history[11]!.at, seq: 12 });
    await storage.close();
  });

  it("forgets the author ids of a batch that failed (its rows were rolled back)", async () => {
    const file = tempFile();
    const storage = new SqliteStorage(file);
    const id = "rollbackSheetAaaaaaaa1";
    const { doc, updates } = await newSheet(storage, id);
    Sheet.of(doc).setCellsA1({ A1: "x" });
    const { stmt } = insides(storage);
    const run = stmt.insertUpdate.run.bind(stmt.insertUpdate);
    stmt.insertUpdate.run = () => {
      throw new Error("disk on fire");
    };
    await expect(storage.append(id, updates[0]!, meta({ author: "Cy" }))).rejects.toThrow("disk on fire");
    stmt.insertUpdate.run = run;
    expect(authorRows(file).map((r) => r.name)).toEqual([""]);
    // The same author again: inserted anew, and referenced (foreign keys are on).
    expect(await storage.append(id, updates[0]!, meta({ author: "Cy" }))).toBe(2);
    expect(await storage.append(id, updates[0]!, meta({ author: "Cy" }))).toBe(3);
    expect((await storage.history(id))!.updates.map((u) => u.author)).toEqual(["", "Cy", "Cy"]);
    expect(authorRows(file).map((r) => r.name)).toEqual(["", "Cy"]);
    await storage.close();
  });
});
