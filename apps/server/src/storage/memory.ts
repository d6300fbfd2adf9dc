import {
  SheetExistsError,
  UnknownSheetError,
  type NewSheetAccess,
  type SheetAccess,
  type Storage,
  type StoredLink,
  type StoredSheet,
} from "./storage.js";

interface Entry {
  seq: number;
  data: Uint8Array;
}

interface MemorySheet {
  entries: Entry[];
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
  plainAddress: boolean;
  /** In the order they were added; {@link MemoryStorage.listLinks} sorts them by age. */
  links: StoredLink[];
}

/**
 * Storage in process memory, for tests and throwaway servers. Everything goes in and comes out as
 * a copy, so a caller cannot change what is stored by mutating what it passed or got back.
 */
export class MemoryStorage implements Storage {
  private readonly sheets = new Map<string, MemorySheet>();
  /** Every sheet's links by id and by secret hash: both are unique across sheets, as in SQLite. */
  private readonly linksById = new Map<string, StoredLink>();
  private readonly linksByHash = new Map<string, StoredLink>();

  async create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void> {
    if (this.sheets.has(id)) throw new SheetExistsError(id);
    for (const link of access.links) {
      if (link.sheetId !== id) throw new Error(`link ${link.id} is for sheet ${link.sheetId}, not ${id}`);
    }
    // Checked before anything is stored, so a rejected create leaves no sheet and no link.
    this.checkNewLinks(access.links);
    const now = Date.now();
    this.sheets.set(id, {
      entries: [{ seq: 1, data: initial.slice() }],
      lastSeq: 1,
      createdAt: now,
      updatedAt: now,
      plainAddress: access.plainAddress,
      links: [],
    });
    for (const link of access.links) this.storeLink(link);
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

  async access(sheetId: string, secretHash: string | null): Promise<SheetAccess | null> {
    const sheet = this.sheets.get(sheetId);
    if (!sheet) return null;
    const link = secretHash === null ? undefined : this.linksByHash.get(secretHash);
    return { plainAddress: sheet.plainAddress, link: link?.sheetId === sheetId ? { ...link } : null };
  }

  async listLinks(sheetId: string): Promise<StoredLink[]> {
    const sheet = this.sheets.get(sheetId);
    if (!sheet) throw new UnknownSheetError(sheetId);
    // A stable sort: links made in the same millisecond stay in the order they were added.
    return sheet.links.map((l) => ({ ...l })).sort((a, b) => a.createdAt - b.createdAt);
  }

  async addLink(link: StoredLink): Promise<void> {
    if (!this.sheets.has(link.sheetId)) throw new UnknownSheetError(link.sheetId);
    this.checkNewLinks([link]);
    this.storeLink(link);
  }

  async removeLink(sheetId: string, linkId: string): Promise<boolean> {
    const sheet = this.sheets.get(sheetId);
    const index = sheet ? sheet.links.findIndex((l) => l.id === linkId) : -1;
    if (!sheet || index < 0) return false;
    const [link] = sheet.links.splice(index, 1);
    this.linksById.delete(link!.id);
    this.linksByHash.delete(link!.secretHash);
    return true;
  }

  async touchLink(sheetId: string, linkId: string, at: number): Promise<void> {
    const link = this.linksById.get(linkId);
    if (link?.sheetId === sheetId) link.lastUsedAt = at;
  }

  async setPlainAddress(sheetId: string, enabled: boolean): Promise<void> {
    const sheet = this.sheets.get(sheetId);
    if (!sheet) throw new UnknownSheetError(sheetId);
    sheet.plainAddress = enabled;
  }

  async close(): Promise<void> {}

  /** Throws if a link's id or secret hash is taken, by a stored link or by another of `links`. */
  private checkNewLinks(links: StoredLink[]): void {
    const ids = new Set<string>();
    const hashes = new Set<string>();
    for (const link of links) {
      if (this.linksById.has(link.id) || ids.has(link.id)) throw new Error(`link id ${link.id} is taken`);
      if (this.linksByHash.has(link.secretHash) || hashes.has(link.secretHash)) {
        throw new Error(`link ${link.id}: its secret hash is taken`);
      }
      ids.add(link.id);
      hashes.add(link.secretHash);
    }
  }

  private storeLink(link: StoredLink): void {
    const stored = { ...link };
    this.sheets.get(link.sheetId)!.links.push(stored);
    this.linksById.set(stored.id, stored);
    this.linksByHash.set(stored.secretHash, stored);
  }
}
