import type { Logger } from "pino";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import {
  CONTENT_LIMITS,
  DISCUSSION_TYPES,
  FIRST_TAB,
  Sheet,
  validateUpdate,
  Workbook,
  type CommentRequest,
  type ValidateOptions,
} from "@cosheet/sheet";
import { ErrorCode, ProtocolError, stateInParts } from "@cosheet/protocol";
import type { Storage, StoredSheet, UpdateMeta } from "../storage/storage.js";
import { packState } from "../storage/state.js";
import { isOrigin, LOCAL_ORIGIN, type Origin } from "./origin.js";
import { claimClientIds, DEFAULT_NAME, readPresenceUpdate, writePresenceUpdate } from "./presence.js";

export interface RoomHooks {
  /** Sends an update to everyone in the sheet but `except` (a socket id). */
  broadcastUpdate(sheetId: string, update: Uint8Array, except: string | null): void;
  broadcastAwareness(sheetId: string, update: Uint8Array, except: string | null): void;
}

export interface RoomOptions {
  storage: Storage;
  logger: Logger;
  hooks: RoomHooks;
  /** Write a checkpoint of the sheet (so it loads fast) after this many appends. */
  checkpointEvery: number;
}

/** Who made a change, as its stored meta says; changes are stored in runs of one author. */
type Author = Pick<UpdateMeta, "author" | "linkId" | "via">;

function sameAuthor(a: Author, b: Author): boolean {
  return a.author === b.author && a.linkId === b.linkId && a.via === b.via;
}

/** A change not yet stored. */
interface Unsaved {
  update: Uint8Array;
  seq: number;
  by: Author;
  /** The cells it set or cleared (keys). */
  cells: ReadonlySet<string | null>;
  /** True when it changed only the discussion (chat, comments), not the sheet. */
  discussion: boolean;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * Most bytes merged into one broadcast or one stored write. Merging is what makes a busy sheet
 * cheap to relay, but its cost grows with the bytes: past this, updates go out and are stored in
 * several pieces, so a burst of large pastes never blocks the event loop on one huge merge.
 */
const MERGE_BYTES = 1024 * 1024;

/** Splits updates, in order, into runs of at most MERGE_BYTES (a larger update runs alone). */
function mergeRuns<T>(items: readonly T[], bytes: (item: T) => number): T[][] {
  const runs: T[][] = [];
  let size = Infinity;
  for (const item of items) {
    const n = bytes(item);
    if (size + n > MERGE_BYTES) {
      runs.push([]);
      size = 0;
    }
    runs[runs.length - 1]!.push(item);
    size += n;
  }
  return runs;
}

function merged(updates: Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
}

/**
 * One open sheet: its document, its presence, who holds it, and its writes to storage.
 *
 * Every change to the document, whatever its origin, is appended to storage by a write loop that
 * merges what accumulated while the previous write ran (one write in flight per sheet). A failed
 * write keeps the changes in memory and retries with backoff; acknowledgements wait for it.
 * Broadcasts are batched the same way: all updates of one event-loop turn go out as one merged
 * message.
 */
export class Room {
  readonly awareness: awarenessProtocol.Awareness;
  /** Sockets and requests using this room; it is unloaded only when none is left. */
  readonly holders = new Set<string>();
  updatedAt: number;

  private readonly log: Logger;
  private readonly ydoc = new Y.Doc();
  private ysheet: Sheet | null = null;
  /**
   * The stored updates until the document is built from them. Until then they are exactly the
   * sheet's state, so a first sync can be answered from them while the document is built after
   * (see {@link takeStoredState}): the server and the client integrate at the same time.
   */
  private stored: Uint8Array[] | null;
  /** Changes not yet stored, numbered in the order they were made. */
  private unsaved: Unsaved[] = [];
  private lastSeq = 0;
  /** Every change up to this number is durably stored. */
  private savedSeq = 0;
  /** Who waits for which change to be stored. */
  private waiters: { seq: number; resolve: () => void }[] = [];
  private inflight = false;
  private writeScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_MIN_MS;
  /** The storage's sequence number of the last update stored from here (0 before any). */
  private lastStoredSeq = 0;
  private appendsSinceCheckpoint = 0;
  private checkpointing = false;
  private outgoing: { update: Uint8Array; origin: Origin }[] = [];
  /**
   * Awareness client ids each socket introduced: it alone speaks for them until it leaves, and
   * then they are removed.
   */
  private readonly presence = new Map<string, Set<number>>();
  /** The document's discussion types (chat, comments), to tell changes to them alone apart. */
  private discussion: ReadonlySet<unknown> | null = null;
  private destroyed = false;

