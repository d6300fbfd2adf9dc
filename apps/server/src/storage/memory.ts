import { SheetExistsError, UnknownSheetError, type Storage, type StoredSheet } from "./storage.js";

interface Entry {
  seq: number;
  data: Uint8Array;
}

interface MemorySheet {
  entries: Entry[];
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
}

/** Storage in process memory, for tests and throwaway servers. */
export class MemoryStorage implements Storage {
  private readonly sheets = new Map<string, MemorySheet>();

  async create(id: string, initial: Uint8Array): Promise<void> {
    if (this.sheets.has(id)) throw new SheetExistsError(id);
    const now = Date.now();
    this.sheets.set(id, { entries: [{ seq: 1, data: initial.slice() }], lastSeq: 1, createdAt: now, updatedAt: now });
  }

  async load(id: string): Promise<StoredSheet | null> {
    const sheet = this.sheets.get(id);
    if (!sheet) return null;
    return {
      updates: sheet.entries.map((e) => e.data.slice()),
      lastSeq: sheet.lastSeq,
      createdAt: sheet.createdAt,
      updatedAt: sheet.updatedAt,
    };
  }

  async append(id: string, update: Uint8Array): Promise<number> {
    const sheet = this.sheets.get(id);
    if (!sheet) throw new UnknownSheetError(id);
    const seq = ++sheet.lastSeq;
    sheet.entries.push({ seq, data: update.slice() });
    sheet.updatedAt = Date.now();
    return seq;
  }

  async compact(id: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    const sheet = this.sheets.get(id);
    if (!sheet) throw new UnknownSheetError(id);
    const kept = sheet.entries.filter((e) => e.seq > throughSeq);
    sheet.entries = [{ seq: throughSeq, data: snapshot.slice() }, ...kept];
  }

  async close(): Promise<void> {}
}
