import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import * as Y from "yjs";
import { initSheet, randomId } from "@cosheet/sheet";
import { ErrorCode, LIMITS, ProtocolError } from "@cosheet/protocol";
import type { NewSheetAccess, Storage } from "../storage/storage.js";
import { pruneHistory } from "../history/history.js";
import { checkpointSheet, Room, type RoomHooks } from "./room.js";

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
}

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
  private closed = false;

  constructor(private readonly options: RegistryOptions) {}

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

  /** Runs `fn` with a sheet held for its duration (HTTP requests). */
  async use<T>(id: string, fn: (room: Room) => Promise<T> | T): Promise<T> {
    const holder = `req:${randomUUID()}`;
    const room = await this.acquire(id, holder);
    try {
      return await fn(room);
    } finally {
      this.release(room, holder);
    }
  }

  /** Waits for every open sheet's pending writes, then unloads them all. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await Promise.allSettled([...this.loading.values()]);
    await Promise.all([...this.rooms.values()].map((room) => room.saved()));
    for (const room of this.rooms.values()) room.destroy();
    this.rooms.clear();
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
    const stored = await this.options.storage.load(id);
    if (!stored) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
    const room = new Room(id, stored, this.options);
    this.rooms.set(id, room);
    this.options.logger.debug(
      { sheetId: id, updates: stored.updates.length, ms: Math.round(performance.now() - started) },
      "sheet loaded",
    );
    // Unloaded again if nobody takes it (acquire cancels this in the same turn).
    this.scheduleUnload(room);
    return room;
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
      this.rooms.delete(room.id);
      room.destroy();
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