  constructor(
    readonly id: string,
    stored: StoredSheet,
    private readonly options: RoomOptions,
  ) {
    this.log = options.logger.child({ sheetId: id });
    this.updatedAt = stored.updatedAt;
    this.stored = stored.updates;
    this.awareness = new awarenessProtocol.Awareness(this.ydoc);
    this.awareness.setLocalState(null);
    this.awareness.on("update", this.onAwareness);
    this.lastStoredSeq = stored.lastSeq;
    if (stored.logged > options.checkpointEvery / 4) this.appendsSinceCheckpoint = options.checkpointEvery;
    this.maybeCheckpoint();
  }

  /** The sheet's document, built from the stored updates on first use. */
  get doc(): Y.Doc {
    if (this.stored) this.build(this.stored);
    return this.ydoc;
  }

  get sheet(): Sheet {
    this.ysheet ??= Sheet.of(this.doc);
    return this.ysheet;
  }

  /**
   * The stored updates, if the document has not been built yet (null once it has); the document
   * is then built in the next turn. Whoever takes them holds the sheet's complete state.
   */
  takeStoredState(): Uint8Array[] | null {
    if (!this.stored) return null;
    setImmediate(() => void this.doc);
    return this.stored;
  }

  /** The stored updates, if the document has not been built yet, without building it next. */
  get storedState(): readonly Uint8Array[] | null {
    return this.stored;
  }

  private build(updates: Uint8Array[]): void {
    this.stored = null;
    const started = performance.now();
    // Loading replays what is stored; nothing is created or "seeded" here.
    this.ydoc.transact(() => {
      for (const update of updates) Y.applyUpdate(this.ydoc, update, LOCAL_ORIGIN);
    }, LOCAL_ORIGIN);
    this.ydoc.on("update", this.onUpdate);
    this.log.debug({ updates: updates.length, ms: Math.round(performance.now() - started) }, "document built");
  }

  /**
   * Applies an update after checking it against the document; resolves once it is durably stored.
   * Throws `UpdateError` with nothing applied for malformed bytes, content a sheet may not hold,
   * an update that depends on changes this sheet does not have (it would stay pending), or one
   * that changes a shared type outside `options.writable` (what the sender's role may write).
   */
  apply(update: Uint8Array, origin: Origin, options: ValidateOptions = {}): Promise<void> {
    const doc = this.doc;
    Y.applyUpdate(doc, validateUpdate(doc, update, options), origin);
    if (doc.store.pendingStructs || doc.store.pendingDs) {
      // The validator refuses whatever Yjs would set aside; should they ever disagree, keep
      // nothing half-applied around (and say so: it is a bug to fix in the validator).
      doc.store.pendingStructs = null;
      doc.store.pendingDs = null;
      this.log.error({ origin }, "an accepted update left pending changes; dropped them");
    }
    this.keepOneRowAndColumn();
    return this.saved();
  }

  /**
   * Every tab keeps at least one row and one column. Each person's delete leaves one, but two
   * people deleting the rest at once can leave none: the server then adds one back, for everyone.
   */
  private keepOneRowAndColumn(): void {
    for (const { id } of Workbook.of(this.doc).list()) {
      const sheet = Sheet.of(this.doc, id);
      if (sheet.rowCount === 0) sheet.insertRows(0, 1, LOCAL_ORIGIN);
      if (sheet.colCount === 0) sheet.insertCols(0, 1, LOCAL_ORIGIN);
    }
  }

  /** Runs `fn` as one transaction on the document; resolves once its changes are durable. */
  transact(fn: () => void, origin: Origin): Promise<void> {
    this.doc.transact(fn, origin);
    return this.saved();
  }

  /**
   * The tab a request names, by id or by name as shown (case-insensitive); none: the first tab
   * shown. Throws UNKNOWN_TAB for a name or id of no tab shown.
   */
  tab(idOrName?: string): Sheet {
    const book = Workbook.of(this.doc);
    const tab = idOrName === undefined ? book.list()[0] : book.find(idOrName);
    if (!tab) throw new ProtocolError(ErrorCode.UnknownTab, `this sheet has no tab “${idOrName!.slice(0, 40)}”`);
    return Sheet.of(this.doc, tab.id);
  }

