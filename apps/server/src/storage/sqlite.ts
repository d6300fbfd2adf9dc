import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { AuthorIds, GroupCommit, LinkTouches, type Pending, type Touch } from "./batches.js";
import { LINK_COLUMNS, linkOf, linkParams, META_COLUMNS, metaOf, VERSION_COLUMNS, versionOf, linkIdsOf, type LinkParams, type LinkRow, type MetaRow, type SheetRow, type VersionRow } from "./rows.js";
import {
  checkLinksAreFor,
  checkPrune,
  checkSeq,
  SheetExistsError,
  UnknownSheetError,
  type KeptState,
  type LoggedUpdate,
  type NewSheetAccess,
  type SheetAccess,
  type SheetHead,
  type Storage,
  type StoredLink,
  type StoredSheet,
  type StoredUpdateMeta,
  type StoredVersion,
  type UpdateMeta,
  type UpdateVia,
} from "./storage.js";
import { unpackState } from "./state.js";

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
  // 2: the update log is the sheet's history.
  //
  // Meta beside each update: when it was stored (at, ms), how many cells it set (cells), whether it
  // changed only the discussion (discussion, 0 or 1), and who made it (author), a reference to a
  // row of `authors`: each (sheet, name, link, via) is stored once, not on each of a sheet's many
  // rows. UNIQUE counts NULLs as distinct, so a partial index makes the tuple unique without a
  // link as well. `updates` is rebuilt rather than altered, so that its columns are NOT NULL and
  // its data comes last (reading the meta skips the bytes).
  //
  // The rows written before this release have no meta. They get: at = their sheet's updated_at
  // (when its last update was stored: the best bound known), or its created_at for seq 1; author
  // "", no link, via "server", cells 0, discussion 0 (not known). Such a database may have a
  // compacted log (the old `compact` replaced the updates through N by one snapshot, stored as the
  // update at seq N): it stays an update row, and replaying the log from its first row still gives
  // the sheet; the states before N are not kept.
  //
  // `checkpoints`: the sheet's one rolling checkpoint (kept = 0), where loading starts, and the
  // states kept by pruning (kept = 1), the base included. `versions`: the versions people named.
  `
  CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    sheet_id TEXT NOT NULL REFERENCES sheets(id),
    name TEXT NOT NULL,
    link_id TEXT,
    via TEXT NOT NULL CHECK (via IN ('socket', 'http', 'restore', 'server')),
    UNIQUE (sheet_id, name, link_id, via)
  ) STRICT;
  CREATE UNIQUE INDEX authors_without_link ON authors (sheet_id, name, via) WHERE link_id IS NULL;
  INSERT INTO authors (sheet_id, name, link_id, via) SELECT id, '', NULL, 'server' FROM sheets;
  CREATE TABLE updates_v2 (
    sheet_id TEXT NOT NULL REFERENCES sheets(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    author INTEGER NOT NULL REFERENCES authors(id),
    cells INTEGER NOT NULL,
    discussion INTEGER NOT NULL CHECK (discussion IN (0, 1)),
    data BLOB NOT NULL,
    PRIMARY KEY (sheet_id, seq)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO updates_v2 (sheet_id, seq, at, author, cells, discussion, data)
    SELECT u.sheet_id, u.seq, CASE WHEN u.seq = 1 THEN s.created_at ELSE s.updated_at END, a.id, 0, 0, u.data
    FROM updates u
    JOIN sheets s ON s.id = u.sheet_id
    JOIN authors a ON a.sheet_id = u.sheet_id AND a.name = '' AND a.link_id IS NULL AND a.via = 'server';
  DROP TABLE updates;
  ALTER TABLE updates_v2 RENAME TO updates;
  CREATE TABLE checkpoints (
    sheet_id TEXT NOT NULL REFERENCES sheets(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    data BLOB NOT NULL,
    kept INTEGER NOT NULL CHECK (kept IN (0, 1)),
    PRIMARY KEY (sheet_id, seq)
  ) STRICT;
  CREATE TABLE versions (
    id TEXT PRIMARY KEY,
    sheet_id TEXT NOT NULL REFERENCES sheets(id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    at INTEGER NOT NULL,
    author TEXT NOT NULL
  ) STRICT;
  CREATE INDEX versions_by_sheet ON versions (sheet_id, seq, at);
  `,
  // 3: checkpoints may be stored in parts (storage/state.ts). The tables stay as they are; the
  // version goes up so that an earlier release refuses the database: it would read a checkpoint in
  // parts as an empty document, and its next checkpoint would store the sheet empty.
  `SELECT 1;`,
];

