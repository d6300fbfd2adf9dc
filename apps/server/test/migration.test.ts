import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { initSheet, Sheet } from "@cosheet/sheet";
import { SqliteStorage } from "../src/storage/sqlite.js";
import type { StoredLink } from "../src/storage/storage.js";

// fixtures/sheets-v0.db was written by the previous release's SqliteStorage (git show
// 1c520ca:apps/server/src/storage/sqlite.ts): two sheets, each made with initSheet and then
// appended two single-cell edits by Sheet.setCellsA1, closed so that no -wal or -shm file is left.
const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "sheets-v0.db");
const LEGACY: Record<string, Record<string, string>> = {
  legacySheetAaaaaaaaaa1: { A1: "hello", B2: "=1+2" },
  legacySheetBbbbbbbbbb2: { A1: "world", C3: "42" },
};

/**
 * A copy of the fixture in a temporary directory. The fixture itself is never opened: it is in WAL
 * mode, so even a read-only open would leave -wal and -shm files next to it.
 */
function copyOfFixture(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-migration-")), "sheets.db");
  fs.copyFileSync(FIXTURE, file);
  return file;
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
}

async function cellsOf(storage: SqliteStorage, id: string): Promise<Record<string, string>> {
  const stored = await storage.load(id);
  const doc = new Y.Doc();
  for (const u of stored!.updates) Y.applyUpdate(doc, u);
  return Sheet.of(doc).toA1Record();
}

describe("SQLite migration", () => {
  it("opens a previous release's database, keeps its sheets, and gives them their plain address", async () => {
    const file = copyOfFixture();
    expect(userVersion(file)).toBe(0);
    const storage = new SqliteStorage(file);
    for (const [id, cells] of Object.entries(LEGACY)) {
      expect(await cellsOf(storage, id)).toEqual(cells);
      expect((await storage.load(id))!.lastSeq).toBe(3);
      // Made before links: edit access at the plain address, as that release gave it.
      expect(await storage.access(id, null)).toEqual({ plainAddress: true, link: null });
      expect(await storage.listLinks(id)).toEqual([]);
    }

    const id = "legacySheetAaaaaaaaaa1";
    const link: StoredLink = {
      id: "linkOfLegacy",
      sheetId: id,
      secretHash: "ab".repeat(32),
      role: "owner",
      label: "owner",
      createdAt: 1_000,
      expiresAt: null,
      lastUsedAt: null,
    };
    await storage.addLink(link);
    expect(await storage.access(id, link.secretHash)).toEqual({ plainAddress: true, link });
    await storage.setPlainAddress(id, false);
    expect(await storage.append(id, new Uint8Array([0, 0]))).toBe(4);

    const doc = new Y.Doc();
    initSheet(doc, { title: "new", rows: 2, cols: 2 });
    await storage.create("newSheetCCCCCCCCCCCCC3", Y.encodeStateAsUpdate(doc), { plainAddress: false, links: [] });
    await storage.create("newSheetDDDDDDDDDDDDD4", Y.encodeStateAsUpdate(doc), { plainAddress: true, links: [] });
    expect(await storage.access("newSheetCCCCCCCCCCCCC3", null)).toEqual({ plainAddress: false, link: null });
    expect(await storage.access("newSheetDDDDDDDDDDDDD4", null)).toEqual({ plainAddress: true, link: null });
    await storage.close();
    expect(userVersion(file)).toBe(1);

    // Reopened at version 1: the migration is not run again (it could not be: the column exists).
    const again = new SqliteStorage(file);
    expect(userVersion(file)).toBe(1);
    expect(await cellsOf(again, "legacySheetBbbbbbbbbb2")).toEqual(LEGACY.legacySheetBbbbbbbbbb2);
    expect(await again.access("legacySheetBbbbbbbbbb2", null)).toEqual({ plainAddress: true, link: null });
    expect(await again.access(id, link.secretHash)).toEqual({ plainAddress: false, link });
    expect(await again.access("newSheetCCCCCCCCCCCCC3", null)).toEqual({ plainAddress: false, link: null });
    expect(await again.listLinks(id)).toEqual([link]);
    await again.close();
  });

  it("a new database starts at the latest version", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-migration-")), "sheets.db");
    await new SqliteStorage(file).close();
    expect(userVersion(file)).toBe(1);
  });

  it("refuses a newer release's database and leaves it as it was", () => {
    const file = copyOfFixture();
    const db = new Database(file);
    db.pragma("journal_mode = DELETE");
    db.pragma("user_version = 99");
    db.close();
    const before = fs.readFileSync(file);
    expect(() => new SqliteStorage(file)).toThrow(/written by a newer release of Cosheet/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(userVersion(file)).toBe(99);
  });
});
