import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as random from "lib0/random";
import { ObservableV2 } from "lib0/observable";
import type { Socket } from "socket.io-client";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { CommentRequest } from "@cosheet/sheet";
import { ErrorCode, type Ack, type ErrorBody } from "./errors.js";
import type { ClientToServerEvents, PartPayload, ServerToClientEvents, SheetClosed } from "./events.js";
import { roleAtLeast, type Role } from "./roles.js";
import type { PartCompression } from "./schemas.js";
import { PROTOCOL_VERSION } from "./version.js";

export type SheetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * - `connecting`: the first connection and sync are under way (nothing confirmed yet);
 * - `synced`: both sides hold the same state; local changes are sent as they happen;
 * - `retrying`: was synced, but the server refused an event for now (rate limit) or a request
 *   failed; local changes are kept and sent by the sync that follows a short wait;
 * - `offline`: the connection is lost; local changes are kept and sent on reconnect.
 */
export type SyncStatus = "connecting" | "synced" | "retrying" | "offline";

export interface SheetProviderOptions {
  /** A Socket.IO socket; one socket can carry several providers (one per sheet). */
  socket: SheetSocket;
  sheetId: string;
  doc: Y.Doc;
  /** Presence to share; created for `doc` when omitted. */
  awareness?: awarenessProtocol.Awareness;
  /** The secret of the link to join with; none for a sheet's plain address. */
  secret?: string;
  /** This browser's person key (see `personId`): comments posted here can be edited later by it. */
  person?: string;
  /**
   * How long to wait for an acknowledgement before resyncing. A lost ack costs one resync, which
   * sends everything the server lacks, so a short value is safe. Default 15 s.
   */
  ackTimeoutMs?: number;
  /**
   * Called once joined, before the sync's step 1, which waits for what it returns (a local copy
   * of the document still loading): the step 1 then says what the copy holds, and the server sends
   * only the rest.
   */
  beforeSync?: () => Promise<unknown> | undefined;
}

export interface SheetProviderEvents {
  status: (status: SyncStatus) => void;
  /** The number of local changes not yet acknowledged as durably stored. */
  unsynced: (count: number) => void;
  /** An error the provider cannot retry away (unknown sheet, old protocol, refused update). */
  error: (error: ErrorBody) => void;
  /** The role the server gave on joining (each join: it is the same unless the link changed). */
  role: (role: Role) => void;
  /**
   * Local changes that will never be sent, because the role joined with may not make them:
   * whatever was in the document before a view or comment join (such as a copy kept from an
   * earlier visit with an edit link), or a change the server refused as FORBIDDEN.
   */
  discarded: (count: number) => void;
  /** Whether the sheet's state is still arriving into a document that held none of it (see `loading`). */
  loading: (loading: boolean) => void;
}

/** Errors after which retrying cannot help. */
const PERMANENT: ReadonlySet<string> = new Set([
  ErrorCode.NotFound,
  ErrorCode.InvalidSheetId,
  ErrorCode.UnsupportedProtocol,
  ErrorCode.BadRequest,
  // The change holds what no sheet may: sending it again would be refused again.
  ErrorCode.InvalidContent,
  // The link does not give access, or not to this: the same request gets the same answer.
  ErrorCode.Unauthorized,
  ErrorCode.Forbidden,
]);

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 15_000;
/**
 * A rate-limited client waits what the server advises (`retryAfterMs`), or this when it does not
 * say, each time anew: refusals do not escalate the wait, since the resync after it sends every
 * waiting change in one message whatever their number.
 */
const RATE_LIMITED_WAIT_MS = 500;
/** The longest wait after a rate limit, whatever the server advises. */
const RATE_LIMITED_WAIT_MAX_MS = 5_000;

/** Socket.IO delivers binary as ArrayBuffer in browsers and as Buffer in Node. */
function bytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/**
 * Binary for the wire: an ArrayBuffer holding exactly these bytes. The MessagePack encoder's
 * browser build encodes only an ArrayBuffer as binary (a Uint8Array becomes an object), and its
 * Node build writes a typed array's whole underlying buffer, not just its view.
 */