const INSERT_SHEET =
  "INSERT INTO sheets (id, created_at, updated_at, last_seq, plain_address) VALUES (?, ?, ?, 1, ?)";
const SELECT_SHEET = "SELECT created_at, updated_at, last_seq FROM sheets WHERE id = ?";
const BUMP_SEQ = "UPDATE sheets SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq";
const INSERT_UPDATE =
  "INSERT INTO updates (sheet_id, seq, at, author, cells, discussion, data) VALUES (?, ?, ?, ?, ?, ?, ?)";
const SELECT_DATA_BETWEEN = "SELECT data FROM updates WHERE sheet_id = ? AND seq > ? AND seq <= ? ORDER BY seq";
const COUNT_BETWEEN = "SELECT count(*) AS n FROM updates WHERE sheet_id = ? AND seq > ? AND seq <= ?";
const SELECT_FIRST_SEQ = "SELECT min(seq) AS seq FROM updates WHERE sheet_id = ?";
const SELECT_UPDATE_AT = "SELECT at FROM updates WHERE sheet_id = ? AND seq = ?";
const DELETE_THROUGH = "DELETE FROM updates WHERE sheet_id = ? AND seq <= ?";
// The log with its meta. CROSS JOIN makes SQLite walk the sheet's updates in seq order and look
// each author up by id, rather than pick another plan.
const META_FROM = "FROM updates u CROSS JOIN authors a ON a.id = u.author";
const SELECT_HISTORY = `SELECT ${META_COLUMNS} ${META_FROM} WHERE u.sheet_id = ? ORDER BY u.seq`;
const SELECT_LOG = `SELECT ${META_COLUMNS}, u.data ${META_FROM} WHERE u.sheet_id = ? AND u.seq > ? AND u.seq <= ? ORDER BY u.seq`;
const SELECT_AUTHOR = "SELECT id FROM authors WHERE sheet_id = ? AND name = ? AND link_id IS ? AND via = ?";
const INSERT_AUTHOR = "INSERT INTO authors (sheet_id, name, link_id, via) VALUES (?, ?, ?, ?)";
// The checkpoint or kept state nearest at or before a seq.
const SELECT_CHECKPOINT = "SELECT seq, data FROM checkpoints WHERE sheet_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1";
const SELECT_KEPT = "SELECT seq, at FROM checkpoints WHERE sheet_id = ? AND kept = 1 ORDER BY seq";
const DELETE_ROLLING = "DELETE FROM checkpoints WHERE sheet_id = ? AND kept = 0";
const DELETE_CHECKPOINTS_BEFORE = "DELETE FROM checkpoints WHERE sheet_id = ? AND seq < ?";
// A kept state at the same seq holds the same state: it stays, and serves as the checkpoint.
const INSERT_ROLLING =
  "INSERT INTO checkpoints (sheet_id, seq, at, data, kept) VALUES (?, ?, ?, ?, 0) ON CONFLICT (sheet_id, seq) DO NOTHING";
const UPSERT_KEPT = `INSERT INTO checkpoints (sheet_id, seq, at, data, kept) VALUES (?, ?, ?, ?, 1)
  ON CONFLICT (sheet_id, seq) DO UPDATE SET at = excluded.at, data = excluded.data, kept = 1`;
const INSERT_VERSION = `INSERT INTO versions (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`;
const SELECT_VERSIONS = `SELECT ${VERSION_COLUMNS} FROM versions WHERE sheet_id = ? ORDER BY seq, at, rowid`;
const DELETE_VERSION = "DELETE FROM versions WHERE id = ? AND sheet_id = ?";
const SELECT_HEAD = `
  SELECT last_seq, plain_address, (SELECT group_concat(id, ' ') FROM links WHERE sheet_id = s.id) AS links
  FROM sheets s WHERE id = ?`;
