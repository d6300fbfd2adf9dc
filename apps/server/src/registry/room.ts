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
import type { Heard, Relay } from "../relay/relay.js";
import type { SheetHead, Storage, StoredSheet, UpdateMeta } from "../storage/storage.js";
import { packState } from "../storage/state.js";
import { isOrigin, LOCAL_ORIGIN, STORED_ORIGIN, type Origin } from "./origin.js";
import { claimClientIds, DEFAULT_NAME, readPresenceUpdate, writePresenceUpdate } from "./presence.js";

/** How long a request waits for its sheet to hold what other nodes stored before it gives up. */
const CATCH_UP_WAIT_MS = 5_000;
/**
 * How long a node waits before it adds a row (or column) back to a tab that other nodes' updates
 * left empty: the node that stored the last of them adds it after this, the others after eight
 * times as long if it is still empty.
 */
const EMPTY_TAB_WAIT_MS = 300;
/**
 * How long a presence client id stays another node's without a renewal (clients renew every
 * 15 s): after that (its node died, say), a socket here may take it, as its person reconnects here.
 */
const REMOTE_PRESENCE_MS = 20_000;

export interface RoomHooks {
  /** Sends an update to everyone in the sheet but `except` (a socket id). */
  broadcastUpdate(sheetId: string, update: Uint8Array, except: string | null): void;
  broadcastAwareness(sheetId: string, update: Uint8Array, except: string | null): void;
  /** Sends a direct chat message to one socket. */
  sendDirect(socketId: string, message: DirectMessage): void;
  /** Another node says a link (or the plain address, for null) of the sheet no longer gives access. */
  accessClosed(sheetId: string, linkId: string | null): void;
  /**
   * A look at the sheet's head, asked at `asOf` (performance.now()), says what gives access to
   * it: whatever else gave access before then no longer does.
   */
  accessLive(sheetId: string, live: Pick<SheetHead, "plainAddress" | "links">, asOf: number): void;
}

/** A direct chat message as its recipient gets it. */
export interface DirectMessage {
  sheetId: string;
  /** The sender's presence client id. */
  from: number;
  text: string;
  at: number;
}

/** What a node counts of its reads of updates that other nodes stored (for `/metrics`). */
export interface CatchUpCounts {
  /** Reads of the log for updates this node had not heard of, or heard of without their bytes. */
  reads: number;
  /** Updates those reads applied. */
  updates: number;
}

export interface RoomOptions {
  storage: Storage;
  logger: Logger;
  hooks: RoomHooks;
  /** Write a checkpoint of the sheet (so it loads fast) after this many appends. */
  checkpointEvery: number;
  /** The other nodes serving the same sheets, if any. */
  relay: Relay | null;
  catchUps: CatchUpCounts;
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

/** Largest update a message to other nodes carries; they read a larger one from the log. */
const RELAYED_UPDATE_BYTES = 64 * 1024;

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
   * Every update stored through this seq is in the document: made here, or stored by another node
   * and read here. Updates stored later that it also holds (this node's own, stored after another
   * node's that it has not read yet) are in `heldAhead`.
   */
  private heldThrough: number;
  private readonly heldAhead = new Set<number>();
  /** The last seq the log is known to have: past `heldThrough`, the room reads the log to it. */
  private head: number;
  private catchingUp = false;
  private catchUpTimer: NodeJS.Timeout | null = null;
  /** Who waits for the document to hold which seq. */
  private heldWaiters: { seq: number; resolve: () => void }[] = [];
  private emptyTabTimer: NodeJS.Timeout | null = null;
  /**
   * Awareness client ids each socket introduced: it alone speaks for them until it leaves, and
   * then they are removed.
   */
  private readonly presence = new Map<string, Set<number>>();
  /** Awareness client ids that sockets on other nodes speak for, with their node. */
  private readonly remotePresence = new Map<number, string>();
  /** When the room was opened (performance.now()): a grant looked up before it may predate a revoke it did not hear. */
  readonly openedAt = performance.now();
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
    this.heldThrough = this.head = stored.lastSeq;
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
    for (const sheet of this.emptyTabs()) {
      if (sheet.rowCount === 0) sheet.insertRows(0, 1, LOCAL_ORIGIN);
      if (sheet.colCount === 0) sheet.insertCols(0, 1, LOCAL_ORIGIN);
    }
  }

  /** The tabs left without a row or without a column. */
  private emptyTabs(): Sheet[] {
    return Workbook.of(this.doc)
      .list()
      .map(({ id }) => Sheet.of(this.doc, id))
      .filter((sheet) => sheet.rowCount === 0 || sheet.colCount === 0);
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
    return Math.max(this.lastStoredSeq, this.heldThrough);
  }