export function wireBytes(data: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = data;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  // A copy: a Node Buffer's `slice` is a view of the same (often pooled) memory.
  return new Uint8Array(data).buffer;
}

/**
 * How this runtime can read compressed parts, if at all: DEFLATE through the Compression Streams
 * API (every browser since 2023, Node 18), native and off the page's script.
 */
const PART_COMPRESSION: PartCompression | undefined = (() => {
  try {
    new DecompressionStream("deflate");
    return "deflate";
  } catch {
    return undefined;
  }
})();

/** A part as sent: inflated if it came compressed. */
async function partUpdate(payload: PartPayload): Promise<Uint8Array> {
  if (payload.compression === undefined) return bytes(payload.update);
  const stream = new Blob([wireBytes(bytes(payload.update))]).stream().pipeThrough(new DecompressionStream(payload.compression));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Waits for the next task: the page renders and handles input in between. */
function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

type Reply<T> = { ok: true; data: T } | { ok: false; error: ErrorBody | null };

/**
 * Binds a `Y.Doc` (and its awareness) to one sheet over a Socket.IO connection.
 *
 * On every (re)connect it joins the sheet and runs the y-protocols sync steps: it sends its state
 * vector, applies the server's answer, and sends what the server lacks. Local changes are sent as
 * they happen (merged per tick) and counted until the server acknowledges them as durable; a
 * lost or refused ack triggers a resync, which resends everything unacknowledged: after a rate
 * limit once the short wait the server advises is over, after an error with exponential backoff.
 * Reconnecting itself (exponential backoff with jitter) is the socket's job: see
 * {@link connectSocket}.
 */
export class SheetProvider extends ObservableV2<SheetProviderEvents> {
  readonly socket: SheetSocket;
  readonly sheetId: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  status: SyncStatus = "connecting";
  role: Role | null = null;
  /**
   * The document held nothing when it first asked for the sheet, and the server's state is still
   * arriving, in parts: until it has all come, a cell may show nothing or an older value than the
   * server holds, so an editor should take no changes (one made then could lose to the value on
   * its way). False once synced.
   */
  loading = false;

  private readonly secret: string | undefined;
  private readonly person: string | undefined;
  private readonly ackTimeoutMs: number;
  private readonly beforeSync: (() => Promise<unknown> | undefined) | undefined;
  /** Comment events not yet answered, oldest first: sent one at a time, so a reply follows its thread. */
  private readonly commentQueue: { request: CommentRequest; resolve: () => void; reject: (error: ErrorBody) => void }[] = [];
  private commentInFlight = false;
  private commentTimer: ReturnType<typeof setTimeout> | null = null;
  /** Sequence numbers of local changes not yet acknowledged. */
  private readonly pending = new Set<number>();
  /** The role of the last join, kept across reconnects; null before the first. */
  private granted: Role | null = null;
  /** Below edit: the changes this provider made itself, until acknowledged (resent after a reconnect). */
  private readonly ownChanges = new Map<number, Uint8Array>();
  private seq = 0;
  private outbox: { seq: number; update: Uint8Array }[] = [];
  /** A change was sent since the last microtask: any more made before the next go together after it. */
  private batching = false;
  /** Bumped on every (re)connect and resync, so answers to an older attempt are ignored. */
  private attempt = 0;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Taken out of the sheet by the server: never joins again on this provider. */
  private closed = false;
  /** The parts received so far, applied (see onPart): a sync's answer is read after them. */
  private partsApplied: Promise<void> = Promise.resolve();
  /** A part of the current sync could not be read or applied: its answer starts it over. */
  private partFailed = false;
  /**
   * How parts are asked for: compressed while this runtime reads them, as they are from the first
   * compressed part it could not read (a broken decoder would otherwise fail every sync again).
   */
  private partCompression = PART_COMPRESSION;
  /**
   * Others' updates received while the server's state arrives in parts, applied after the parts
   * (they may build on a part not yet received: none waits in Yjs' pending store); null otherwise.
   */
  private held: Uint8Array[] | null = null;

  constructor(options: SheetProviderOptions) {
    super();
    this.socket = options.socket;
    this.sheetId = options.sheetId;
    this.doc = options.doc;
    this.awareness = options.awareness ?? new awarenessProtocol.Awareness(options.doc);
    this.secret = options.secret;
    this.person = options.person;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.beforeSync = options.beforeSync;

    this.socket.on("connect", this.onConnect);
    this.socket.on("disconnect", this.onDisconnect);
    this.socket.on("sheet:update", this.onRemoteUpdate);
    this.socket.on("sheet:part", this.onPart);
    this.socket.on("awareness:update", this.onRemoteAwareness);
    this.socket.on("sheet:closed", this.onClosed);
    this.doc.on("update", this.onLocalUpdate);
    this.awareness.on("update", this.onLocalAwareness);
    if (this.socket.connected) this.start();
  }

  /** Local changes not yet acknowledged as durably stored by the server. */
  get unsyncedChanges(): number {
    return this.pending.size;
  }

  /** Resolves once the provider is synced (immediately if it is). */
  whenSynced(): Promise<void> {
    if (this.status === "synced") return Promise.resolve();
    return new Promise((resolve) => {
      const on = (status: SyncStatus) => {
        if (status !== "synced") return;
        this.off("status", on);
        resolve();
      };
      this.on("status", on);
    });
  }

  /** Resolves once every local change so far is acknowledged. */
  whenSaved(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const on = (count: number) => {
        if (count !== 0) return;
        this.off("unsynced", on);
        resolve();
      };
      this.on("unsynced", on);
    });
  }

  /**
   * Posts a comment event. It waits while the provider is not synced (offline included) and is
   * sent again after a lost answer or a rate limit until the server answers; the server takes an
   * event id once, so a repeat changes nothing. Resolves once stored; rejects with the server's
   * error when it refuses the event for good (its thread deleted, not one's own comment, a role
   * that may not comment).
   */
  postComment(request: CommentRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.commentQueue.push({ request, resolve, reject });
      this.sendComment();
    });
  }

  /** Comment events posted and not yet answered. */
  get unsentComments(): number {
    return this.commentQueue.length;
  }

  private sendComment(): void {
    const next = this.commentQueue[0];
    if (!next || this.commentInFlight || this.commentTimer || this.status !== "synced" || this.stopped) return;
    this.commentInFlight = true;
    this.socket.timeout(this.ackTimeoutMs).emit("comment:post", { sheetId: this.sheetId, comment: next.request }, (err, res) => {
      this.commentInFlight = false;
      if (this.stopped) return;
      const error = err ? null : res.ok ? undefined : res.error;
      if (error === undefined || (error && PERMANENT.has(error.code))) {
        this.commentQueue.shift();
        if (error) next.reject(error);
        else next.resolve();
        this.sendComment();
        return;
      }
      // A lost answer, a rate limit, or the sheet left meanwhile: the same event again, later.
      const wait = error?.code === ErrorCode.RateLimited ? (error.retryAfterMs ?? RATE_LIMITED_WAIT_MS) : RETRY_BASE_MS;
      this.commentTimer = setTimeout(() => {
        this.commentTimer = null;
        this.sendComment();
      }, Math.min(RATE_LIMITED_WAIT_MAX_MS, wait));
    });
  }

  override destroy(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearRetry();
    if (this.commentTimer !== null) clearTimeout(this.commentTimer);
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.awareness.clientID], "destroy");
    if (this.socket.connected) this.socket.emit("sheet:leave", { sheetId: this.sheetId }, () => {});
    this.socket.off("connect", this.onConnect);
    this.socket.off("disconnect", this.onDisconnect);
    this.socket.off("sheet:update", this.onRemoteUpdate);
    this.socket.off("sheet:part", this.onPart);
    this.socket.off("awareness:update", this.onRemoteAwareness);
    this.socket.off("sheet:closed", this.onClosed);
    this.doc.off("update", this.onLocalUpdate);
    this.awareness.off("update", this.onLocalAwareness);
    super.destroy();
  }

  private setStatus(status: SyncStatus): void {
    if (this.status === status) return;
    this.status = status;
    if (status === "synced") this.setLoading(false);
    this.emit("status", [status]);
    if (status === "synced") this.sendComment();
  }

  private readonly onConnect = (): void => {
    this.start();
  };

  private readonly onDisconnect = (): void => {
    this.endAttempt();
    this.outbox = [];
    this.clearRetry();
    this.setStatus("offline");
    // Other people's presence is stale once we cannot hear from them.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.awareness.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
  };

  private readonly onRemoteUpdate = (payload: { sheetId: string; update: Uint8Array | ArrayBuffer }): void => {
    if (payload.sheetId !== this.sheetId) return;
    const update = bytes(payload.update);
    if (this.held) this.held.push(update);
    else Y.applyUpdate(this.doc, update, this);
  };

  /** Ends the current attempt: its answers are ignored, and what it held is applied. */
  private endAttempt(): void {
    this.attempt++;
    this.releaseHeld();
  }

  /** Applies the updates held during a sync in parts, after the parts received (see `held`). */
  private releaseHeld(): void {
    const held = this.held;
    this.held = null;
    if (!held?.length) return;
    this.partsApplied = this.partsApplied
      .then(() => {
        if (this.stopped) return;
        this.doc.transact(() => held.forEach((update) => Y.applyUpdate(this.doc, update, this)), this);
      })
      .catch((err: unknown) => console.error("an update to the sheet could not be applied", err));
  }

  /**
   * Parts of the server's state are applied one per task, so the page stays free and shows each;
   * each is inflated as it arrives, while those before it are applied.
   */
  private readonly onPart = (payload: PartPayload): void => {
    if (payload.sheetId !== this.sheetId) return;
    const update = partUpdate(payload);
    update.catch(() => {}); // read in order below
    this.partsApplied = this.partsApplied
      .then(nextTask)
      .then(() => update)
      .then((part) => {
        if (!this.stopped) Y.applyUpdate(this.doc, part, this);
      })
      .catch((err: unknown) => {
        this.partFailed = true;
        if (payload.compression !== undefined) this.partCompression = undefined;
        console.error("a part of the sheet's state could not be applied", err);
      });
  };

  private readonly onRemoteAwareness = (payload: { sheetId: string; update: Uint8Array | ArrayBuffer }): void => {
    if (payload.sheetId !== this.sheetId) return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, bytes(payload.update), this);
  };

  /** The server took this socket out of the sheet for good (a revoked link): nothing is retried. */
  private readonly onClosed = (payload: SheetClosed): void => {
    if (payload.sheetId !== this.sheetId || this.closed) return;
    this.closed = true;
    this.endAttempt();
    this.clearRetry();
    this.role = null;
    this.setStatus("offline");
    this.emit("error", [payload.error]);
  };

  /** Whether local changes are sent: a viewer sends none, a commenter only what it writes itself. */
  private get sends(): boolean {
    return this.granted === null || roleAtLeast(this.granted, "comment");
  }

  /**
   * A role below edit may not send the document's own state (a sync step 2), which may hold what
   * it may not write: only the changes it made itself after its first join, kept until saved.
   */
  private get sendsState(): boolean {
    return this.granted === null || roleAtLeast(this.granted, "edit");
  }

  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || !this.sends) return;
    const seq = ++this.seq;
    this.pending.add(seq);
    if (!this.sendsState) this.ownChanges.set(seq, update);
    this.emit("unsynced", [this.pending.size]);
    // Before the sync completes, the sync's step 2 carries this change.
    if (this.status !== "synced") return;
    this.outbox.push({ seq, update });
    if (this.batching) return;
    // A change goes at once, ahead of what the page does with it (drawing it, working out
    // formulas: those wait for a microtask).
    this.flush();
    this.batching = true;
    queueMicrotask(() => {
      this.batching = false;
      this.flush();
    });
  };

  private readonly onLocalAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this || this.role === null || !this.socket.connected) return;
    const changed = [...added, ...updated, ...removed];
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    this.socket.volatile.emit("awareness:update", { sheetId: this.sheetId, update: wireBytes(update) });
  };

  private start(): void {
    if (this.stopped || this.closed || !this.socket.connected) return;
    this.clearRetry();
    const attempt = ++this.attempt;
    this.role = null;
    this.request<{ role: Role; awareness: Uint8Array | ArrayBuffer }>(
      "sheet:join",
      {
        sheetId: this.sheetId,
        protocolVersion: PROTOCOL_VERSION,
        ...(this.secret ? { secret: this.secret } : {}),
        ...(this.person ? { person: this.person } : {}),
      },
      attempt,
      (joined) => {
        const first = this.granted === null;
        this.granted = joined.role;
        this.role = joined.role;
        this.emit("role", [joined.role]);
        // What the document held before the first join is not this role's to send.
        if (first && !this.sendsState) this.discard(() => true);
        awarenessProtocol.applyAwarenessUpdate(this.awareness, bytes(joined.awareness), this);
        const meta = this.awareness.meta.get(this.awareness.clientID);
        if (this.awareness.getLocalState() !== null && meta) {
          // Everyone dropped this presence when the connection did, keeping its clock: only a
          // later clock puts it back (the same clock reads as the state already removed).
          meta.clock++;
          const own = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]);
          this.socket.emit("awareness:update", { sheetId: this.sheetId, update: wireBytes(own) });
        }
        const waiting = this.beforeSync?.();
        if (!waiting) this.sync(attempt);
        else void waiting.catch(() => {}).then(() => attempt === this.attempt && !this.stopped && this.sync(attempt));
      },
    );
  }

  private setLoading(loading: boolean): void {
    if (this.loading === loading) return;
    this.loading = loading;
    this.emit("loading", [loading]);
  }

  /**
   * Step 1 -> (server step 2 + server step 1) -> our step 2 -> synced; into a document that was
   * empty and took no local change meanwhile, synced without our step 2.
   */
  private sync(attempt: number): void {
    if (this.status === "connecting" && this.doc.store.clients.size === 0) this.setLoading(true);
    this.releaseHeld();
    this.held = [];
    this.partFailed = false;
    const step1 = encoding.createEncoder();
    syncProtocol.writeSyncStep1(step1, this.doc);
    this.request<{ messages: (Uint8Array | ArrayBuffer)[] }>(
      "sheet:sync",
      { sheetId: this.sheetId, message: wireBytes(encoding.toUint8Array(step1)), parts: true, ...(this.partCompression && { compression: this.partCompression }) },
      attempt,
      (answer) =>
        void this.partsApplied.then(() => {
          if (attempt !== this.attempt || this.stopped) return;
          // What the server sent is not all here: its state is asked for again, after a wait.
          if (this.partFailed) this.backOff();
          else this.readSyncAnswer(attempt, answer.messages);
        }),
    );
  }

  /** Reads the server's answer to a step 1 and answers its step 1 in turn. */
  private readSyncAnswer(attempt: number, messages: (Uint8Array | ArrayBuffer)[]): void {
    const reply = encoding.createEncoder();
    for (const message of messages) {
      syncProtocol.readSyncMessage(decoding.createDecoder(bytes(message)), reply, this.doc, this);
    }
    this.releaseHeld();
    if (encoding.length(reply) === 0) {
      // The server answered from storage while it builds the sheet: ask again for its step 1.
      this.sync(attempt);
      return;
    }
    // No step 2 from a role that may not send the document's state, nor from a document that was
    // empty and took no change since (its step 2 would hold only what the server sent: not
    // sending it saves a round trip and the server's check of it on every fresh open). Up to date
    // with the server, what it lacks that this provider may send are its own changes, if any.
    if (!this.sendsState || (this.loading && this.pending.size === 0)) {
      this.failures = 0;
      this.setStatus("synced");
      this.outbox = [...this.ownChanges].map(([seq, update]) => ({ seq, update }));
      this.flush();
      return;
    }
    // Our step 2 holds every local change made so far, acknowledged or not.
    const covered = this.seq;
    this.outbox = [];
    this.request<unknown>(
      "sheet:sync",
      { sheetId: this.sheetId, message: wireBytes(encoding.toUint8Array(reply)) },
      attempt,
      () => {
        this.acknowledge((seq) => seq <= covered);
        this.failures = 0;
        this.setStatus("synced");
        // Changes made while our step 2 was in flight are sent by one more round.
        if (this.pending.size > 0) this.resync(attempt);
      },
    );
  }

  private flush(): void {
    if (this.outbox.length === 0 || this.status !== "synced") return;
    const batch = this.outbox;
    this.outbox = [];
    const update = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((b) => b.update));
    const seqs = new Set(batch.map((b) => b.seq));
    this.request<null>(
      "sheet:update",
      { sheetId: this.sheetId, update: wireBytes(update) },
      this.attempt,
      () => this.acknowledge((seq) => seqs.has(seq)),
      (error) => {
        if (error.code !== ErrorCode.Forbidden) return;
        // Refused for the role: it will never be saved, so it is not counted as unsaved. What this
        // client writes next would come after it in the client's clock, which the server would
        // then never have: later changes are made as a new client.
        this.discard((seq) => seqs.has(seq));
        if (!this.sendsState) this.doc.clientID = random.uint32();
      },
    );
  }

  private discard(which: (seq: number) => boolean): void {
    const before = this.pending.size;
    for (const seq of [...this.pending]) if (which(seq)) this.forget(seq);
    if (this.pending.size === before) return;
    this.emit("discarded", [before - this.pending.size]);
    this.emit("unsynced", [this.pending.size]);
  }

  private acknowledge(done: (seq: number) => boolean): void {
    for (const seq of [...this.pending]) if (done(seq)) this.forget(seq);
    this.emit("unsynced", [this.pending.size]);
  }

  private forget(seq: number): void {
    this.pending.delete(seq);
    this.ownChanges.delete(seq);
  }

  /** Runs the sync steps again on the current connection. */
  private resync(attempt: number): void {
    if (attempt !== this.attempt || this.stopped) return;
    this.sync(++this.attempt);
  }

  /**
   * Emits with an ack timeout; calls `onOk` with the data if the answer belongs to the current
   * attempt. A failure ends the attempt: permanent errors are reported; a rate limit is retried
   * after the wait it advises; other errors are reported and retried with exponential backoff.
   */
  private request<T>(
    event: "sheet:join" | "sheet:sync" | "sheet:update",
    payload: unknown,
    attempt: number,
    onOk: (data: T) => void,
    onPermanent?: (error: ErrorBody) => void,
  ): void {
    // One generic path for three acknowledged events; their payload types are checked by callers.
    const socket = this.socket.timeout(this.ackTimeoutMs) as unknown as {
      emit(event: string, payload: unknown, cb: (err: Error | null, res: Ack<T>) => void): void;
    };
    socket.emit(event, payload, (err, res) => {
      if (attempt !== this.attempt || this.stopped) return;
      const result: Reply<T> = err ? { ok: false, error: null } : res;
      if (result.ok) {
        onOk(result.data);
        return;
      }
      const { error } = result;
      if (error && PERMANENT.has(error.code)) {
        onPermanent?.(error);
        this.emit("error", [error]);
        return;
      }
      if (error?.code === ErrorCode.RateLimited) {
        // Jitter upwards: never sooner than advised, and not all at once when refused together.
        const advised = Math.min(RATE_LIMITED_WAIT_MAX_MS, error.retryAfterMs ?? RATE_LIMITED_WAIT_MS);
        this.scheduleRetry(advised * (1 + Math.random() / 2));
        return;
      }
      // Out of sync is no failure to report: the resync below sends what the server lacks.
      if (error && error.code !== ErrorCode.OutOfSync) this.emit("error", [error]);
      this.backOff();
    });
  }

  /** Starts over after a wait that doubles with each failure in a row, jittered. */
  private backOff(): void {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.failures++);
    this.scheduleRetry(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /**
   * Ends the current attempt and starts over after `delayMs`. Until then nothing is sent: local
   * changes wait in `pending`, and the sync after the wait sends them all at once.
   */
  private scheduleRetry(delayMs: number): void {
    this.endAttempt();
    this.clearRetry();
    if (this.status === "synced") this.setStatus("retrying");
    this.retryTimer = setTimeout(() => this.start(), delayMs);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
