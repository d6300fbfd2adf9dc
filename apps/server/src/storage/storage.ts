import type { Role } from "@cosheet/protocol";

/**
 * What is needed to build a sheet's current state: its latest checkpoint (or its first update),
 * then the updates stored after it, in order.
 */
export interface StoredSheet {
  updates: Uint8Array[];
  /** How many of `updates`, the last ones, were stored after the checkpoint (the others are its parts). */
  logged: number;
  /** Sequence number of the last stored update; pass it to {@link Storage.checkpoint}. */
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
}

/** How an update reached the sheet. */
export type UpdateVia = "socket" | "http" | "restore" | "server";

/** Who made a stored update and when: stamped by the server, stored beside the update. */
export interface UpdateMeta {
  /** When it was stored (ms since the epoch). */
  at: number;
  /** The display name of the person who made it ("" when unknown: the API, the server). */
  author: string;
  /** The link it came through; null for a sheet's plain address, or the server itself. */
  linkId: string | null;
  via: UpdateVia;
  /** How many cells it set or cleared (a cell written twice in it counts once). */
  cells: number;
  /** True when it changed only the discussion (the chat, comments), not the sheet itself. */
  discussion: boolean;
}

/** How far a sheet's log goes, and what gives access to it (its plain address, its links). */
export interface SheetHead {
  lastSeq: number;
  plainAddress: boolean;
  /** The ids of its links, sorted. */
  links: string[];
}

/** A stored update's meta and its place in the log. */
export interface StoredUpdateMeta extends UpdateMeta {
  seq: number;
}

/** A stored update with its meta, as the log holds it. */
export interface LoggedUpdate extends StoredUpdateMeta {
  data: Uint8Array;
}

/** A version someone named: the sheet's state through `seq`. Kept until deleted. */
export interface StoredVersion {
  id: string;
  sheetId: string;
  seq: number;
  name: string;
  /** When it was named. */
  at: number;
  /** Who named it (display name). */
  author: string;
}

/** A state kept after the updates that made it were pruned: a named or thinned version past retention. */
export interface KeptState {
  seq: number;
  /** When the last update it holds was stored. */
  at: number;
  state: Uint8Array;
}

/** A link to a sheet. Its secret is never stored: only its SHA-256, in hex. */
export interface StoredLink {
  /** Names the link in its sheet's list (not secret). */
  id: string;
  sheetId: string;
  secretHash: string;
  role: Role;
  label: string;
  createdAt: number;
  /** When the link stops giving access (ms since the epoch); null for never. */
  expiresAt: number | null;
  /** When the link was last used to join or call the API, to the minute; null for never. */
  lastUsedAt: number | null;
}

/** Who may open a sheet: what its plain address gives, and the link a secret names, if any. */
export interface SheetAccess {
  /** Whether the plain address (no secret) gives edit access, as it did before links. */
  plainAddress: boolean;
  /** The sheet's link with the given secret hash, or null. */
  link: StoredLink | null;
}

/** How a new sheet may be opened. */
export interface NewSheetAccess {
  plainAddress: boolean;
  /** Its first links (its owner link): stored in the same transaction as the sheet. */
  links: StoredLink[];
}

/**
 * Durable storage of sheets as append-only Yjs update logs, with the links that open them. One
 * file per adapter (`memory.ts`, `sqlite.ts`, `postgres.ts`), all held to the same contract
 * (`test/storage.contract.ts`).
 */
