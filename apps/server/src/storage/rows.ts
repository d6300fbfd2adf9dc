import type { Role } from "@cosheet/protocol";
import { compareStrings } from "./batches.js";
import type { StoredLink, StoredUpdateMeta, StoredVersion, UpdateVia } from "./storage.js";

/** What the SQL stores read of a row of `sheets`. */
export interface SheetRow {
  created_at: number;
  updated_at: number;
  last_seq: number;
}

/** A row of `links`, as the SQL stores read it (the same columns in both). */
export interface LinkRow {
  id: string;
  sheet_id: string;
  secret_hash: string;
  role: Role;
  label: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

export const LINK_COLUMNS = "id, sheet_id, secret_hash, role, label, created_at, expires_at, last_used_at";

export type LinkParams = [string, string, string, Role, string, number, number | null, number | null];

export function linkOf(row: LinkRow): StoredLink {
  return {
    id: row.id,
    sheetId: row.sheet_id,
    secretHash: row.secret_hash,
    role: row.role,
    label: row.label,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

/** A link's columns in LINK_COLUMNS' order. */
export function linkParams(link: StoredLink): LinkParams {
  return [link.id, link.sheetId, link.secretHash, link.role, link.label, link.createdAt, link.expiresAt, link.lastUsedAt];
}

/** An update's meta with its author's row (`discussion`: 0 or 1 in SQLite, a boolean in PostgreSQL). */
export interface MetaRow {
  seq: number;
  at: number;
  cells: number;
  discussion: number | boolean;
  name: string;
  link_id: string | null;
  via: UpdateVia;
}

export const META_COLUMNS = "u.seq, u.at, u.cells, u.discussion, a.name, a.link_id, a.via";

export function metaOf(row: MetaRow): StoredUpdateMeta {
  return {
    seq: row.seq,
    at: row.at,
    author: row.name,
    linkId: row.link_id,
    via: row.via,
    cells: row.cells,
    discussion: row.discussion === true || row.discussion === 1,
  };
}

export interface VersionRow {
  id: string;
  sheet_id: string;
  seq: number;
  name: string;
  at: number;
  author: string;
}

export const VERSION_COLUMNS = "id, sheet_id, seq, name, at, author";

export function versionOf(row: VersionRow): StoredVersion {
  return { id: row.id, sheetId: row.sheet_id, seq: row.seq, name: row.name, at: row.at, author: row.author };
}

/** A sheet's link ids as a head reports them (sorted), from their space-separated list (null: none). */
export function linkIdsOf(list: string | null): string[] {
  return list === null ? [] : list.split(" ").sort(compareStrings);
}
