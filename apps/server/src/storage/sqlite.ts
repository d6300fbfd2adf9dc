import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Role } from "@cosheet/protocol";
import {
  SheetExistsError,
  UnknownSheetError,
  type NewSheetAccess,
  type SheetAccess,
  type Storage,
  type StoredLink,
  type StoredSheet,
} from "./storage.js";

/**
 * The schema is versioned by `PRAGMA user_version`. BASE_SCHEMA is the schema of the releases
 * before versioning (version 0), created if missing as they did; MIGRATIONS[i] then takes a
 * database from version i to i + 1, run once, in a transaction that also sets the version, so a
 * database is always at one version or the next. A released migration is never edited: a change
 * to the schema is a new migration at the end of the list.
 */
const BASE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS sheets (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_seq INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS updates (
    sheet_id TEXT NOT NULL REFERENCES sheets(id),
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (sheet_id, seq)
  ) STRICT, WITHOUT ROWID;
`;
const MIGRATIONS = [
  // 1: links. A sheet made before links keeps edit access at its plain address (the default);
  // new sheets are inserted with the plain_address they are given.
  `
  ALTER TABLE sheets ADD COLUMN plain_address INTEGER NOT NULL DEFAULT 1;
  CREATE TABLE links (
    id TEXT PRIMARY KEY,
    sheet_id TEXT NOT NULL REFERENCES sheets(id),
    secret_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('view', 'comment', 'edit', 'owner')),
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_used_at INTEGER
  ) STRICT;
  CREATE INDEX links_by_sheet ON links (sheet_id);
  `,
];

const INSERT_SHEET =
  "INSERT INTO sheets (id, created_at, updated_at, last_seq, plain_address) VALUES (?, ?, ?, 1, ?)";
const SELECT_SHEET = "SELECT created_at, updated_at, last_seq FROM sheets WHERE id = ?";
const SELECT_UPDATES = "SELECT data FROM updates WHERE sheet_id = ? ORDER BY seq";
const BUMP_SEQ = "UPDATE sheets SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq";
const INSERT_UPDATE = "INSERT INTO updates (sheet_id, seq, data) VALUES (?, ?, ?)";
const DELETE_THROUGH = "DELETE FROM updates WHERE sheet_id = ? AND seq <= ?";
const SET_PLAIN_ADDRESS = "UPDATE sheets SET plain_address = ? WHERE id = ?";
const LINK_COLUMNS = "id, sheet_id, secret_hash, role, label, created_at, expires_at, last_used_at";
const INSERT_LINK = `INSERT INTO links (${LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
// rowid breaks ties: links made in the same millisecond are listed in the order they were added.
const SELECT_LINKS = `SELECT ${LINK_COLUMNS} FROM links WHERE sheet_id = ? ORDER BY created_at, rowid`;
// One statement, so the plain address and the link are read at the same instant. A null hash
// matches no link (NULL = NULL is not true); a hash of another sheet's link fails the sheet_id test.
const SELECT_ACCESS = `
  SELECT s.plain_address,
    l.id, l.sheet_id, l.secret_hash, l.role, l.label, l.created_at, l.expires_at, l.last_used_at
  FROM sheets s LEFT JOIN links l ON l.secret_hash = ? AND l.sheet_id = s.id
  WHERE s.id = ?`;
const DELETE_LINK = "DELETE FROM links WHERE id = ? AND sheet_id = ?";
const TOUCH_LINK = "UPDATE links SET last_used_at = ? WHERE id = ? AND sheet_id = ?";

interface LinkRow {
  id: string;
  sheet_id: string;
  secret_hash: string;
  role: Role;
  label: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

/** A link's columns, all null when the sheet has no link with the hash asked for. */
type AccessRow = { plain_address: number } & { [K in keyof LinkRow]: LinkRow[K] | null };

function linkOf(row: LinkRow): StoredLink {
  return {
    id: row.id,
    sheetId: row.sheet_id,
    secretHash: row.secret_hash,
    role: row.role,
    label: row.label,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

type LinkParams = [string, string, string, Role, string, number, number | null, number | null];

function linkParams(link: StoredLink): LinkParams {
  return [
    link.id,
    link.sheetId,
    link.secretHash,
    link.role,
    link.label,
    link.createdAt,
    link.expiresAt,
    link.lastUsedAt,
  ];
}

/** Brings a database at schema version `from` up to date (see BASE_SCHEMA). */
function migrate(db: Database.Database, from: number): void {
  db.exec(BASE_SCHEMA);
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

interface Pending {
  id: string;
  update: Uint8Array;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/**
 * The embedded default: one SQLite file (WAL, `synchronous=FULL`, so a commit survives a power
 * loss, not just a killed process). Appends are group-committed: every append made in one
 * event-loop turn is written by one transaction and one fsync, which is what keeps durable acks
 * cheap under load.
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private readonly stmt;
  private readonly writeBatch: (batch: Pending[]) => number[];

  constructor(file: string) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    // Read before anything is written, even the switch to WAL: this code cannot know what a newer
    // release's schema means, so it leaves such a file as it found it.
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      this.db.close();
      throw new Error(
        `${file} was written by a newer release of Cosheet (schema version ${version}; this release ` +
          `knows up to ${MIGRATIONS.length}): run that release or a later one`,
      );
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    migrate(this.db, version);
    this.stmt = {
      insertSheet: this.db.prepare(INSERT_SHEET),
      selectSheet: this.db.prepare<[string], { created_at: number; updated_at: number; last_seq: number }>(SELECT_SHEET),
      selectUpdates: this.db.prepare<[string], { data: Buffer }>(SELECT_UPDATES),
      bumpSeq: this.db.prepare<[number, string], { last_seq: number }>(BUMP_SEQ),
      insertUpdate: this.db.prepare(INSERT_UPDATE),
      deleteThrough: this.db.prepare(DELETE_THROUGH),
      setPlainAddress: this.db.prepare<[number, string]>(SET_PLAIN_ADDRESS),
      insertLink: this.db.prepare<LinkParams>(INSERT_LINK),
      selectLinks: this.db.prepare<[string], LinkRow>(SELECT_LINKS),
      selectAccess: this.db.prepare<[string | null, string], AccessRow>(SELECT_ACCESS),
      deleteLink: this.db.prepare<[string, string]>(DELETE_LINK),
      touchLink: this.db.prepare<[number, string, string]>(TOUCH_LINK),
    };
    // Each entry gets a result (its seq, or -1 for an unknown sheet); one bad entry does not
    // fail the others in the batch.
    this.writeBatch = this.db.transaction((batch: Pending[]) => {
      const now = Date.now();
      return batch.map((p) => {
        const row = this.stmt.bumpSeq.get(now, p.id);
        if (!row) return -1;
        this.stmt.insertUpdate.run(p.id, row.last_seq, p.update);
        return row.last_seq;
      });
    });
  }

  async create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void> {
    for (const link of access.links) {
      if (link.sheetId !== id) throw new Error(`link ${link.id} is for sheet ${link.sheetId}, not ${id}`);
    }
    const now = Date.now();
    this.db.transaction(() => {
      try {
        this.stmt.insertSheet.run(id, now, now, access.plainAddress ? 1 : 0);
      } catch (err) {
        // Only here: a link's taken id is a primary key conflict too, but not an existing sheet.
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new SheetExistsError(id);
        throw err;
      }
      this.stmt.insertUpdate.run(id, 1, initial);
      for (const link of access.links) this.stmt.insertLink.run(...linkParams(link));
    })();
  }

  async load(id: string): Promise<StoredSheet | null> {
    return this.db.transaction(() => {
      const sheet = this.stmt.selectSheet.get(id);
      if (!sheet) return null;
      const updates = this.stmt.selectUpdates.all(id).map((r) => new Uint8Array(r.data));
      return { updates, lastSeq: sheet.last_seq, createdAt: sheet.created_at, updatedAt: sheet.updated_at };
    })();
  }

  append(id: string, update: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id, update, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    let seqs: number[];
    try {
      seqs = this.writeBatch(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => (seqs[i]! < 0 ? p.reject(new UnknownSheetError(p.id)) : p.resolve(seqs[i]!)));
  }

  async compact(id: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.db.transaction(() => {
      if (!this.stmt.selectSheet.get(id)) throw new UnknownSheetError(id);
      this.stmt.deleteThrough.run(id, throughSeq);
      this.stmt.insertUpdate.run(id, throughSeq, snapshot);
    })();
  }

  async access(sheetId: string, secretHash: string | null): Promise<SheetAccess | null> {
    const row = this.stmt.selectAccess.get(secretHash, sheetId);
    if (!row) return null;
    return { plainAddress: row.plain_address === 1, link: row.id === null ? null : linkOf(row as LinkRow) };
  }

  async listLinks(sheetId: string): Promise<StoredLink[]> {
    return this.db.transaction(() => {
      if (!this.stmt.selectSheet.get(sheetId)) throw new UnknownSheetError(sheetId);
      return this.stmt.selectLinks.all(sheetId).map(linkOf);
    })();
  }

  async addLink(link: StoredLink): Promise<void> {
    try {
      this.stmt.insertLink.run(...linkParams(link));
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY") throw new UnknownSheetError(link.sheetId);
      throw err;
    }
  }

  async removeLink(sheetId: string, linkId: string): Promise<boolean> {
    return this.stmt.deleteLink.run(linkId, sheetId).changes > 0;
  }

  async touchLink(sheetId: string, linkId: string, at: number): Promise<void> {
    this.stmt.touchLink.run(at, linkId, sheetId);
  }

  async setPlainAddress(sheetId: string, enabled: boolean): Promise<void> {
    if (this.stmt.setPlainAddress.run(enabled ? 1 : 0, sheetId).changes === 0) throw new UnknownSheetError(sheetId);
  }

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    this.db.close();
  }
}
