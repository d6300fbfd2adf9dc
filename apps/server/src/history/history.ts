import * as Y from "yjs";
import { ErrorCode, ProtocolError, type CellChange, type Version as ApiVersion } from "@cosheet/protocol";
import { cellKey, randomId, restoreSheet, Sheet } from "@cosheet/sheet";
import type { Room } from "../registry/room.js";
import type { KeptState, Storage, StoredUpdateMeta, StoredVersion } from "../storage/storage.js";

/** Edits this close together are one automatic version (a gap this long starts another). */
const SESSION_GAP_MS = 5 * 60_000;
/** An automatic version spans at most this long, however busy the sheet. */
const SESSION_MAX_MS = 30 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** A version as the API lists it (see {@link ApiVersion}), with the log position it stands for. */
export interface Version extends ApiVersion {
  seq: number;
}

/** A version's sequence number from its id: automatic versions are named by it; named ones are looked up. */
export async function versionSeq(storage: Storage, sheetId: string, versionId: string): Promise<number> {
  if (/^\d{1,15}$/.test(versionId)) return Number(versionId);
  const named = (await storage.listVersions(sheetId)).find((v) => v.id === versionId);
  if (!named) throw new ProtocolError(ErrorCode.NotFound, "this sheet has no such version");
  return named.seq;
}

/**
 * Groups stored updates into automatic versions: edits to the sheet (not only to its chat) that
 * follow each other within a few minutes, by anyone, are one version, as Google Sheets groups them.
 */
function sessions(updates: readonly StoredUpdateMeta[]): Version[] {
  const out: Version[] = [];
  let open: { first: number; last: StoredUpdateMeta; authors: Set<string>; cells: number } | null = null;
  const close = () => {
    if (!open) return;
    out.push({ id: String(open.last.seq), seq: open.last.seq, at: new Date(open.last.at).toISOString(), authors: [...open.authors], changedCells: open.cells });
    open = null;
  };
  for (const u of updates) {
    if (u.discussion) continue;
    if (open && (u.at - open.last.at > SESSION_GAP_MS || u.at - open.first > SESSION_MAX_MS)) close();
    open ??= { first: u.at, last: u, authors: new Set(), cells: 0 };
    open.last = u;
    open.authors.add(u.author);
    open.cells += u.cells;
  }
  close();
  return out;
}

/**
 * Automatic versions thinned by age, the latest of each slot kept: every one from the last day,
 * one an hour for the week before, one a day up to `retentionMs`, one a week beyond (what pruning
 * keeps of it; see {@link pruneHistory}).
 */
function thinned(versions: readonly Version[], now: number, retentionMs: number): Version[] {
  const slot = (at: number): string | null => {
    const age = now - at;
    if (age <= DAY) return null;
    if (age <= WEEK) return `h${Math.floor(at / HOUR)}`;
    if (age <= retentionMs) return `d${Math.floor(at / DAY)}`;
    return `w${Math.floor(at / WEEK)}`;
  };
  const latest = new Map<string, Version>();
  const kept: Version[] = [];
  for (const v of versions) {
    const key = slot(Date.parse(v.at));
    if (key === null) kept.push(v);
    else latest.set(key, v); // oldest first: the last one seen is the slot's latest
  }
  return [...latest.values(), ...kept].sort((a, b) => a.seq - b.seq);
}

/** The sheet's versions, newest first: named ones and automatic ones (thinned by age). */
export async function listVersions(storage: Storage, sheetId: string, retentionMs: number, now = Date.now()): Promise<Version[]> {
  const history = await storage.history(sheetId);
  if (!history) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
  const automatic = sessions(history.updates);
  // States kept past retention stand for the versions they were.
  const known = new Set(automatic.map((v) => v.seq));
  for (const k of history.kept) {
    if (!known.has(k.seq)) automatic.push({ id: String(k.seq), seq: k.seq, at: new Date(k.at).toISOString(), authors: [], changedCells: 0 });
  }
  automatic.sort((a, b) => a.seq - b.seq);
  const named = (await storage.listVersions(sheetId)).map((v) => ({
    id: v.id,
    seq: v.seq,
    at: new Date(v.at).toISOString(),
    authors: [v.author],
    name: v.name,
    changedCells: 0,
  }));
  return [...named, ...thinned(automatic, now, retentionMs)].sort((a, b) => b.seq - a.seq || (a.name ? -1 : 1));
}

/** Names the state through `seq`. */
export async function nameVersion(storage: Storage, sheetId: string, seq: number, name: string, author: string): Promise<Version> {
  const version: StoredVersion = { id: randomId(12), sheetId, seq, name, at: Date.now(), author };
  await storage.addVersion(version);
  return { id: version.id, seq, at: new Date(version.at).toISOString(), authors: [author], name, changedCells: 0 };
}