  /**
   * Resolves once the document holds everything stored so far, by any node (see
   * SheetRegistry.use). Throws UNAVAILABLE if it cannot read the log for a while.
   */
  async caughtUp(): Promise<void> {
    if (!this.options.relay) return;
    let timer: NodeJS.Timeout | undefined;
    const unavailable = () => new ProtocolError(ErrorCode.Unavailable, "this server cannot read the sheet's latest changes yet; try again");
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable()), CATCH_UP_WAIT_MS);
    });
    const look = async () => {
      const asOf = performance.now();
      const head = (await this.options.storage.heads([this.id])).get(this.id);
      if (!head) return;
      this.lookedAt(head, asOf);
      await this.whenHeld(head.lastSeq);
    };
    try {
      await Promise.race([look().catch((err: unknown) => Promise.reject(err instanceof ProtocolError ? err : unavailable())), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once the document holds every stored update through `seq`. */
  private whenHeld(seq: number): Promise<void> {
    if (this.heldThrough >= seq || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push({ seq, resolve }));
  }

  /**
   * Takes in a look at the sheet's head: reads what the document lacks, and drops the sockets of
   * links gone (or of the plain address, switched off), in case the message that said so was lost.
   */
  lookedAt(head: SheetHead, asOf: number): void {
    this.heard(head.lastSeq);
    this.options.hooks.accessLive(this.id, { plainAddress: head.plainAddress, links: head.links }, asOf);
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
      (clientId) => clientId === this.awareness.clientID || this.socketOf(clientId) !== null || this.remoteOwner(clientId) !== undefined,
    );
    for (const clientId of claimed) {
      owned.add(clientId);
      this.remotePresence.delete(clientId);
    }
    this.presence.set(socketId, owned);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, writePresenceUpdate(entries), { socketId });
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

  /**
   * Sends a direct chat message to the person with presence client id `to`, here or on another
   * node; false if nobody in the sheet has that id.
   */
  direct(to: number, from: number, text: string): boolean {
    const at = Date.now();
    const socketId = this.socketOf(to);
    if (socketId !== null) {
      this.options.hooks.sendDirect(socketId, { sheetId: this.id, from, text, at });
      return true;
    }
    if (!this.options.relay || !this.remotePresence.has(to)) return false;
    this.options.relay.publish(this.id, { type: "direct", to, from, text, at });
    return true;
  }

  /** Acts on a message from another node about this sheet. */
  hear({ node, message }: Heard): void {
    if (this.destroyed) return;
    switch (message.type) {
      case "update":
        if (message.seq === this.heldThrough + 1 && message.update !== null) {
          this.applyStored([message.update]);
          this.hold(message.seq);
        } else {
          this.heard(message.seq);
        }
        break;
      case "awareness":
        this.applyRemotePresence(message.update, node);
        break;
      case "presence?": {
        const mine = [...this.presence.values()].flatMap((ids) => [...ids]).filter((id) => this.awareness.getStates().has(id));
        if (mine.length > 0) {
          this.options.relay?.publish(this.id, { type: "awareness", update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, mine) });
        }
        break;
      }
      case "direct": {
        const socketId = this.socketOf(message.to);
        if (socketId !== null) this.options.hooks.sendDirect(socketId, { sheetId: this.id, from: message.from, text: message.text, at: message.at });
        break;
      }
      case "closed":
        this.options.hooks.accessClosed(this.id, message.linkId);
        break;
    }
  }

  /** The node whose socket speaks for a presence client id, while its renewals keep coming. */
  private remoteOwner(clientId: number): string | undefined {
    const owner = this.remotePresence.get(clientId);
    const renewed = this.awareness.meta.get(clientId)?.lastUpdated ?? 0;
    return owner !== undefined && Date.now() - renewed < REMOTE_PRESENCE_MS ? owner : undefined;
  }

  /** Asks the other nodes that serve the sheet for their sockets' presence (the room just opened). */
  askPresence(): void {
    this.options.relay?.publish(this.id, { type: "presence?" });
  }

  /**
   * Notes that the log holds updates through `seq` (a message or a look at the log said so); the
   * room reads what its document lacks.
   */
  heard(seq: number): void {
    if (seq > this.head) this.head = seq;
    // While this node's own write is in flight, what is missing may be that write: it is looked
    // at again once the write is done.
    if (this.head > this.heldThrough && !this.inflight) void this.catchUp();
  }

  /** Notes that the document holds the update stored at `seq`. */
  private hold(seq: number): void {
    if (seq > this.heldThrough) {
      this.heldAhead.add(seq);
      while (this.heldAhead.delete(this.heldThrough + 1)) this.heldThrough++;
      const held = this.heldWaiters.filter((w) => w.seq <= this.heldThrough);
      this.heldWaiters = this.heldWaiters.filter((w) => w.seq > this.heldThrough);
      for (const w of held) w.resolve();
    }
    this.heard(seq);
  }

  /**
   * Updates that other nodes stored, applied here in order: relayed to this node's sockets, not
   * stored again.
   */
  private applyStored(updates: readonly Uint8Array[]): void {
    const doc = this.doc;
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update, STORED_ORIGIN);
    }, STORED_ORIGIN);
    if (this.emptyTabs().length > 0) this.mendEmptyTab(EMPTY_TAB_WAIT_MS);
  }

  /**
   * Other nodes' updates left a tab without rows or columns (deletes that met across nodes): one
   * is added back, as for deletes that meet on one node, by one node if it can be helped. A node
   * looks once it holds all that is stored; the one whose own append is the last adds it at
   * once, the others wait for it (the node that met the deletes itself may be adding it too).
   */
  private mendEmptyTab(delayMs: number): void {
    if (this.emptyTabTimer || this.destroyed) return;
    this.emptyTabTimer = setTimeout(() => {
      this.emptyTabTimer = null;
      if (this.destroyed || this.emptyTabs().length === 0) return;
      const caughtUp = this.heldThrough >= this.head && !this.catchingUp;
      const last = this.lastStoredSeq === this.heldThrough;
      if (caughtUp && (last || delayMs > EMPTY_TAB_WAIT_MS)) this.keepOneRowAndColumn();
      else this.mendEmptyTab(EMPTY_TAB_WAIT_MS * 8);
    }, delayMs);
    this.emptyTabTimer.unref();
  }

  /**
   * Presence from another node's sockets. An entry for a client id that a socket here, this room
   * itself, or a socket on a third node speaks for is dropped: a socket speaks only for what it
   * introduced, wherever it is, and the first claim a node heard of stands there.
   */
  private applyRemotePresence(update: Uint8Array, node: string): void {
    let entries;
    try {
      entries = readPresenceUpdate(update, Infinity);
    } catch (err) {
      this.log.warn({ err, node }, "dropped a presence update from another node that is not one");
      return;
    }
    const kept = entries.filter(({ clientId }) => {
      if (clientId === this.awareness.clientID || this.socketOf(clientId) !== null) return false;
      const owner = this.remoteOwner(clientId);
      return owner === undefined || owner === node;
    });
    if (kept.length > 0) awarenessProtocol.applyAwarenessUpdate(this.awareness, writePresenceUpdate(kept), { node });
  }

  /**
   * Reads from the log what the document lacks, through the head, in order; one read at a time.
   * A failed read is tried again after a while. If the log no longer has the updates after what
   * the document holds (pruned), the sheet's whole stored state is merged in instead.
   */
  private async catchUp(): Promise<void> {
    if (this.catchingUp || this.destroyed) return;
    this.catchingUp = true;
    const { storage, catchUps } = this.options;
    try {
      while (this.heldThrough < this.head && !this.destroyed) {
        const from = this.heldThrough;
        const rows = await storage.log(this.id, from, this.head);
        if (this.destroyed) return;
        catchUps.reads++;
        if (rows[0]?.seq !== from + 1) {
          const stored = await storage.load(this.id);
          if (!stored || this.destroyed) return;
          this.applyStored(stored.updates);
          catchUps.updates += stored.updates.length;
          for (let seq = this.heldThrough + 1; seq <= stored.lastSeq; seq++) this.hold(seq);
          continue;
        }
        // What arrived meanwhile (a message, this node's own append) is not applied twice.
        const missing = rows.filter((row) => row.seq > this.heldThrough && !this.heldAhead.has(row.seq));
        this.applyStored(missing.map((row) => row.data));
        catchUps.updates += missing.length;
        for (const row of rows) this.hold(row.seq);
      }
    } catch (err) {
      if (this.destroyed) return;
      this.log.warn({ err }, "reading updates stored by another node failed; will try again");
      this.catchUpTimer ??= setTimeout(() => {
        this.catchUpTimer = null;
        void this.catchUp();
      }, RETRY_MAX_MS);
      this.catchUpTimer.unref();
    } finally {
      this.catchingUp = false;
    }
  }

  /** Forgets the presence a socket spoke for (it left or disconnected); others are told. */
  dropPresence(socketId: string): void {
    const ids = this.presence.get(socketId);
    this.presence.delete(socketId);
    if (ids && ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], { socketId });
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    if (this.emptyTabTimer) clearTimeout(this.emptyTabTimer);
    for (const w of this.heldWaiters.splice(0)) w.resolve();
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
    if (this.outgoing.length === 0) setImmediate(this.flushOutgoing);
    this.outgoing.push({ update, origin: from });
    if (from.kind === "stored") return;
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
    // From a socket here, another node (its sockets), or the awareness' own timeout.
    const socketId = isFrom<"socketId">(origin, "socketId") ? origin.socketId : null;
    const changed = [...added, ...updated, ...removed];
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    this.options.hooks.broadcastAwareness(this.id, update, socketId);
    if (socketId !== null) {
      // A socket's own presence (each node times out the rest by itself).
      this.options.relay?.publish(this.id, { type: "awareness", update });
    } else if (isFrom<"node">(origin, "node")) {
      for (const clientId of [...added, ...updated]) if (this.socketOf(clientId) === null) this.remotePresence.set(clientId, origin.node);
    }
    for (const clientId of removed) this.remotePresence.delete(clientId);
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
        this.options.relay?.publish(this.id, { type: "update", seq: storageSeq, update: update.byteLength <= RELAYED_UPDATE_BYTES ? update : null });
        this.hold(storageSeq);
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
        this.heard(this.head);
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

/** Whether a presence change's origin names a socket here (`socketId`) or another node (`node`). */
function isFrom<K extends "socketId" | "node">(origin: unknown, key: K): origin is Record<K, string> {
  return typeof origin === "object" && origin !== null && typeof (origin as Record<string, unknown>)[key] === "string";
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
