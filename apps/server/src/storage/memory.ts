import {
  checkMeta,
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
} from "./storage.js";
import { compareStrings } from "./batches.js";
import { unpackState } from "./state.js";

interface Entry {
  seq: number;
  data: Uint8Array;
  meta: UpdateMeta;
}

interface StoredState {
  seq: number;
  at: number;
  state: Uint8Array;
}

interface MemorySheet {
  /** The log, by increasing seq: gapless, except that the updates through a prune's base are gone. */
  entries: Entry[];
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
  /** The rolling checkpoint; a kept state at its seq serves instead (as in SQLite, one per seq). */
  checkpoint: StoredState | null;
  /** The states kept by pruning, the bases included, by increasing seq. */
  kept: StoredState[];
  /** In the order they were added; {@link MemoryStorage.listVersions} sorts them. */
  versions: StoredVersion[];
  plainAddress: boolean;
  /** In the order they were added; {@link MemoryStorage.listLinks} sorts them by age. */
  links: StoredLink[];
}

function metaOf(e: Entry): StoredUpdateMeta {
  return { seq: e.seq, ...e.meta };
}

/**
 * Storage in process memory, for tests and throwaway servers. Everything goes in and comes out as
 * a copy, so a caller cannot change what is stored by mutating what it passed or got back.
 */
export class MemoryStorage implements Storage {
  readonly kind = "memory";
  private readonly sheets = new Map<string, MemorySheet>();
  /** Every sheet's links by id and by secret hash: both are unique across sheets, as in SQLite. */
  private readonly linksById = new Map<string, StoredLink>();
  private readonly linksByHash = new Map<string, StoredLink>();
  /** Every sheet's versions by id: unique across sheets, as in SQLite. */
  private readonly versionIds = new Set<string>();

  async check(): Promise<void> {}

  async create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void> {
    if (this.sheets.has(id)) throw new SheetExistsError(id);
    checkLinksAreFor(id, access);
    // Checked before anything is stored, so a rejected create leaves no sheet and no link.
    this.checkNewLinks(access.links);
    const now = Date.now();
    const meta: UpdateMeta = { at: now, author: "", linkId: null, via: "server", cells: 0, discussion: false };
    this.sheets.set(id, {
      entries: [{ seq: 1, data: initial.slice(), meta }],
      lastSeq: 1,
      createdAt: now,
      updatedAt: now,
      checkpoint: null,
      kept: [],
      versions: [],
      plainAddress: access.plainAddress,
      links: [],
    });
    for (const link of access.links) this.storeLink(link);
  }

  async load(id: string): Promise<StoredSheet | null> {
    const sheet = this.sheets.get(id);
    if (!sheet) return null;
    const start = this.nearestState(sheet, sheet.lastSeq);
    const after = sheet.entries.filter((e) => e.seq > (start?.seq ?? 0)).map((e) => e.data.slice());
    return {
      updates: start ? [...unpackState(start.state.slice()), ...after] : after,
      logged: after.length,
      lastSeq: sheet.lastSeq,
      createdAt: sheet.createdAt,
      updatedAt: sheet.updatedAt,
    };
  }

  async append(id: string, update: Uint8Array, meta: UpdateMeta): Promise<number> {
    checkMeta(meta);
    const sheet = this.sheets.get(id);
    if (!sheet) throw new UnknownSheetError(id);
    const seq = ++sheet.lastSeq;
    sheet.entries.push({ seq, data: update.slice(), meta: { ...meta } });
    sheet.updatedAt = Date.now();
    return seq;
  }

  async checkpoint(id: string, state: Uint8Array, throughSeq: number): Promise<void> {
    const sheet = this.sheets.get(id);
    if (!sheet) throw new UnknownSheetError(id);
    checkSeq(throughSeq, sheet.lastSeq, "checkpoint through");
    // A state from before a prune (its later updates are partly gone) could not be loaded from:
    // the base of that prune is newer, and already where loading starts.
    const later = sheet.entries.filter((e) => e.seq > throughSeq).length;
    if (later !== sheet.lastSeq - throughSeq) return;
    const at = sheet.entries.find((e) => e.seq === throughSeq)?.meta.at ?? sheet.updatedAt;
    const keptThere = sheet.kept.some((k) => k.seq === throughSeq);
    sheet.checkpoint = keptThere ? null : { seq: throughSeq, at, state: state.slice() };
  }