const SET_PLAIN_ADDRESS = "UPDATE sheets SET plain_address = ? WHERE id = ?";
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

/** A link's columns, all null when the sheet has no link with the hash asked for. */
type AccessRow = { plain_address: number } & { [K in keyof LinkRow]: LinkRow[K] | null };

/**
 * Brings a database up to date (see BASE_SCHEMA), one migration per transaction. Each reads the
 * version inside its own write transaction (BEGIN IMMEDIATE), so two processes opening the same
 * file at once (the server and an operator's command) never run one migration twice.
 */
function migrate(db: Database.Database): void {
  db.exec(BASE_SCHEMA);
  const step = db.transaction((): boolean => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version >= MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // next migration
  }
}

/**
 * The embedded default: one SQLite file (WAL, `synchronous=FULL`, so a commit survives a power
 * loss, not just a killed process). Appends are group-committed: every append made in one
 * event-loop turn is written by one transaction and one fsync, which is what keeps durable acks
 * cheap under load.
 */
export class SqliteStorage implements Storage {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly writeBatch: (batch: Pending[], fresh: Map<string, number>) => number[];
  private readonly authorIds = new AuthorIds();
  private readonly commits = new GroupCommit((batch) => {
    const fresh = new Map<string, number>();
    const seqs = this.writeBatch(batch, fresh);
    this.authorIds.remember(fresh);
    return seqs;
  });
  private readonly touches = new LinkTouches((batch: Touch[]) =>
    this.db.transaction(() => {
      for (const t of batch) this.stmt.touchLink.run(t.at, t.linkId, t.sheetId);
    })(),
  );

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
    migrate(this.db);
    this.stmt = {
      insertSheet: this.db.prepare(INSERT_SHEET),
      selectSheet: this.db.prepare<[string], SheetRow>(SELECT_SHEET),
      bumpSeq: this.db.prepare<[number, string], { last_seq: number }>(BUMP_SEQ),
      insertUpdate: this.db.prepare<[string, number, number, number, number, number, Uint8Array]>(INSERT_UPDATE),
      selectDataBetween: this.db.prepare<[string, number, number], { data: Buffer }>(SELECT_DATA_BETWEEN),
      countBetween: this.db.prepare<[string, number, number], { n: number }>(COUNT_BETWEEN),
      selectFirstSeq: this.db.prepare<[string], { seq: number | null }>(SELECT_FIRST_SEQ),
      selectUpdateAt: this.db.prepare<[string, number], { at: number }>(SELECT_UPDATE_AT),
      deleteThrough: this.db.prepare<[string, number]>(DELETE_THROUGH),
      selectHistory: this.db.prepare<[string], MetaRow>(SELECT_HISTORY),
      selectLog: this.db.prepare<[string, number, number], MetaRow & { data: Buffer }>(SELECT_LOG),
      selectAuthor: this.db.prepare<[string, string, string | null, UpdateVia], { id: number }>(SELECT_AUTHOR),
      insertAuthor: this.db.prepare<[string, string, string | null, UpdateVia]>(INSERT_AUTHOR),
      selectCheckpoint: this.db.prepare<[string, number], { seq: number; data: Buffer }>(SELECT_CHECKPOINT),
      selectKept: this.db.prepare<[string], { seq: number; at: number }>(SELECT_KEPT),
      deleteRolling: this.db.prepare<[string]>(DELETE_ROLLING),
      deleteCheckpointsBefore: this.db.prepare<[string, number]>(DELETE_CHECKPOINTS_BEFORE),
      insertRolling: this.db.prepare<[string, number, number, Uint8Array]>(INSERT_ROLLING),
      upsertKept: this.db.prepare<[string, number, number, Uint8Array]>(UPSERT_KEPT),
      insertVersion: this.db.prepare<[string, string, number, string, number, string]>(INSERT_VERSION),
      selectVersions: this.db.prepare<[string], VersionRow>(SELECT_VERSIONS),
      deleteVersion: this.db.prepare<[string, string]>(DELETE_VERSION),
      setPlainAddress: this.db.prepare<[number, string]>(SET_PLAIN_ADDRESS),
      insertLink: this.db.prepare<LinkParams>(INSERT_LINK),
      selectLinks: this.db.prepare<[string], LinkRow>(SELECT_LINKS),
      selectHead: this.db.prepare<[string], { last_seq: number; plain_address: number; links: string | null }>(SELECT_HEAD),
      selectAccess: this.db.prepare<[string | null, string], AccessRow>(SELECT_ACCESS),
      deleteLink: this.db.prepare<[string, string]>(DELETE_LINK),
      touchLink: this.db.prepare<[number, string, string]>(TOUCH_LINK),
    };
    // Each entry gets a result (its seq, or -1 for an unknown sheet); one bad entry does not
    // fail the others in the batch.
    this.writeBatch = this.db.transaction((batch: Pending[], fresh: Map<string, number>) => {
      const now = Date.now();
      return batch.map((p) => {
        const row = this.stmt.bumpSeq.get(now, p.id);
        if (!row) return -1;
        const { at, author, linkId, via, cells, discussion } = p.meta;
        const authorId = this.authorId(p.id, author, linkId, via, fresh);
        this.stmt.insertUpdate.run(p.id, row.last_seq, at, authorId, cells, discussion ? 1 : 0, p.update);
        return row.last_seq;
      });
    });
  }

  /**
   * The id of the `authors` row of a tuple, inserted if new; call it inside a transaction, and
   * pass the ids it put in `fresh` to `authorIds.remember` once that transaction committed.
   */
  private authorId(sheetId: string, name: string, linkId: string | null, via: UpdateVia, fresh: Map<string, number>): number {
    const key = AuthorIds.key(sheetId, name, linkId, via);
    const known = this.authorIds.get(key, fresh);
    if (known !== undefined) return known;
    const row = this.stmt.selectAuthor.get(sheetId, name, linkId, via);
    const id = row ? row.id : Number(this.stmt.insertAuthor.run(sheetId, name, linkId, via).lastInsertRowid);
    fresh.set(key, id);
    return id;
  }

  async check(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void> {
    checkLinksAreFor(id, access);
    const now = Date.now();
    const fresh = new Map<string, number>();
    this.db.transaction(() => {
      try {
        this.stmt.insertSheet.run(id, now, now, access.plainAddress ? 1 : 0);
      } catch (err) {
        // Only here: a link's taken id is a primary key conflict too, but not an existing sheet.
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new SheetExistsError(id);
        throw err;
      }
      this.stmt.insertUpdate.run(id, 1, now, this.authorId(id, "", null, "server", fresh), 0, 0, initial);
      for (const link of access.links) this.stmt.insertLink.run(...linkParams(link));
    })();
    this.authorIds.remember(fresh);
  }

  async load(id: string): Promise<StoredSheet | null> {
    return this.db.transaction(() => {
      const sheet = this.stmt.selectSheet.get(id);
      if (!sheet) return null;
      const start = this.stmt.selectCheckpoint.get(id, sheet.last_seq);
      const after = this.stmt.selectDataBetween.all(id, start?.seq ?? 0, sheet.last_seq).map((r) => new Uint8Array(r.data));
      const updates = start ? [...unpackState(new Uint8Array(start.data)), ...after] : after;
      return { updates, logged: after.length, lastSeq: sheet.last_seq, createdAt: sheet.created_at, updatedAt: sheet.updated_at };
    })();
  }

  append(id: string, update: Uint8Array, meta: UpdateMeta): Promise<number> {
    return this.commits.append(id, update, meta);
  }

  async checkpoint(id: string, state: Uint8Array, throughSeq: number): Promise<void> {
    this.db.transaction(() => {
      const sheet = this.stmt.selectSheet.get(id);
      if (!sheet) throw new UnknownSheetError(id);
      checkSeq(throughSeq, sheet.last_seq, "checkpoint through");
      // A state from before a prune (its later updates are partly gone) could not be loaded from:
      // the base of that prune is newer, and already where loading starts.
      const later = sheet.last_seq - throughSeq;
      if (this.stmt.countBetween.get(id, throughSeq, sheet.last_seq)!.n !== later) return;
      const at = this.stmt.selectUpdateAt.get(id, throughSeq)?.at ?? sheet.updated_at;
      this.stmt.deleteRolling.run(id);
      this.stmt.insertRolling.run(id, throughSeq, at, state);
    })();
  }

  async prune(id: string, base: KeptState, kept: readonly KeptState[]): Promise<void> {
    this.db.transaction(() => {
      const sheet = this.stmt.selectSheet.get(id);
      if (!sheet) throw new UnknownSheetError(id);
      checkPrune(base, kept, sheet.last_seq);
      this.stmt.deleteThrough.run(id, base.seq);
      this.stmt.deleteCheckpointsBefore.run(id, base.seq);
      // The rolling checkpoint, if it is at the base's seq, becomes the base.
      this.stmt.upsertKept.run(id, base.seq, base.at, base.state);
      for (const k of kept) this.stmt.upsertKept.run(id, k.seq, k.at, k.state);
    })();
  }

  async stateAt(id: string, seq: number): Promise<Uint8Array[] | null> {
    return this.db.transaction(() => {
      const sheet = this.stmt.selectSheet.get(id);
      if (!sheet || !Number.isSafeInteger(seq) || seq < 1 || seq > sheet.last_seq) return null;
      const start = this.stmt.selectCheckpoint.get(id, seq);
      let from: number;
      if (start) {
        if (start.seq === seq) return unpackState(new Uint8Array(start.data));
        from = start.seq;
      } else {
        // No checkpoint before: the log's first row is the start (seq 1, or the snapshot a
        // previous release's compact left), unless the seq asked for is before it.
        const first = this.stmt.selectFirstSeq.get(id)?.seq ?? null;
        if (first === null || first > seq) return null;
        from = first - 1;
      }
      const rows = this.stmt.selectDataBetween.all(id, from, seq);
      // Seqs have no gaps, except where updates were pruned: then the state cannot be rebuilt.
      if (rows.length !== seq - from) return null;
      const updates = rows.map((r) => new Uint8Array(r.data));
      return start ? [...unpackState(new Uint8Array(start.data)), ...updates] : updates;
    })();
  }

  async history(id: string): Promise<{ updates: StoredUpdateMeta[]; kept: { seq: number; at: number }[] } | null> {
    return this.db.transaction(() => {
      if (!this.stmt.selectSheet.get(id)) return null;
      return {
        updates: this.stmt.selectHistory.all(id).map(metaOf),
        kept: this.stmt.selectKept.all(id).map((r) => ({ seq: r.seq, at: r.at })),
      };
    })();
  }

  async heads(ids: readonly string[]): Promise<Map<string, SheetHead>> {
    const heads = new Map<string, SheetHead>();
    for (const id of ids) {
      const row = this.stmt.selectHead.get(id);
      if (row) heads.set(id, { lastSeq: row.last_seq, plainAddress: row.plain_address === 1, links: linkIdsOf(row.links) });
    }
    return heads;
  }

  async log(id: string, afterSeq: number, throughSeq: number): Promise<LoggedUpdate[]> {
    return this.stmt.selectLog.all(id, afterSeq, throughSeq).map((r) => ({ ...metaOf(r), data: new Uint8Array(r.data) }));
  }

  async addVersion(version: StoredVersion): Promise<void> {
    this.db.transaction(() => {
      const sheet = this.stmt.selectSheet.get(version.sheetId);
      if (!sheet) throw new UnknownSheetError(version.sheetId);
      checkSeq(version.seq, sheet.last_seq, "version seq");
      const { id, sheetId, seq, name, at, author } = version;
      this.stmt.insertVersion.run(id, sheetId, seq, name, at, author);
    })();
  }

  async listVersions(sheetId: string): Promise<StoredVersion[]> {
    return this.stmt.selectVersions.all(sheetId).map(versionOf);
  }

  async removeVersion(sheetId: string, versionId: string): Promise<boolean> {
    return this.stmt.deleteVersion.run(versionId, sheetId).changes > 0;
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

  touchLink(sheetId: string, linkId: string, at: number): Promise<void> {
    return this.touches.touch(sheetId, linkId, at);
  }

  async setPlainAddress(sheetId: string, enabled: boolean): Promise<void> {
    if (this.stmt.setPlainAddress.run(enabled ? 1 : 0, sheetId).changes === 0) throw new UnknownSheetError(sheetId);
  }

  async close(): Promise<void> {
    await this.commits.drain();
    await this.touches.flush();
    this.db.close();
  }
}
