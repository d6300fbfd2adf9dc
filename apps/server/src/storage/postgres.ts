import pg from "pg";
import { AuthorIds, compareStrings, GroupCommit, LinkTouches, type Pending, type Touch } from "./batches.js";
import { LINK_COLUMNS, linkOf, linkParams, META_COLUMNS, metaOf, VERSION_COLUMNS, versionOf, linkIdsOf, type LinkRow, type MetaRow, type SheetRow, type VersionRow } from "./rows.js";
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
 * The schema is versioned by the one row of `cosheet_schema`. MIGRATIONS[i] takes a database from
 * version i to i + 1; those a database lacks run in one transaction that also sets the version,
 * under an advisory lock, so several nodes starting at once against a new database run each
 * migration once. A released migration is never edited: a change to the schema is a new migration
 * at the end of the list.
 *
 * The tables are SQLite's (sqlite.ts), in PostgreSQL's types: times in ms since the epoch as
 * bigint, flags as boolean, bytes as bytea, and `n` (an identity) where SQLite orders by rowid.
 */
const MIGRATIONS = [
  `
  CREATE TABLE sheets (
    id text PRIMARY KEY,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    last_seq bigint NOT NULL,
    plain_address boolean NOT NULL
  );
  CREATE TABLE links (
    id text PRIMARY KEY,
    sheet_id text NOT NULL REFERENCES sheets(id),
    secret_hash text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('view', 'comment', 'edit', 'owner')),
    label text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint,
    last_used_at bigint,
    n bigint GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX links_by_sheet ON links (sheet_id, created_at, n);
  CREATE TABLE authors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_id text NOT NULL REFERENCES sheets(id),
    name text NOT NULL,
    link_id text,
    via text NOT NULL CHECK (via IN ('socket', 'http', 'restore', 'server')),
    UNIQUE NULLS NOT DISTINCT (sheet_id, name, link_id, via)
  );
  CREATE TABLE updates (
    sheet_id text NOT NULL REFERENCES sheets(id),
    seq bigint NOT NULL,
    at bigint NOT NULL,
    author bigint NOT NULL REFERENCES authors(id),
    cells bigint NOT NULL,
    discussion boolean NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (sheet_id, seq)
  );
  CREATE TABLE checkpoints (
    sheet_id text NOT NULL REFERENCES sheets(id),
    seq bigint NOT NULL,
    at bigint NOT NULL,
    data bytea NOT NULL,
    kept boolean NOT NULL,
    PRIMARY KEY (sheet_id, seq)
  );
  CREATE TABLE versions (
    id text PRIMARY KEY,
    sheet_id text NOT NULL REFERENCES sheets(id),
    seq bigint NOT NULL,
    name text NOT NULL,
    at bigint NOT NULL,
    author text NOT NULL,
    n bigint GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX versions_by_sheet ON versions (sheet_id, seq, at, n);
  `,
];

/** The advisory lock that migrations take (any number, the same on every node). */
const MIGRATION_LOCK = 0x636f7368;
/**
 * The advisory lock every node holds (see PostgresStorage.open): alone (exclusive) when it does
 * not relay to others, shared by the nodes that do. Two nodes that do not relay to each other
 * would each keep a sheet in memory without the other's changes.
 */
const NODE_LOCK = 0x636f7369;
/** The namespace of the sheets' advisory locks (see LOCK_SHEET). */
const SHEET_LOCK = 0x636f736a;
/** Why a node cannot take NODE_LOCK, as it would hold it. */
const LOCK_REFUSED: Record<NodeLock, string> = {
  sole:
    "another Cosheet node is using this database: nodes that share one database must all be joined by Redis " +
    "(the same REDIS_URL); set it on every node, or give each node its own database",
  shared:
    "a Cosheet node without REDIS_URL is using this database alone: set the same REDIS_URL on it too, " +
    "or give it its own database",
  none: "",
};

/**
 * How a node holds NODE_LOCK: `sole` for a node without a relay (no other node may run),
 * `shared` for the nodes joined by one (any number, but no sole one), `none` for an operator's
 * command, which runs beside either.
 */