export interface Storage {
  /** Which adapter this is, as `/healthz` names it. */
  readonly kind: "memory" | "sqlite" | "postgres";
  /** Resolves once the storage answers a query; rejects if it cannot (for `/healthz`). */
  check(): Promise<void>;
  /** Stores a new sheet with its initial state and access, atomically; rejects if the id exists. */
  create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void>;
  /** Everything stored for a sheet, or null if there is no such sheet. */
  load(id: string): Promise<StoredSheet | null>;
  /**
   * Appends one update with its meta; resolves with its sequence number once it is durably
   * committed. Rejects if the sheet does not exist. (The initial update of `create` is seq 1, with
   * `via: "server"`.)
   */
  append(id: string, update: Uint8Array, meta: UpdateMeta): Promise<number>;
  /**
   * Stores `state`, which holds every update through `throughSeq` (one update, or several packed
   * by `packState`: loading and `stateAt` answer them one by one), as the sheet's checkpoint, so
   * that loading starts from it; it replaces the previous checkpoint (not the kept states of
   * {@link prune}). No update is deleted: the log is the sheet's history.
   */
  checkpoint(id: string, state: Uint8Array, throughSeq: number): Promise<void>;
  /**
   * Retention, atomically: deletes every update through `base.seq`, and every checkpoint and kept
   * state before it, and keeps `base.state` (the state through `base.seq`) and each of `kept`
   * (states before it, at their seqs) in their place. Versions before `base.seq` are then only
   * those kept. Rejects with UnknownSheetError for an unknown sheet.
   */
  prune(id: string, base: KeptState, kept: readonly KeptState[]): Promise<void>;
  /**
   * The updates whose replay gives the sheet's state through `seq`: a kept state at `seq`, or the
   * nearest checkpoint, kept state or base at or before `seq` followed by the updates after it
   * through `seq`. Null for an unknown sheet, a seq past the log, or one before the base that is
   * not kept.
   */
  stateAt(id: string, seq: number): Promise<Uint8Array[] | null>;
  /**
   * The sheet's history without the updates' bytes: the meta of every stored update (oldest
   * first) and the seqs of the states kept by pruning. Null for an unknown sheet.
   */
  history(id: string): Promise<{ updates: StoredUpdateMeta[]; kept: { seq: number; at: number }[] } | null>;
  /**
   * Each sheet's head, for those of `ids` that exist: how a node that holds sheets other nodes
   * change finds what it has not heard of.
   */
  heads(ids: readonly string[]): Promise<Map<string, SheetHead>>;
  /** The stored updates after `afterSeq` through `throughSeq`, with their meta, oldest first. */
  log(id: string, afterSeq: number, throughSeq: number): Promise<LoggedUpdate[]>;
  /** Names a version. Rejects with UnknownSheetError for an unknown sheet. */
  addVersion(version: StoredVersion): Promise<void>;
  /** The sheet's named versions, oldest first (by seq, then when named). */
  listVersions(sheetId: string): Promise<StoredVersion[]>;
  /** Deletes a named version; resolves false if the sheet has no such version. */
  removeVersion(sheetId: string, versionId: string): Promise<boolean>;
  /**
   * The sheet's access for a secret hash (pass null for the plain address), in one read; null if
   * there is no such sheet. A hash that names another sheet's link gives `link: null`.
   */
  access(sheetId: string, secretHash: string | null): Promise<SheetAccess | null>;
  /** The sheet's links, oldest first. Rejects with UnknownSheetError for an unknown sheet. */
  listLinks(sheetId: string): Promise<StoredLink[]>;
  /** Adds a link. Rejects with UnknownSheetError for an unknown sheet. */
  addLink(link: StoredLink): Promise<void>;
  /** Deletes one of the sheet's links; resolves false if it has no such link. */
  removeLink(sheetId: string, linkId: string): Promise<boolean>;
  /** Records when a link was last used (a no-op for a link that no longer exists). */
  touchLink(sheetId: string, linkId: string, at: number): Promise<void>;
  /** Switches the plain address's edit access on or off. Rejects with UnknownSheetError for an unknown sheet. */
  setPlainAddress(sheetId: string, enabled: boolean): Promise<void>;
  close(): Promise<void>;
}

const VIAS: ReadonlySet<string> = new Set<UpdateVia>(["socket", "http", "restore", "server"]);

/**
 * Throws if `meta` cannot be stored: every adapter checks before it queues an append, so that a
 * bad one is rejected alone rather than failing a group commit it would have been part of.
 */
export function checkMeta(meta: UpdateMeta): void {
  if (
    !Number.isSafeInteger(meta.at) ||
    !Number.isSafeInteger(meta.cells) ||
    meta.cells < 0 ||
    typeof meta.discussion !== "boolean" ||
    typeof meta.author !== "string" ||
    (meta.linkId !== null && typeof meta.linkId !== "string") ||
    !VIAS.has(meta.via)
  ) {
    throw new TypeError(`invalid update meta: ${JSON.stringify(meta)}`);
  }
}

/** Throws unless every one of a new sheet's links is for that sheet. */
export function checkLinksAreFor(id: string, access: NewSheetAccess): void {
  for (const link of access.links) {
    if (link.sheetId !== id) throw new Error(`link ${link.id} is for sheet ${link.sheetId}, not ${id}`);
  }
}

/** Throws unless `seq` is a position of a log whose last is `lastSeq`. */
export function checkSeq(seq: number, lastSeq: number, what: string): void {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > lastSeq) {
    throw new RangeError(`${what} ${seq} is not in the log (1 to ${lastSeq})`);
  }
}

/** Throws unless a prune's base is in the log and its kept states are before it, each at its own seq. */
export function checkPrune(base: KeptState, kept: readonly KeptState[], lastSeq: number): void {
  checkSeq(base.seq, lastSeq, "prune base");
  const seqs = new Set<number>();
  for (const k of [base, ...kept]) {
    if (!Number.isSafeInteger(k.at)) throw new TypeError(`kept state ${k.seq}: invalid at ${k.at}`);
    if (k !== base) checkSeq(k.seq, base.seq - 1, "kept state");
    if (seqs.has(k.seq)) throw new RangeError(`two kept states at seq ${k.seq}`);
    seqs.add(k.seq);
  }
}

export class SheetExistsError extends Error {
  override readonly name = "SheetExistsError";
}

export class UnknownSheetError extends Error {
  override readonly name = "UnknownSheetError";
}
