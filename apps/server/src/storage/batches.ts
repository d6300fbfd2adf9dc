import { checkMeta, UnknownSheetError, type UpdateMeta, type UpdateVia } from "./storage.js";

/** An append waiting for its batch (see GroupCommit). */
export interface Pending {
  id: string;
  update: Uint8Array;
  meta: UpdateMeta;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/**
 * Appends written together by one transaction (one fsync): those made in one event-loop turn, and
 * those made while the batch before was being written. That is what keeps durable acks cheap under
 * load. One batch is written at a time, so a node's appends to a sheet commit in the order they
 * were made. `write` answers each entry's seq, or -1 for an unknown sheet, which is refused alone;
 * if it throws, the batch is refused.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (batch: Pending[]) => number[] | Promise<number[]>) {}

  append(id: string, update: Uint8Array, meta: UpdateMeta): Promise<number> {
    try {
      checkMeta(meta);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id, update, meta: { ...meta }, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      this.writing = this.writing.then(() => new Promise<void>((done) => setImmediate(() => void this.flush().then(done))));
    });
  }

  /** Writes everything waiting, after the batch being written; resolves once it is written. */
  async drain(): Promise<void> {
    this.writing = this.writing.then(() => this.flush());
    await this.writing;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let seqs: number[];
    try {
      seqs = await this.write(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => (seqs[i]! < 0 ? p.reject(new UnknownSheetError(p.id)) : p.resolve(seqs[i]!)));
  }
}

/** How long a link's last use waits to be written with the others' (see LinkTouches). */
const TOUCH_DELAY_MS = 250;

/** A link's last use, to write. */
export interface Touch {
  sheetId: string;
  linkId: string;
  at: number;
}

/**
 * Links' last uses, written TOUCH_DELAY_MS after the first, with every other used meanwhile, in
 * one transaction (`write`): a crowd joining sheets for the first time costs one commit, not one
 * each. One batch is written at a time, sorted by sheet and link.
 */
export class LinkTouches {
  private touches = new Map<string, Touch & { waiters: { resolve: () => void; reject: (err: unknown) => void }[] }>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (batch: Touch[]) => void | Promise<void>) {}

  /** Resolves once written. */
  touch(sheetId: string, linkId: string, at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const key = `${sheetId} ${linkId}`;
      const touch = this.touches.get(key) ?? { sheetId, linkId, at, waiters: [] };
      touch.at = at;
      touch.waiters.push({ resolve, reject });
      this.touches.set(key, touch);
      this.timer ??= setTimeout(() => void this.flush(), TOUCH_DELAY_MS).unref();
    });
  }

  /** Writes what waits now (on close), after the batch being written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.touches.values()].sort((a, b) => compareStrings(a.sheetId, b.sheetId) || compareStrings(a.linkId, b.linkId));
    this.touches.clear();
    this.writing = this.writing.then(() => this.writeNow(batch));
    return this.writing;
  }

  private async writeNow(batch: (Touch & { waiters: { resolve: () => void; reject: (err: unknown) => void }[] })[]): Promise<void> {
    if (batch.length === 0) return;
    let failed: unknown = null;
    try {
      await this.write(batch);
    } catch (err) {
      failed = err;
    }
    for (const w of batch.flatMap((t) => t.waiters)) {
      if (failed) w.reject(failed);
      else w.resolve();
    }
  }
}

/** Orders strings by their code units: the same order on every node (rows locked in it never deadlock). */
export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Author ids remembered; past this many the cache starts again (ids are then looked up). */
const AUTHOR_CACHE_LIMIT = 10_000;

/**
 * The ids of `authors` rows by their tuple (sheet, name, link, via). Only committed rows are
 * remembered: a transaction collects the ids it made in its own `fresh` map, kept once it commits.
 */
export class AuthorIds {
  private readonly ids = new Map<string, number>();

  static key(sheetId: string, name: string, linkId: string | null, via: UpdateVia): string {
    return JSON.stringify([sheetId, name, linkId, via]);
  }

  get(key: string, fresh: ReadonlyMap<string, number>): number | undefined {
    return this.ids.get(key) ?? fresh.get(key);
  }

  remember(fresh: ReadonlyMap<string, number>): void {
    if (this.ids.size + fresh.size > AUTHOR_CACHE_LIMIT) this.ids.clear();
    for (const [key, id] of fresh) this.ids.set(key, id);
  }
}