  async prune(id: string, base: KeptState, kept: readonly KeptState[]): Promise<void> {
    const sheet = this.sheets.get(id);
    if (!sheet) throw new UnknownSheetError(id);
    checkPrune(base, kept, sheet.lastSeq);
    sheet.entries = sheet.entries.filter((e) => e.seq > base.seq);
    // The rolling checkpoint, if it is at the base's seq or before, is replaced by the base.
    if (sheet.checkpoint && sheet.checkpoint.seq <= base.seq) sheet.checkpoint = null;
    const copy = (k: KeptState): StoredState => ({ seq: k.seq, at: k.at, state: k.state.slice() });
    sheet.kept = [...kept.map(copy), copy(base), ...sheet.kept.filter((k) => k.seq > base.seq)];
    sheet.kept.sort((a, b) => a.seq - b.seq);
  }

  async stateAt(id: string, seq: number): Promise<Uint8Array[] | null> {
    const sheet = this.sheets.get(id);
    if (!sheet || !Number.isSafeInteger(seq) || seq < 1 || seq > sheet.lastSeq) return null;
    const start = this.nearestState(sheet, seq);
    if (start?.seq === seq) return unpackState(start.state.slice());
    // No state before: the log's first entry is the start (seq 1), unless it is after `seq`.
    const first = sheet.entries[0]?.seq;
    const from = start ? start.seq : first === undefined ? seq : first - 1;
    const updates = sheet.entries.filter((e) => e.seq > from && e.seq <= seq);
    // Seqs have no gaps, except where updates were pruned: then the state cannot be rebuilt.
    if (updates.length === 0 || updates.length !== seq - from) return null;
    const data = updates.map((e) => e.data.slice());
    return start ? [...unpackState(start.state.slice()), ...data] : data;
  }

  async history(id: string): Promise<{ updates: StoredUpdateMeta[]; kept: { seq: number; at: number }[] } | null> {
    const sheet = this.sheets.get(id);
    if (!sheet) return null;
    return { updates: sheet.entries.map(metaOf), kept: sheet.kept.map((k) => ({ seq: k.seq, at: k.at })) };
  }

  async heads(ids: readonly string[]): Promise<Map<string, SheetHead>> {
    const heads = new Map<string, SheetHead>();
    for (const id of ids) {
      const sheet = this.sheets.get(id);
      if (sheet) heads.set(id, { lastSeq: sheet.lastSeq, plainAddress: sheet.plainAddress, links: sheet.links.map((l) => l.id).sort(compareStrings) });
    }
    return heads;
  }

  async log(id: string, afterSeq: number, throughSeq: number): Promise<LoggedUpdate[]> {
    const sheet = this.sheets.get(id);
    if (!sheet) return [];
    return sheet.entries
      .filter((e) => e.seq > afterSeq && e.seq <= throughSeq)
      .map((e) => ({ ...metaOf(e), data: e.data.slice() }));
  }

  async addVersion(version: StoredVersion): Promise<void> {
    const sheet = this.sheets.get(version.sheetId);
    if (!sheet) throw new UnknownSheetError(version.sheetId);
    checkSeq(version.seq, sheet.lastSeq, "version seq");
    if (this.versionIds.has(version.id)) throw new Error(`version id ${version.id} is taken`);
    this.versionIds.add(version.id);
    sheet.versions.push({ ...version });
  }

  async listVersions(sheetId: string): Promise<StoredVersion[]> {
    const sheet = this.sheets.get(sheetId);
    if (!sheet) return [];
    // A stable sort: versions named at the same seq and millisecond stay in the order added.
    return sheet.versions.map((v) => ({ ...v })).sort((a, b) => a.seq - b.seq || a.at - b.at);
  }

  async removeVersion(sheetId: string, versionId: string): Promise<boolean> {
    const sheet = this.sheets.get(sheetId);
    const index = sheet ? sheet.versions.findIndex((v) => v.id === versionId) : -1;
    if (!sheet || index < 0) return false;
    sheet.versions.splice(index, 1);
    this.versionIds.delete(versionId);
    return true;
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

  /** The checkpoint or kept state nearest at or before `seq`, if any. */
  private nearestState(sheet: MemorySheet, seq: number): StoredState | null {
    let best: StoredState | null = null;
    for (const s of sheet.checkpoint ? [...sheet.kept, sheet.checkpoint] : sheet.kept) {
      if (s.seq <= seq && (!best || s.seq > best.seq)) best = s;
    }
    return best;
  }

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
