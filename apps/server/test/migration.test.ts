import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { hiddenRows, initSheet, newFilter, sharedFilter, shareFilter, Sheet, validateUpdate, withColumn } from "@cosheet/sheet";
import { stateInParts } from "@cosheet/protocol";
import { SqliteStorage } from "../src/storage/sqlite.js";
import { packState } from "../src/storage/state.js";
import type { StoredLink, UpdateMeta } from "../src/storage/storage.js";

/** The schema version this release writes. */
const LATEST = 3;

// fixtures/sheets-v0.db was written by the previous release's SqliteStorage (git show
// 1c520ca:apps/server/src/storage/sqlite.ts): two sheets, each made with initSheet and then
// appended two single-cell edits by Sheet.setCellsA1, closed so that no -wal or -shm file is left.
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const FIXTURE = path.join(FIXTURES, "sheets-v0.db");
const LEGACY: Record<string, Record<string, string>> = {
  legacySheetAaaaaaaaaa1: { A1: "hello", B2: "=1+2" },
  legacySheetBbbbbbbbbb2: { A1: "world", C3: "42" },
};

// fixtures/sheets-v1.db was written by the previous release, f256d65 (schema version 1, links),
// with its own SqliteStorage (git show f256d65:apps/server/src/storage/sqlite.ts, and its
// storage.ts), run by a throwaway script from a temporary folder under apps/server: two sheets made
// with initSheet (5 rows, 3 columns), each edit appended as its own update, closed so that no -wal
// or -shm file is left.
// - V1_PLAIN: three single-cell edits (A1, B2, C3): seqs 1 to 4, plain address on, no links.
// - V1_COMPACTED: A1 "one", a row inserted at the top, A1 "top", then compacted by the old
//   `compact` (one snapshot row at seq 4), then B3 "after" and A1 cleared (seqs 5 and 6); plain
//   address off, an owner link given at create and a view link added and used.
const FIXTURE_V1 = path.join(FIXTURES, "sheets-v1.db");
// fixtures/sheets-v2.db was written by the release before schema version 3, bd77aad, with its own
// SqliteStorage (git show bd77aad:apps/server/src/storage/sqlite.ts, with its storage.ts and
// state.ts) run by a throwaway script from a temporary folder under apps/server: one sheet made with
// initSheet (30 rows, 4 columns), A1, B2 and C30 each appended as an update (seqs 2 to 4), a
// checkpoint in parts through seq 4 (stateInParts with parts of 5 items, packState), then D4
// appended (seq 5); closed so that no -wal or -shm file is left.
const FIXTURE_V2 = path.join(FIXTURES, "sheets-v2.db");
const V2_PACKED = "v2SheetPackedAaaaaaaa1";
const V1_PLAIN = "v1SheetAaaaaaaaaaaaaa1";
const V1_COMPACTED = "v1SheetBbbbbbbbbbbbbb2";
const V1: Record<string, { cells: Record<string, string>; rows: number; lastSeq: number; firstSeq: number }> = {
  [V1_PLAIN]: { cells: { A1: "alpha", B2: "=1+2", C3: "3" }, rows: 5, lastSeq: 4, firstSeq: 1 },
  [V1_COMPACTED]: { cells: { A2: "one", B3: "after" }, rows: 6, lastSeq: 6, firstSeq: 4 },
};
const V1_LINKS: StoredLink[] = [
  {
    id: "v1OwnerLinkB",
    sheetId: V1_COMPACTED,
    secretHash: "cd".repeat(32),
    role: "owner",
    label: "owner",
    createdAt: 1_700_000_000_000,
    expiresAt: null,
    lastUsedAt: null,
  },
  {
    id: "v1ViewLinkBb",
    sheetId: V1_COMPACTED,
    secretHash: "ef".repeat(32),
    role: "view",
    label: "for Ann",
    createdAt: 1_700_000_001_000,
    expiresAt: 1_900_000_000_000,
    lastUsedAt: 1_700_000_060_000,
  },
];

/**
 * A copy of a fixture in a temporary directory. The fixture itself is never opened: it is in WAL
 * mode, so even a read-only open would leave -wal and -shm files next to it.
 */
function copyOfFixture(fixture = FIXTURE): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-migration-")), "sheets.db");
  fs.copyFileSync(fixture, file);
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

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