export type NodeLock = "sole" | "shared" | "none";
/** How soon a node whose connection holding NODE_LOCK broke takes the lock again. */
const RELOCK_MS = 1_000;
/** How long opening a connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long a query may take before it fails (and a write is retried): a database that stops
 * answering holds no write, and no connection of the pool, for longer.
 */
const QUERY_TIMEOUT_MS = 30_000;
/**
 * Every connection's settings: a commit returns once it is durable, whatever the server's default;
 * TCP keepalives on both ends (after 30 s idle, every 10 s, 3 missed) notice within about a minute a
 * connection that a network cut or a dead machine left open, so a dead node's lock goes too.
 */
const CONNECTION = {
  connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  query_timeout: QUERY_TIMEOUT_MS,
  keepAlive: true,
  keepAliveInitialDelayMillis: 30_000,
  options: "-c synchronous_commit=on -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3",
};

// int8 (bigint) columns come back as JavaScript numbers: every value stored is a safe integer.
const TYPES = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
};

const SELECT_SHEET = "SELECT created_at, updated_at, last_seq FROM sheets WHERE id = $1";
/**
 * The lock of one sheet's checkpoints and prunes (a transaction's advisory lock, in the namespace
 * SHEET_LOCK): one node at a time rewrites what a sheet loads from, and appends never wait for it.
 */
const LOCK_SHEET = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
const BUMP_SEQ = "UPDATE sheets SET last_seq = last_seq + 1, updated_at = $1 WHERE id = $2 RETURNING last_seq";
const INSERT_UPDATE =
  "INSERT INTO updates (sheet_id, seq, at, author, cells, discussion, data) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const SELECT_DATA_BETWEEN = "SELECT data FROM updates WHERE sheet_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq";