/** The sheet as it was through `seq`, built in a document of its own (nobody's edits are touched). */
export async function documentAt(storage: Storage, sheetId: string, seq: number): Promise<Y.Doc> {
  const updates = await storage.stateAt(sheetId, seq);
  if (!updates) throw new ProtocolError(ErrorCode.NotFound, "this version is no longer kept");
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  return doc;
}


/**
 * Every value a cell had, newest first (formulas as they read at the time), found by replaying the
 * log and watching the cell's key:
 * the cell is followed by its row and column ids, so rows and columns inserted, deleted or moved
 * around it do not lose its history. Cells set in the state history starts from (before the kept
 * log) appear as one entry at that state's time.
 */
export async function cellHistory(storage: Storage, sheetId: string, tab: string, rowId: string, colId: string): Promise<CellChange[]> {
  const history = await storage.history(sheetId);
  if (!history) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
  const first = history.updates[0];
  if (!first) return [];
  const key = cellKey(rowId, colId);
  const doc = new Y.Doc();
  const sheet = Sheet.of(doc, tab);
  const cells = sheet.types.cells;
  const changes: CellChange[] = [];
  if (first.seq > 1) {
    // The log was pruned: start from the base state it keeps.
    for (const update of (await storage.stateAt(sheetId, first.seq - 1)) ?? []) Y.applyUpdate(doc, update);
    const base = history.kept.find((k) => k.seq === first.seq - 1);
    const input = cells.get(key);
    if (input !== undefined && base) changes.push({ input: sheet.shownInput(input), at: new Date(base.at).toISOString(), author: "", via: "server" });
  }
  for (const entry of await storage.log(sheetId, first.seq - 1, history.updates.at(-1)!.seq)) {
    if (entry.discussion) continue;
    const before = cells.get(key);
    Y.applyUpdate(doc, entry.data);
    const after = cells.get(key);
    // A formula as it read then: its references in A1 for the layout of that moment.
    if (after !== before) changes.push({ input: sheet.shownInput(after ?? ""), at: new Date(entry.at).toISOString(), author: entry.author, via: entry.via });
  }
  doc.destroy();
  return changes.reverse();
}

/**
 * Retention: once updates are older than `retentionMs`, they are folded into the state they made
 * (the base), keeping only the states of named versions and of one automatic version a week from
 * before it. Returns whether anything was pruned. The log after the base, and every named version,
 * stay as they are.
 */
export async function pruneHistory(storage: Storage, sheetId: string, retentionMs: number, now = Date.now()): Promise<boolean> {
  const history = await storage.history(sheetId);
  if (!history) return false;
  const cutoff = now - retentionMs;
  const old = history.updates.filter((u) => u.at < cutoff);
  const last = history.updates.at(-1);
  // Keep at least the newest update in the log, so the base is always behind something.
  const base = old.filter((u) => u !== last).at(-1);
  if (!base) return false;
  const wanted = new Set<number>();
  for (const v of await storage.listVersions(sheetId)) if (v.seq < base.seq) wanted.add(v.seq);
  for (const v of thinned(sessions(old), now, retentionMs)) if (v.seq < base.seq) wanted.add(v.seq);
  for (const k of history.kept) if (k.seq < base.seq) wanted.add(k.seq);
  const states: KeptState[] = [];
  for (const seq of [...wanted].sort((a, b) => a - b)) {
    const doc = await documentAt(storage, sheetId, seq).catch(() => null);
    if (!doc) continue;
    const at = history.updates.find((u) => u.seq === seq)?.at ?? history.kept.find((k) => k.seq === seq)?.at ?? base.at;
    states.push({ seq, at, state: Y.encodeStateAsUpdate(doc) });
    doc.destroy();
  }
  const baseDoc = await documentAt(storage, sheetId, base.seq);
  await storage.prune(sheetId, { seq: base.seq, at: base.at, state: Y.encodeStateAsUpdate(baseDoc) }, states);
  baseDoc.destroy();
  return true;
}

/**
 * Restores a version as a forward edit: names the state as it is now ("Before restore of …", so
 * the restore can itself be undone by restoring that), then applies the change from now back to
 * the version as one update, which everyone, including those offline now, merges like any edit.
 */
export async function restoreVersion(
  room: Room,
  storage: Storage,
  version: Version,
  by: { author: string; linkId: string | null },
): Promise<Version> {
  const then = await documentAt(storage, room.id, version.seq);
  try {
    const label = version.name ?? `the version of ${version.at}`;
    const before = await nameVersion(storage, room.id, await room.storedSeq(), `Before restore of ${label}`.slice(0, 200), by.author);
    await room.transact(() => restoreSheet(room.doc, then), { kind: "restore", ...by });
    return before;
  } finally {
    then.destroy();
  }
}