  /**
   * Writes a comment event for a socket, stamped with the name it shows, its person id and the
   * time; resolves once stored. Throws `CommentError` (nothing written) for an event that cannot
   * apply; the same event sent again is not written twice. A `moderator` deletes any comment.
   */
  comment(
    request: CommentRequest,
    by: { socketId: string; linkId: string | null; person: string; moderator: boolean },
  ): Promise<void> {
    const origin: Origin = { kind: "comment", socketId: by.socketId, linkId: by.linkId };
    const author = this.nameOf(by.socketId) || DEFAULT_NAME;
    // A new thread goes on the tab it names (a tab shown); the rest act on threads, wherever they are.
    const sheet = request.action === "open" ? this.tab(request.tab ?? FIRST_TAB) : this.sheet;
    sheet.comments.append(request, { author, person: by.person, at: Date.now() }, origin, { moderator: by.moderator });
    return this.saved();
  }

  /**
   * The storage's sequence number of the state as it is once everything made so far is stored:
   * what a version named now points at.
   */
  async storedSeq(): Promise<number> {
    await this.saved();
    return this.lastStoredSeq;
  }

  /** Resolves once every change made so far is durably stored. */
  saved(): Promise<void> {
    if (this.savedSeq >= this.lastSeq) return Promise.resolve();
    const seq = this.lastSeq;
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** True when nothing is waiting to be stored. */
  get clean(): boolean {
    return this.unsaved.length === 0 && !this.inflight;
  }

  /**
   * Applies a presence update from a socket, clamped to safe forms, and relays it to the others.
   * Throws (nothing applied) if it speaks for anyone the socket did not introduce, the server's
   * own id included; see `presence.ts` for the rules.
   */
  applyAwareness(update: Uint8Array, socketId: string): void {
    const entries = readPresenceUpdate(update);
    const owned = this.presence.get(socketId) ?? new Set<number>();
    const claimed = claimClientIds(
      entries,
      owned,
      (clientId) => clientId === this.awareness.clientID || this.socketOf(clientId) !== null,
    );
    for (const clientId of claimed) owned.add(clientId);
    this.presence.set(socketId, owned);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, writePresenceUpdate(entries), socketId);
  }

