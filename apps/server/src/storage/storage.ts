import type { Role } from "@cosheet/protocol";

/** What is stored for one sheet: its updates in order (a compacted snapshot first, if any). */
export interface StoredSheet {
  updates: Uint8Array[];
  /** Sequence number of the last stored update; pass it to {@link Storage.compact}. */
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
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
 * file per adapter (`memory.ts`, `sqlite.ts`), all held to the same contract
 * (`test/storage.contract.ts`).
 */
export interface Storage {
  /** Stores a new sheet with its initial state and access, atomically; rejects if the id exists. */
  create(id: string, initial: Uint8Array, access: NewSheetAccess): Promise<void>;
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

export class SheetExistsError extends Error {
  override readonly name = "SheetExistsError";
}

export class UnknownSheetError extends Error {
  override readonly name = "UnknownSheetError";
}