const SELECT_CHECKPOINT = "SELECT seq, data FROM checkpoints WHERE sheet_id = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1";
const META_FROM = "FROM updates u JOIN authors a ON a.id = u.author";
const INSERT_LINK = `INSERT INTO links (${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
// A kept state at the same seq holds the same state: it stays, and serves as the checkpoint.
const UPSERT_KEPT = `INSERT INTO checkpoints (sheet_id, seq, at, data, kept) VALUES ($1, $2, $3, $4, true)
  ON CONFLICT (sheet_id, seq) DO UPDATE SET at = excluded.at, data = excluded.data, kept = true`;

/** Bytes read from bytea, copied out of the Buffer (which may be a view of node's shared pool). */
const bytes = (data: Buffer) => new Uint8Array(data);

/** PostgreSQL's code for an error, if it is one of its own (23505: a unique key taken, 23503: a missing reference). */
const codeOf = (err: unknown) => (err as { code?: string }).code;

/**
 * Sheets in PostgreSQL (`DATABASE_URL`), for one node or several sharing the database. As in
 * SQLite, a commit is durable once it returns (PostgreSQL's `synchronous_commit`, on by default),
 * and the appends made in one event-loop turn are written by one transaction. Each sheet's log is
 * gapless: an append takes the next seq by updating the sheet's row, so appends to one sheet from
 * several nodes are numbered in the order they commit.
 */
export class PostgresStorage implements Storage {
  readonly kind = "postgres";
  private readonly authorIds = new AuthorIds();
  private readonly commits = new GroupCommit((batch) => this.writeBatch(batch));
  private readonly touches = new LinkTouches((batch: Touch[]) =>
    this.transaction(async (client) => {
      for (const t of batch) await client.query("UPDATE links SET last_used_at = GREATEST(last_used_at, $1) WHERE id = $2 AND sheet_id = $3", [t.at, t.linkId, t.sheetId]);
    }),
  );

  /** The connection holding NODE_LOCK. */
  private holder: pg.Client | null = null;
  private relockTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly lock: NodeLock,
    private readonly onLockLost: (err: Error) => void,
  ) {}

  /**
   * Connects, and creates or migrates the schema; rejects with a readable error if it cannot.
   * - `lock` (see {@link NodeLock}; `sole` by default): held for as long as the node runs; it
   *   refuses to start while a node holds it in a way that excludes its own. If the lock went
   *   (PostgreSQL restarted) and such a node took it meanwhile, `onLockLost` is told: this node
   *   must stop.
   * - `existing`: refuses a database without Cosheet's tables rather than create them (for an
   *   operator's command, which also runs beside a server).
   */
  static async open(
    url: string,
    options: { max?: number; lock?: NodeLock; existing?: boolean; onLockLost?: (err: Error) => void } = {},
  ): Promise<PostgresStorage> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: TYPES, ...CONNECTION });
    // An idle connection that fails (the server restarted) is dropped; the next query opens another.
    pool.on("error", () => {});
    const lock = options.lock ?? "sole";
    const storage = new PostgresStorage(pool, url, lock, options.onLockLost ?? (() => {}));
    try {
      // The lock first: a release that is refused beside a running node leaves the schema as it is.
      if (lock !== "none" && !(await storage.lockNode())) throw new Error(LOCK_REFUSED[lock]);
      if (options.existing && (await pool.query("SELECT to_regclass('cosheet_schema') AS t")).rows[0].t === null) {
        throw new Error("it holds no Cosheet sheets: set DATABASE_URL to the server's");
      }
      await migrate(pool);
    } catch (err) {
      await storage.close();
      throw err;
    }
    return storage;
  }

  /**
   * Takes NODE_LOCK on a connection of its own, as `lock` says; false if another node holds it in a
   * way that excludes that. If that connection breaks (PostgreSQL restarted), the lock is gone with
   * it, and is taken again.
   */
  private async lockNode(): Promise<boolean> {
    if (this.closing) return false;
    const client = new pg.Client({ connectionString: this.url, ...CONNECTION });
    client.on("error", () => {
      if (this.holder !== client) return;
      this.holder = null;
      void client.end().catch(() => {});
      this.relock();
    });
    await client.connect();
    const take = this.lock === "shared" ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
    const { rows } = await client.query<{ locked: boolean }>(`SELECT ${take}($1) AS locked`, [NODE_LOCK]);
    if (!rows[0]!.locked || this.closing) {
      await client.end();
      return false;
    }
    this.holder = client;
    return true;
  }

  /** Takes the lock again once PostgreSQL answers; tells `onLockLost` if another node has it. */
  private relock(): void {
    if (this.closing || this.relockTimer) return;
    this.relockTimer = setTimeout(() => {
      this.relockTimer = null;
      this.lockNode().then(
        (locked) => {
          if (!locked && !this.closing) this.onLockLost(new Error(`lost the database's lock to another node: ${LOCK_REFUSED[this.lock]}`));
        },
        () => this.relock(),
      );
    }, RELOCK_MS).unref();
  }

  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>, mode = ""): Promise<T> {
    return transaction(this.pool, work, mode);
  }

  /** A consistent read of several statements. */
  private read<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(work, "ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }

  /** The id of the `authors` row of a tuple, inserted if new, inside the caller's transaction. */
  private async authorId(client: pg.PoolClient, sheetId: string, name: string, linkId: string | null, via: UpdateVia, fresh: Map<string, number>): Promise<number> {
    const key = AuthorIds.key(sheetId, name, linkId, via);
    const known = this.authorIds.get(key, fresh);
    if (known !== undefined) return known;
    // Another node may insert the same tuple meanwhile: then its row is the one read back.
    const inserted = await client.query<{ id: number }>(
      "INSERT INTO authors (sheet_id, name, link_id, via) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
      [sheetId, name, linkId, via],
    );
    const id =
      inserted.rows[0]?.id ??
      (await client.query<{ id: number }>("SELECT id FROM authors WHERE sheet_id = $1 AND name = $2 AND link_id IS NOT DISTINCT FROM $3 AND via = $4", [sheetId, name, linkId, via])).rows[0]!.id;
    fresh.set(key, id);
    return id;
  }

  async check(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void> {
    checkLinksAreFor(id, access);
    const now = Date.now();
    const fresh = new Map<string, number>();
    await this.transaction(async (client) => {
      try {
        await client.query("INSERT INTO sheets (id, created_at, updated_at, last_seq, plain_address) VALUES ($1, $2, $2, 1, $3)", [id, now, access.plainAddress]);
      } catch (err) {
        if (codeOf(err) === "23505") throw new SheetExistsError(id);
        throw err;
      }
      const author = await this.authorId(client, id, "", null, "server", fresh);
      await client.query(INSERT_UPDATE, [id, 1, now, author, 0, false, initial]);
      for (const link of access.links) await client.query(INSERT_LINK, linkParams(link));
    });
    this.authorIds.remember(fresh);
  }

  async load(id: string): Promise<StoredSheet | null> {
    return this.read(async (client) => {
      const sheet = (await client.query<SheetRow>(SELECT_SHEET, [id])).rows[0];
      if (!sheet) return null;
      const start = (await client.query<{ seq: number; data: Buffer }>(SELECT_CHECKPOINT, [id, sheet.last_seq])).rows[0];
      const after = (await client.query<{ data: Buffer }>(SELECT_DATA_BETWEEN, [id, start?.seq ?? 0, sheet.last_seq])).rows.map((r) => bytes(r.data));
      const updates = start ? [...unpackState(bytes(start.data)), ...after] : after;
      return { updates, logged: after.length, lastSeq: sheet.last_seq, createdAt: sheet.created_at, updatedAt: sheet.updated_at };
    });
  }

  append(id: string, update: Uint8Array, meta: UpdateMeta): Promise<number> {
    return this.commits.append(id, update, meta);
  }

  /**
   * Each entry's seq, or -1 for an unknown sheet (see GroupCommit), in one transaction. The
   * sheets' rows are locked in the order of their ids, each sheet's appends in the order they
   * came: two nodes' batches over the same sheets wait for each other rather than deadlock.
   */
  private async writeBatch(batch: Pending[]): Promise<number[]> {
    const fresh = new Map<string, number>();
    const order = batch.map((_, i) => i).sort((a, b) => compareStrings(batch[a]!.id, batch[b]!.id) || a - b);
    const seqs = await this.transaction(async (client) => {
      const now = Date.now();
      const out = new Array<number>(batch.length);
      for (const i of order) {
        const p = batch[i]!;
        const row = (await client.query<{ last_seq: number }>(BUMP_SEQ, [now, p.id])).rows[0];
        if (!row) {
          out[i] = -1;
          continue;
        }
        const { at, author, linkId, via, cells, discussion } = p.meta;
        const authorId = await this.authorId(client, p.id, author, linkId, via, fresh);
        await client.query(INSERT_UPDATE, [p.id, row.last_seq, at, authorId, cells, discussion, p.update]);
        out[i] = row.last_seq;
      }
      return out;
    });
    this.authorIds.remember(fresh);
    return seqs;
  }

  async checkpoint(id: string, state: Uint8Array, throughSeq: number): Promise<void> {
    await this.transaction(async (client) => {
      // A prune or checkpoint of the sheet, on this node or another, waits for this one.
      await client.query(LOCK_SHEET, [SHEET_LOCK, id]);
      const sheet = (await client.query<SheetRow>(SELECT_SHEET, [id])).rows[0];
      if (!sheet) throw new UnknownSheetError(id);
      checkSeq(throughSeq, sheet.last_seq, "checkpoint through");
      // A state from before a prune (its later updates are partly gone) could not be loaded from.
      const later = sheet.last_seq - throughSeq;
      const { n } = (await client.query<{ n: number }>("SELECT count(*) AS n FROM updates WHERE sheet_id = $1 AND seq > $2 AND seq <= $3", [id, throughSeq, sheet.last_seq])).rows[0]!;
      if (n !== later) return;
      const at = (await client.query<{ at: number }>("SELECT at FROM updates WHERE sheet_id = $1 AND seq = $2", [id, throughSeq])).rows[0]?.at ?? sheet.updated_at;
      await client.query("DELETE FROM checkpoints WHERE sheet_id = $1 AND NOT kept", [id]);
      await client.query("INSERT INTO checkpoints (sheet_id, seq, at, data, kept) VALUES ($1, $2, $3, $4, false) ON CONFLICT (sheet_id, seq) DO NOTHING", [id, throughSeq, at, state]);
    });
  }

  async prune(id: string, base: KeptState, kept: readonly KeptState[]): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(LOCK_SHEET, [SHEET_LOCK, id]);
      const sheet = (await client.query<SheetRow>(SELECT_SHEET, [id])).rows[0];
      if (!sheet) throw new UnknownSheetError(id);
      checkPrune(base, kept, sheet.last_seq);
      await client.query("DELETE FROM updates WHERE sheet_id = $1 AND seq <= $2", [id, base.seq]);
      await client.query("DELETE FROM checkpoints WHERE sheet_id = $1 AND seq < $2", [id, base.seq]);
      // The rolling checkpoint, if it is at the base's seq, becomes the base.
      await client.query(UPSERT_KEPT, [id, base.seq, base.at, base.state]);
      for (const k of kept) await client.query(UPSERT_KEPT, [id, k.seq, k.at, k.state]);
    });
  }

  async stateAt(id: string, seq: number): Promise<Uint8Array[] | null> {
    return this.read(async (client) => {
      const sheet = (await client.query<SheetRow>(SELECT_SHEET, [id])).rows[0];
      if (!sheet || !Number.isSafeInteger(seq) || seq < 1 || seq > sheet.last_seq) return null;
      const start = (await client.query<{ seq: number; data: Buffer }>(SELECT_CHECKPOINT, [id, seq])).rows[0];
      let from: number;
      if (start) {
        if (start.seq === seq) return unpackState(bytes(start.data));
        from = start.seq;
      } else {
        // No checkpoint before: the log's first row is the start, unless the seq asked for is before it.
        const first = (await client.query<{ seq: number | null }>("SELECT min(seq) AS seq FROM updates WHERE sheet_id = $1", [id])).rows[0]?.seq ?? null;
        if (first === null || first > seq) return null;
        from = first - 1;
      }
      const rows = (await client.query<{ data: Buffer }>(SELECT_DATA_BETWEEN, [id, from, seq])).rows;
      // Seqs have no gaps, except where updates were pruned: then the state cannot be rebuilt.
      if (rows.length !== seq - from) return null;
      const updates = rows.map((r) => bytes(r.data));
      return start ? [...unpackState(bytes(start.data)), ...updates] : updates;
    });
  }

  async history(id: string): Promise<{ updates: StoredUpdateMeta[]; kept: { seq: number; at: number }[] } | null> {
    return this.read(async (client) => {
      if ((await client.query(SELECT_SHEET, [id])).rowCount === 0) return null;
      const updates = (await client.query<MetaRow>(`SELECT ${META_COLUMNS} ${META_FROM} WHERE u.sheet_id = $1 ORDER BY u.seq`, [id])).rows.map(metaOf);
      const kept = (await client.query<{ seq: number; at: number }>("SELECT seq, at FROM checkpoints WHERE sheet_id = $1 AND kept ORDER BY seq", [id])).rows;
      return { updates, kept: kept.map((r) => ({ seq: r.seq, at: r.at })) };
    });
  }

  async heads(ids: readonly string[]): Promise<Map<string, SheetHead>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; last_seq: number; plain_address: boolean; links: string | null }>(
      "SELECT id, last_seq, plain_address, (SELECT string_agg(l.id, ' ') FROM links l WHERE l.sheet_id = s.id) AS links FROM sheets s WHERE id = ANY($1)",
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { lastSeq: r.last_seq, plainAddress: r.plain_address, links: linkIdsOf(r.links) }]));
  }

  async log(id: string, afterSeq: number, throughSeq: number): Promise<LoggedUpdate[]> {
    const { rows } = await this.pool.query<MetaRow & { data: Buffer }>(
      `SELECT ${META_COLUMNS}, u.data ${META_FROM} WHERE u.sheet_id = $1 AND u.seq > $2 AND u.seq <= $3 ORDER BY u.seq`,
      [id, afterSeq, throughSeq],
    );
    return rows.map((r) => ({ ...metaOf(r), data: bytes(r.data) }));
  }

  async addVersion(version: StoredVersion): Promise<void> {
    await this.transaction(async (client) => {
      const sheet = (await client.query<SheetRow>(SELECT_SHEET, [version.sheetId])).rows[0];
      if (!sheet) throw new UnknownSheetError(version.sheetId);
      checkSeq(version.seq, sheet.last_seq, "version seq");
      const { id, sheetId, seq, name, at, author } = version;
      await client.query(`INSERT INTO versions (${VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [id, sheetId, seq, name, at, author]);
    });
  }

  async listVersions(sheetId: string): Promise<StoredVersion[]> {
    const { rows } = await this.pool.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM versions WHERE sheet_id = $1 ORDER BY seq, at, n`, [sheetId]);
    return rows.map(versionOf);
  }

  async removeVersion(sheetId: string, versionId: string): Promise<boolean> {
    return ((await this.pool.query("DELETE FROM versions WHERE id = $1 AND sheet_id = $2", [versionId, sheetId])).rowCount ?? 0) > 0;
  }

  async access(sheetId: string, secretHash: string | null): Promise<SheetAccess | null> {
    // One statement, so the plain address and the link are read at the same instant.
    const { rows } = await this.pool.query<{ plain_address: boolean } & { [K in keyof LinkRow]: LinkRow[K] | null }>(
      `SELECT s.plain_address, l.id, l.sheet_id, l.secret_hash, l.role, l.label, l.created_at, l.expires_at, l.last_used_at
       FROM sheets s LEFT JOIN links l ON l.secret_hash = $1 AND l.sheet_id = s.id WHERE s.id = $2`,
      [secretHash, sheetId],
    );
    const row = rows[0];
    if (!row) return null;
    return { plainAddress: row.plain_address, link: row.id === null ? null : linkOf(row as LinkRow) };
  }

  async listLinks(sheetId: string): Promise<StoredLink[]> {
    return this.read(async (client) => {
      if ((await client.query(SELECT_SHEET, [sheetId])).rowCount === 0) throw new UnknownSheetError(sheetId);
      return (await client.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM links WHERE sheet_id = $1 ORDER BY created_at, n`, [sheetId])).rows.map(linkOf);
    });
  }

  async addLink(link: StoredLink): Promise<void> {
    try {
      await this.pool.query(INSERT_LINK, linkParams(link));
    } catch (err) {
      if (codeOf(err) === "23503") throw new UnknownSheetError(link.sheetId);
      throw err;
    }
  }

  async removeLink(sheetId: string, linkId: string): Promise<boolean> {
    return ((await this.pool.query("DELETE FROM links WHERE id = $1 AND sheet_id = $2", [linkId, sheetId])).rowCount ?? 0) > 0;
  }

  touchLink(sheetId: string, linkId: string, at: number): Promise<void> {
    return this.touches.touch(sheetId, linkId, at);
  }

  async setPlainAddress(sheetId: string, enabled: boolean): Promise<void> {
    const { rowCount } = await this.pool.query("UPDATE sheets SET plain_address = $1 WHERE id = $2", [enabled, sheetId]);
    if (rowCount === 0) throw new UnknownSheetError(sheetId);
  }

  /** Writes what waits and disconnects; closing again answers the same. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.relockTimer) clearTimeout(this.relockTimer);
      await this.commits.drain();
      await this.touches.flush();
      await this.holder?.end().catch(() => {});
      this.holder = null;
      await this.pool.end();
    })();
    return this.closing;
  }
}

/** Runs `work` in one transaction on one connection of `pool`, committed if it resolves. */
async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, mode = ""): Promise<T> {
  const client = await pool.connect();
  // A connection that breaks while checked out reports it here (the pool listens only while it is
  // idle), and its queries fail: the transaction rejects, nothing is left unhandled.
  let broken: Error | null = null;
  const onError = (err: Error) => (broken = err);
  client.on("error", onError);
  try {
    await client.query(`BEGIN ${mode}`);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    if (!broken) await client.query("ROLLBACK").catch((failed: Error) => (broken = failed));
    throw err;
  } finally {
    client.off("error", onError);
    // A broken connection is closed rather than given back to the pool.
    client.release(broken ?? undefined);
  }
}

/** Brings the database's schema up to date (see MIGRATIONS); refuses one a newer release wrote. */
async function migrate(pool: pg.Pool): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS cosheet_schema (version integer NOT NULL)");
    const row = (await client.query<{ version: number }>("SELECT version FROM cosheet_schema")).rows[0];
    let version = row?.version ?? 0;
    if (!row) await client.query("INSERT INTO cosheet_schema (version) VALUES (0)");
    if (version > MIGRATIONS.length) {
      throw new Error(
        `the database was written by a newer release of Cosheet (schema version ${version}; this release knows up to ` +
          `${MIGRATIONS.length}): run that release or a later one`,
      );
    }
    for (; version < MIGRATIONS.length; version++) await client.query(MIGRATIONS[version]!);
    await client.query("UPDATE cosheet_schema SET version = $1", [version]);
  });
}