  /** Presence of everyone in the room, for a joining client. */
  encodeAwareness(): Uint8Array {
    return awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]);
  }

  /** The socket that speaks for a presence client id in this room, if any. */
  socketOf(clientId: number): string | null {
    for (const [socketId, ids] of this.presence) if (ids.has(clientId)) return socketId;
    return null;
  }

  /** The presence client id a socket speaks for in this room, if it shared any. */
  clientOf(socketId: string): number | null {
    const ids = this.presence.get(socketId);
    return ids && ids.size > 0 ? [...ids][0]! : null;
  }

  /** Forgets the presence a socket spoke for (it left or disconnected); others are told. */
  dropPresence(socketId: string): void {
    const ids = this.presence.get(socketId);
    this.presence.delete(socketId);
    if (ids && ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], socketId);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.awareness.destroy();
    this.ydoc.destroy();
  }

  /** The name a socket shows in presence now (`""` before it shares one). */
  private nameOf(socketId: string): string {
    const clientId = this.clientOf(socketId);
    const user = clientId === null ? undefined : (this.awareness.getStates().get(clientId)?.user as { name?: unknown } | undefined);
    return typeof user?.name === "string" ? user.name.slice(0, CONTENT_LIMITS.name) : "";
  }

  /** Who made a change from `origin`: for a socket, the name it shows in presence now. */
  private authorOf(origin: Origin): Author {
    switch (origin.kind) {
      case "socket":
      case "comment":
        return { author: this.nameOf(origin.socketId), linkId: origin.linkId, via: "socket" };
      case "http":
        return { author: "", linkId: origin.linkId, via: "http" };
      case "restore":
        return { author: origin.author, linkId: origin.linkId, via: "restore" };
      default:
        return { author: "", linkId: null, via: "server" };
    }
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    const from = isOrigin(origin) ? origin : LOCAL_ORIGIN;
    // Relay before storing: the broadcast is queued ahead of the write, so others never wait for
    // an fsync (the sender's ack still does).
    if (from.kind !== "peer") {
      if (this.outgoing.length === 0) setImmediate(this.flushOutgoing);
      this.outgoing.push({ update, origin: from });
    }
    const changed = transaction.changed as Map<unknown, Set<string | null>>;
    this.discussion ??= new Set(DISCUSSION_TYPES.map((name) => this.sheet.types[name]));
    this.unsaved.push({
      update,
      seq: ++this.lastSeq,
      by: this.authorOf(from),
      cells: changedCells(changed),
      discussion: [...changed.keys()].every((type) => this.discussion!.has(type)),
    });
    this.scheduleWrite();
  };

  private readonly flushOutgoing = (): void => {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length === 0 || this.destroyed) return;
    for (const run of mergeRuns(batch, (b) => b.update.byteLength)) {
      const first = run[0]!.origin;
      const single =
        first.kind === "socket" && run.every((b) => b.origin.kind === "socket" && b.origin.socketId === first.socketId);
      this.options.hooks.broadcastUpdate(this.id, merged(run.map((b) => b.update)), single ? first.socketId : null);
    }
  };

  private readonly onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const socketId = typeof origin === "string" ? origin : null;
    const changed = [...added, ...updated, ...removed];
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    this.options.hooks.broadcastAwareness(this.id, update, socketId);
  };

  private scheduleWrite(): void {
    if (this.writeScheduled || this.inflight || this.retryTimer) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.write();
    });
  }

  /**
   * Stores what accumulated, merged: the oldest changes of one author (their meta is stored with
   * them), up to MERGE_BYTES.
   */
  private write(): void {
    if (this.inflight || this.unsaved.length === 0) return;
    const first = this.unsaved[0]!;
    const sameRun = this.unsaved.findIndex((u) => !sameAuthor(u.by, first.by) || u.discussion !== first.discussion);
    const batch = mergeRuns(sameRun < 0 ? this.unsaved : this.unsaved.slice(0, sameRun), (u) => u.update.byteLength)[0]!;
    this.unsaved = this.unsaved.slice(batch.length);
    this.inflight = true;
    const update = merged(batch.map((u) => u.update));
    const cells = new Set(batch.flatMap((u) => [...u.cells]));
    const meta: UpdateMeta = { ...first.by, at: Date.now(), cells: cells.size, discussion: first.discussion };
    this.options.storage.append(this.id, update, meta).then(
      (storageSeq) => {
        this.inflight = false;
        this.retryDelay = RETRY_MIN_MS;
        this.updatedAt = meta.at;
        this.appendsSinceCheckpoint++;
        this.lastStoredSeq = storageSeq;
        this.savedSeq = batch[batch.length - 1]!.seq;
        const done = this.waiters.filter((w) => w.seq <= this.savedSeq);
        this.waiters = this.waiters.filter((w) => w.seq > this.savedSeq);
        for (const w of done) w.resolve();
        if (this.unsaved.length > 0) this.scheduleWrite();
        this.maybeCheckpoint();
      },
      (err: unknown) => {
        // Keep the changes, in order, ahead of anything newer; acks keep waiting.
        this.inflight = false;
        this.unsaved = [...batch, ...this.unsaved];
        this.log.error({ err, retryInMs: this.retryDelay }, "storing an update failed; keeping it in memory");
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.write();
        }, this.retryDelay);
        this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
      },
    );
  }

  /**
   * Writes a checkpoint in the background, from what storage holds (not from memory), so it stays
   * correct when several servers append to the same sheet.
   */
  private maybeCheckpoint(): void {
    if (this.checkpointing || this.appendsSinceCheckpoint < this.options.checkpointEvery) return;
    this.checkpointing = true;
    this.appendsSinceCheckpoint = 0;
    void checkpointSheet(this.options.storage, this.id)
      .catch((err: unknown) => this.log.warn({ err }, "writing a checkpoint failed; will try again"))
      .finally(() => {
        this.checkpointing = false;
      });
  }
}

/** The cells a transaction set or cleared, in every tab (as `<type>:<key>`). */
function changedCells(changed: Map<unknown, Set<string | null>>): Set<string> {
  const cells = new Set<string>();
  for (const [type, keys] of changed) {
    const root = type as Y.AbstractType<unknown>;
    if (root._item !== null || !(root instanceof Y.Map)) continue;
    const name = Y.findRootTypeKey(root);
    if (name !== "cells" && !name.endsWith("/cells")) continue;
    for (const key of keys) if (key !== null) cells.add(`${name}:${key}`);
  }
  return cells;
}

/**
 * Writes the sheet's state as stored as its checkpoint, so it loads from there: in parts (see
 * stateInParts), which a first sync sends one by one, so a large sheet shows as it arrives.
 */
export async function checkpointSheet(storage: Storage, id: string): Promise<void> {
  const stored = await storage.load(id);
  if (!stored || stored.logged === 0 || stored.updates.length < 2) return;
  await storage.checkpoint(id, packState(statePartsOf(stored.updates)), stored.lastSeq);
}

/** The state that replaying `updates` in order gives, in parts (one for a small sheet). */
export function statePartsOf(updates: readonly Uint8Array[]): Uint8Array[] {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  let parts = [...stateInParts(doc)];
  // One part and the delete set: a single update holds both.
  if (parts.length <= 2) parts = [Y.encodeStateAsUpdate(doc)];
  doc.destroy();
  return parts;
}