async function cellsOf(storage: SqliteStorage, id: string): Promise<Record<string, string>> {
  return Sheet.of(docFrom((await storage.load(id))!.updates)).toA1Record();
}

function meta(fields: Partial<UpdateMeta> = {}): UpdateMeta {
  return { at: Date.now(), author: "Ann", linkId: null, via: "socket", cells: 1, discussion: false, ...fields };
}

/** The sheets table of a database, read before it is opened by SqliteStorage. */
function sheetRows(file: string): Map<string, { created_at: number; updated_at: number }> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT id, created_at, updated_at FROM sheets").all() as {
      id: string;
      created_at: number;
      updated_at: number;
    }[];
    return new Map(rows.map((r) => [r.id, r]));
  } finally {
    db.close();
  }
}

/** The meta a row written before meta was stored is given by the migration. */
function legacyMeta(seq: number, sheet: { created_at: number; updated_at: number }) {
  const at = seq === 1 ? sheet.created_at : sheet.updated_at;
  return { seq, at, author: "", linkId: null, via: "server", cells: 0, discussion: false };
}

describe("SQLite migration", () => {
  it("opens a database from before versioning, keeps its sheets, and gives them their plain address", async () => {
    const file = copyOfFixture();
    expect(userVersion(file)).toBe(0);
    const times = sheetRows(file);
    const storage = new SqliteStorage(file);
    for (const [id, cells] of Object.entries(LEGACY)) {
      expect(await cellsOf(storage, id)).toEqual(cells);
      expect((await storage.load(id))!.lastSeq).toBe(3);
      expect(await storage.history(id)).toEqual({ updates: [1, 2, 3].map((seq) => legacyMeta(seq, times.get(id)!)), kept: [] });
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
    expect(await storage.append(id, new Uint8Array([0, 0]), meta({ at: 42 }))).toBe(4);
    expect((await storage.history(id))!.updates.at(-1)).toEqual({ ...meta({ at: 42 }), seq: 4 });

    const doc = new Y.Doc();
    initSheet(doc, { title: "new", rows: 2, cols: 2 });
    await storage.create("newSheetCCCCCCCCCCCCC3", Y.encodeStateAsUpdate(doc), { plainAddress: false, links: [] });
    await storage.create("newSheetDDDDDDDDDDDDD4", Y.encodeStateAsUpdate(doc), { plainAddress: true, links: [] });
    expect(await storage.access("newSheetCCCCCCCCCCCCC3", null)).toEqual({ plainAddress: false, link: null });
    expect(await storage.access("newSheetDDDDDDDDDDDDD4", null)).toEqual({ plainAddress: true, link: null });
    await storage.close();
    expect(userVersion(file)).toBe(LATEST);

    // Reopened at the latest version: the migrations are not run again (they could not be: the
    // columns and tables exist).
    const again = new SqliteStorage(file);
    expect(userVersion(file)).toBe(LATEST);
    expect(await cellsOf(again, "legacySheetBbbbbbbbbb2")).toEqual(LEGACY.legacySheetBbbbbbbbbb2);
    expect(await again.access("legacySheetBbbbbbbbbb2", null)).toEqual({ plainAddress: true, link: null });
    expect(await again.access(id, link.secretHash)).toEqual({ plainAddress: false, link });
    expect(await again.access("newSheetCCCCCCCCCCCCC3", null)).toEqual({ plainAddress: false, link: null });
    expect(await again.listLinks(id)).toEqual([link]);
    expect((await again.history(id))!.updates.at(-1)).toEqual({ ...meta({ at: 42 }), seq: 4 });
    await again.close();
  });

  it("opens the previous release's database (links, a compacted log) and gives its updates their meta", async () => {
    const file = copyOfFixture(FIXTURE_V1);
    expect(userVersion(file)).toBe(1);
    const times = sheetRows(file);
    const storage = new SqliteStorage(file);
    expect(userVersion(file)).toBe(LATEST);

    // Content, links and the plain address as they were.
    for (const [id, { cells, rows, lastSeq, firstSeq }] of Object.entries(V1)) {
      const stored = (await storage.load(id))!;
      expect(stored.lastSeq).toBe(lastSeq);
      expect(stored.updates).toHaveLength(lastSeq - firstSeq + 1);
      expect(Sheet.of(docFrom(stored.updates)).toA1Record()).toEqual(cells);
      expect(Sheet.of(docFrom(stored.updates)).rowCount).toBe(rows);
      // The history is the rows there were, with the meta the migration gives them.
      const seqs = Array.from({ length: lastSeq - firstSeq + 1 }, (_, i) => firstSeq + i);
      expect(await storage.history(id)).toEqual({ updates: seqs.map((seq) => legacyMeta(seq, times.get(id)!)), kept: [] });
      expect((await storage.log(id, 0, lastSeq)).map((u) => u.data)).toEqual(stored.updates);
      expect(Sheet.of(docFrom((await storage.stateAt(id, lastSeq))!)).toA1Record()).toEqual(cells);
    }
    expect(await storage.access(V1_PLAIN, null)).toEqual({ plainAddress: true, link: null });
    expect(await storage.listLinks(V1_PLAIN)).toEqual([]);
    expect(await storage.access(V1_COMPACTED, null)).toEqual({ plainAddress: false, link: null });
    expect(await storage.listLinks(V1_COMPACTED)).toEqual(V1_LINKS);
    expect(await storage.access(V1_COMPACTED, V1_LINKS[1]!.secretHash)).toEqual({ plainAddress: false, link: V1_LINKS[1] });

    // The compacted log: its snapshot (seq 4) holds everything through it; before it, nothing is kept.
    expect(Sheet.of(docFrom((await storage.stateAt(V1_COMPACTED, 4))!)).toA1Record()).toEqual({ A1: "top", A2: "one" });
    expect(Sheet.of(docFrom((await storage.stateAt(V1_COMPACTED, 5))!)).toA1Record()).toEqual({
      A1: "top",
      A2: "one",
      B3: "after",
    });
    for (const seq of [1, 2, 3]) expect(await storage.stateAt(V1_COMPACTED, seq)).toBeNull();
    expect(Sheet.of(docFrom((await storage.stateAt(V1_PLAIN, 2))!)).toA1Record()).toEqual({ A1: "alpha" });

    // Appends with meta, checkpoints, pruning and versions work on what was migrated.
    const doc = docFrom((await storage.load(V1_PLAIN))!.updates);
    const updates: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => updates.push(u));
    Sheet.of(doc).setCellsA1({ A2: "new" });
    const appended = meta({ author: "Ann", linkId: "v1OwnerLinkB", via: "http", cells: 1, at: 1_800_000_000_000 });
    expect(await storage.append(V1_PLAIN, updates[0]!, appended)).toBe(5);
    expect((await storage.history(V1_PLAIN))!.updates.at(-1)).toEqual({ ...appended, seq: 5 });
    expect(await cellsOf(storage, V1_PLAIN)).toEqual({ ...V1[V1_PLAIN]!.cells, A2: "new" });

    const compacted = (await storage.load(V1_COMPACTED))!;
    const state = Y.encodeStateAsUpdate(docFrom(compacted.updates));
    await storage.checkpoint(V1_COMPACTED, state, 6);
    expect((await storage.load(V1_COMPACTED))!.updates).toEqual([state]);
    // This release packs a large sheet's checkpoint in parts, beside the single ones written before.
    const parts = [...stateInParts(docFrom(compacted.updates), undefined, 1)];
    expect(parts.length).toBeGreaterThan(2);
    await storage.checkpoint(V1_COMPACTED, packState(parts), 6);
    expect((await storage.load(V1_COMPACTED))!.updates).toEqual(parts);
    const state5 = Y.encodeStateAsUpdate(docFrom((await storage.stateAt(V1_COMPACTED, 5))!));
    await storage.prune(V1_COMPACTED, { seq: 5, at: times.get(V1_COMPACTED)!.updated_at, state: state5 }, []);
    expect((await storage.history(V1_COMPACTED))!.updates.map((u) => u.seq)).toEqual([6]);
    expect(await storage.stateAt(V1_COMPACTED, 4)).toBeNull();
    expect(await cellsOf(storage, V1_COMPACTED)).toEqual(V1[V1_COMPACTED]!.cells);
    await storage.addVersion({ id: "ver1", sheetId: V1_PLAIN, seq: 4, name: "before", at: 7, author: "Ann" });
    await storage.close();

    const again = new SqliteStorage(file);
    expect(userVersion(file)).toBe(LATEST);
    expect(await cellsOf(again, V1_PLAIN)).toEqual({ ...V1[V1_PLAIN]!.cells, A2: "new" });
    expect(await cellsOf(again, V1_COMPACTED)).toEqual(V1[V1_COMPACTED]!.cells);
    expect((await again.history(V1_PLAIN))!.updates.map((u) => u.via)).toEqual([
      "server",
      "server",
      "server",
      "server",
      "http",
    ]);
    expect(await again.listVersions(V1_PLAIN)).toHaveLength(1);
    await again.close();
  });

  it("opens the previous release's database with a checkpoint in parts, and keeps writing to it", async () => {
    const file = copyOfFixture(FIXTURE_V2);
    expect(userVersion(file)).toBe(2);
    const storage = new SqliteStorage(file);
    expect(userVersion(file)).toBe(LATEST);
    const loaded = (await storage.load(V2_PACKED))!;
    // The checkpoint's parts, then the update logged after it.
    expect(loaded.logged).toBe(1);
    expect(loaded.updates.length).toBeGreaterThan(3);
    const cells = { A1: "alpha", B2: "=1+2", C30: "last", D4: "after" };
    expect(await cellsOf(storage, V2_PACKED)).toEqual(cells);
    const doc = docFrom(loaded.updates);
    const before = Y.encodeStateVector(doc);
    Sheet.of(doc).setCellsA1({ A2: "new" });
    expect(await storage.append(V2_PACKED, Y.encodeStateAsUpdate(doc, before), meta())).toBe(6);
    await storage.close();
    const again = new SqliteStorage(file);
    expect(await cellsOf(again, V2_PACKED)).toEqual({ ...cells, A2: "new" });
    await again.close();
  });

  it("a sheet stored by the previous release takes a filter for everyone, row heights and wrapped text, which pass the update check and are kept", async () => {
    const file = copyOfFixture(FIXTURE_V2);
    const storage = new SqliteStorage(file);
    const doc = docFrom((await storage.load(V2_PACKED))!.updates);
    const sheet = Sheet.of(doc);
    const before = Y.encodeStateVector(doc);
    const stored = docFrom((await storage.load(V2_PACKED))!.updates);
    // Rows 2 to 30 below A1: only B2 holds "=1+2"; keep the rows whose B is greater than 2.
    shareFilter(sheet, withColumn(newFilter(sheet, 0, 0, 3), sheet.cols.idAt(1)!, { op: "gt", value: "2" }));
    sheet.setRowHeight(1, 1, 60);
    sheet.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { wrap: true, fontSize: 14 });
    const update = validateUpdate(stored, Y.encodeStateAsUpdate(doc, before));
    await storage.append(V2_PACKED, update, meta());
    await storage.close();
    const again = new SqliteStorage(file);
    const reopened = Sheet.of(docFrom((await again.load(V2_PACKED))!.updates));
    const filter = sharedFilter(reopened)!;
    expect(hiddenRows(reopened, filter)).toEqual(Array.from({ length: 28 }, (_, i) => i + 2));
    expect(reopened.rowHeight(1)).toBe(60);
    expect(reopened.styleAt(0, 0)).toEqual({ wrap: true, fontSize: 14 });
    await again.close();
  });

  it("a new database starts at the latest version", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-migration-")), "sheets.db");
    await new SqliteStorage(file).close();
    expect(userVersion(file)).toBe(LATEST);
  });

  it.each([
    ["sheets-v0.db", LATEST + 1],
    ["sheets-v1.db", LATEST + 1],
    ["sheets-v2.db", LATEST + 1],
    ["sheets-v1.db", 99],
  ])("refuses a newer release's database and leaves it as it was (%s set to version %i)", (fixture, version) => {
    const file = copyOfFixture(path.join(FIXTURES, fixture));
    const db = new Database(file);
    db.pragma("journal_mode = DELETE");
    db.pragma(`user_version = ${version}`);
    db.close();
    const before = fs.readFileSync(file);
    expect(() => new SqliteStorage(file)).toThrow(/written by a newer release of Cosheet/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(userVersion(file)).toBe(version);
  });
});
