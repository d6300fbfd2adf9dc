/** What is stored for one sheet: its updates in order (a compacted snapshot first, if any). */
export interface StoredSheet {
  updates: Uint8Array[];
  /** Sequence number of the last stored update; pass it to {@link Storage.compact}. */
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * Durable storage of sheets as append-only Yjs update logs. One file per adapter (`memory.ts`,
 * `sqlite.ts`), all held to the same contract (`test/storage.contract.ts`).
 */
export interface Storage {
  /** Stores a new sheet with its initial state; rejects if the id exists. */
  create(id: string, initial: Uint8Array): Promise<void>;
  /** Everything stored for a sheet, or null if there is no such sheet. */
  load(id: string): Promise<StoredSheet | null>;
  /**
   * Appends one update; resolves with its sequence number once it is durably committed. Rejects
   * if the sheet does not exist.
   */
  append(id: string, update: Uint8Array): Promise<number>;
  /**
   * Atomically replaces every update up to and including `throughSeq` by `snapshot`, which must
   * hold all of them. Updates appended after `throughSeq` are kept.
   */
  compact(id: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;
  close(): Promise<void>;
}

export class SheetExistsError extends Error {
  override readonly name = "SheetExistsError";
}

export class UnknownSheetError extends Error {
  override readonly name = "UnknownSheetError";
}
