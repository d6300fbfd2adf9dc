import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import * as Y from "yjs";
import { initSheet, randomId } from "@cosheet/sheet";
import { ErrorCode, LIMITS, ProtocolError } from "@cosheet/protocol";
import type { Heard, Relay } from "../relay/relay.js";
import type { NewSheetAccess, Storage } from "../storage/storage.js";
import { pruneHistory } from "../history/history.js";
import { checkpointSheet, Room, type CatchUpCounts, type RoomHooks } from "./room.js";

export interface RegistryOptions {
  storage: Storage;
  logger: Logger;
  hooks: RoomHooks;
  /** How long an unused sheet stays in memory before it is unloaded. */
  idleUnloadMs: number;
  /** Write a checkpoint of a sheet after this many appends. */
  checkpointEvery: number;
  /** How long a sheet's whole history is kept: pruned past it when the sheet is unloaded. */
  retentionMs: number;
  /** The other nodes serving the same sheets, if any. */
  relay: Relay | null;
}

/**
 * How often a node on a relay looks at the log's head of every sheet it holds: this finds an
 * update whose message was lost (with none after it to show the gap).
 */
export const HEADS_POLL_MS = 5_000;

/** A fresh sheet id: 22 URL-safe characters from the CSPRNG (132 bits). */
export function newSheetId(): string {
  return randomId(LIMITS.sheetIdLength);
}

/**
 * Owns the open sheets. A sheet is loaded once however many clients ask at the same time (the
 * load in flight is shared); nobody is answered before it is loaded; it is unloaded after its
 * last holder left, an idle delay passed and nothing is waiting to be stored.
 */
export class SheetRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly poll: NodeJS.Timeout | null = null;
  private polling = false;
  private lookAgain = false;
  private closed = false;
  /** Reads of updates that other nodes stored: see {@link CatchUpCounts}. */
  readonly catchUps: CatchUpCounts = { reads: 0, updates: 0 };

  constructor(private readonly options: RegistryOptions) {
    const { relay } = options;
    if (relay) {
      this.poll = setInterval(() => void this.lookAtHeads(), HEADS_POLL_MS);
      this.poll.unref();
      // Messages published while the relay was away were not heard: look at once.
      relay.onReconnect(() => void this.lookAtHeads());
    }
  }

  /** Number of sheets in memory. */
  get openSheets(): number {
    return this.rooms.size;
  }

  /**
   * Creates a sheet: its structure is made here, once, and stored as its first update, with the
   * access `accessOf` gives for its new id (its owner link).
   */
  async create(title: string | undefined, accessOf: (id: string) => NewSheetAccess): Promise<string> {
    const id = newSheetId();
    const doc = new Y.Doc();
    initSheet(doc, title === undefined ? {} : { title });
    await this.options.storage.create(id, Y.encodeStateAsUpdate(doc), accessOf(id));
    doc.destroy();
    return id;
  }

  /**
   * The room of a sheet, loaded if need be, held by `holder` until {@link release}. Throws a
   * `NOT_FOUND` ProtocolError for a sheet that does not exist.
   */
  async acquire(id: string, holder: string): Promise<Room> {
    if (this.closed) throw new ProtocolError(ErrorCode.Unavailable, "the server is shutting down");
    const room = this.rooms.get(id) ?? (await this.load(id));
    room.holders.add(holder);
    this.cancelUnload(id);
    return room;
  }

  release(room: Room, holder: string): void {
    if (!room.holders.delete(holder)) return;
    if (room.holders.size === 0) this.scheduleUnload(room);
  }

  /**
   * Runs `fn` with a sheet held for its duration (HTTP requests), once it holds what other nodes
   * stored: a request reads, writes at an address, names or restores what was acknowledged
   * anywhere.
   */
  async use<T>(id: string, fn: (room: Room) => Promise<T> | T): Promise<T> {
    const holder = `req:${randomUUID()}`;
    const room = await this.acquire(id, holder);
    try {
      await room.caughtUp();
      return await fn(room);
    } finally {
      this.release(room, holder);
    }
  }

  /** Waits for every open sheet's pending writes, then unloads them all. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await Promise.allSettled([...this.loading.values()]);
    await Promise.all([...this.rooms.values()].map((room) => room.saved()));
    for (const room of this.rooms.values()) this.drop(room);
  }

  /**
   * Tells each sheet held here how far its log goes and what gives access to it, so that each
   * reads what it has not heard of. Asked while a look is under way, it looks again after it.
   */
  async lookAtHeads(): Promise<void> {
    if (this.polling) {
      this.lookAgain = true;
      return;
    }
    this.polling = true;
    do {
      this.lookAgain = false;
      if (this.rooms.size === 0) break;
      try {
        const asOf = performance.now();
        const heads = await this.options.storage.heads([...this.rooms.keys()]);
        for (const [id, head] of heads) this.rooms.get(id)?.lookedAt(head, asOf);
      } catch (err) {
        this.options.logger.warn({ err }, "looking at the stored heads of open sheets failed");
      }
    } while (this.lookAgain);
    this.polling = false;
  }

  private drop(room: Room): void {
    this.rooms.delete(room.id);
    this.options.relay?.leave(room.id);
    room.destroy();
  }

  private load(id: string): Promise<Room> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.loadRoom(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private async loadRoom(id: string): Promise<Room> {
    const started = performance.now();
    const { relay } = this.options;
    // Heard from before the load, so nothing stored after it goes unheard: what comes before the
    // room exists waits for it.
    let room: Room | null = null;
    const early: Heard[] = [];
    await relay?.join(id, (heard) => (room ? room.hear(heard) : early.push(heard)));
    let stored;
    try {
      stored = await this.options.storage.load(id);
      if (!stored) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
    } catch (err) {
      relay?.leave(id);
      throw err;
    }
    const opened: Room = (room = new Room(id, stored, { ...this.options, catchUps: this.catchUps }));
    for (const heard of early) opened.hear(heard);
    opened.askPresence();
    this.rooms.set(id, opened);
    this.options.logger.debug(
      { sheetId: id, updates: stored.updates.length, ms: Math.round(performance.now() - started) },
      "sheet loaded",
    );
    // Unloaded again if nobody takes it (acquire cancels this in the same turn).
    this.scheduleUnload(opened);
    return opened;
  }

  private scheduleUnload(room: Room): void {
    this.cancelUnload(room.id);
    const timer = setTimeout(() => {
      this.idleTimers.delete(room.id);
      if (room.holders.size > 0 || this.rooms.get(room.id) !== room) return;
      if (!room.clean) {
        // Writes are pending (maybe retrying): never drop them, look again later.
        this.scheduleUnload(room);
        return;
      }
      this.drop(room);
      this.options.logger.debug({ sheetId: room.id }, "sheet unloaded");
      const { storage, retentionMs, logger } = this.options;
      void checkpointSheet(storage, room.id)
        .then(() => pruneHistory(storage, room.id, retentionMs))
        .catch((err: unknown) => logger.warn({ err, sheetId: room.id }, "writing a checkpoint or pruning history after unload failed"));
    }, this.options.idleUnloadMs);
    timer.unref();
    this.idleTimers.set(room.id, timer);
  }

  private cancelUnload(id: string): void {
    const timer = this.idleTimers.get(id);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(id);
  }
}
