import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { SheetExistsError, UnknownSheetError, type Storage, type StoredSheet } from "./storage.js";

const SCHEMA = `
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
const INSERT_SHEET = "INSERT INTO sheets (id, created_at, updated_at, last_seq) VALUES (?, ?, ?, 1)";
const SELECT_SHEET = "SELECT created_at, updated_at, last_seq FROM sheets WHERE id = ?";
const SELECT_UPDATES = "SELECT data FROM updates WHERE sheet_id = ? ORDER BY seq";
const BUMP_SEQ = "UPDATE sheets SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq";
const INSERT_UPDATE = "INSERT INTO updates (sheet_id, seq, data) VALUES (?, ?, ?)";
const DELETE_THROUGH = "DELETE FROM updates WHERE sheet_id = ? AND seq <= ?";

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
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(SCHEMA);
    this.stmt = {
      insertSheet: this.db.prepare(INSERT_SHEET),
      selectSheet: this.db.prepare<[string], { created_at: number; updated_at: number; last_seq: number }>(SELECT_SHEET),
      selectUpdates: this.db.prepare<[string], { data: Buffer }>(SELECT_UPDATES),
      bumpSeq: this.db.prepare<[number, string], { last_seq: number }>(BUMP_SEQ),
      insertUpdate: this.db.prepare(INSERT_UPDATE),
      deleteThrough: this.db.prepare(DELETE_THROUGH),
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

  async create(id: string, initial: Uint8Array): Promise<void> {
    const now = Date.now();
    try {
      this.db.transaction(() => {
        this.stmt.insertSheet.run(id, now, now);
        this.stmt.insertUpdate.run(id, 1, initial);
      })();
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new SheetExistsError(id);
      throw err;
    }
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

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    this.db.close();
  }
}
