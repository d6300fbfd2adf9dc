import { isRole, ROLES, SECRET_PATTERN, type Role } from "@cosheet/protocol";

/**
 * A link this browser opened a sheet with: its secret, or none for the sheet's plain address
 * (`/s/<id>`); its role once a join has told it.
 */
export interface RememberedLink {
  secret?: string;
  role?: Role;
}

/** The sheets this browser opened recently, newest first (localStorage), with their links. */
export interface RecentSheet {
  id: string;
  /** Empty until the sheet has been loaded once. */
  title: string;
  openedAt: number;
  /** The best first: highest role, then the most recently opened. */
  links: RememberedLink[];
}

const KEY = "cosheet:recent";
const MAX = 50;
/** Links kept per sheet: one per role covers every use; a few more for links not yet joined. */
const MAX_LINKS = 6;

function isLink(value: unknown): value is RememberedLink {
  const link = value as RememberedLink | null;
  return (
    typeof link === "object" &&
    link !== null &&
    (link.secret === undefined || (typeof link.secret === "string" && SECRET_PATTERN.test(link.secret))) &&
    (link.role === undefined || isRole(link.role))
  );
}

/** A link not yet joined ranks below every role: it may not give access at all. */
const rank = (link: RememberedLink) => (link.role ? ROLES.indexOf(link.role) : -1);

export function loadRecent(storage: Storage = localStorage): RecentSheet[] {
  try {
    const list = JSON.parse(storage.getItem(KEY) ?? "[]") as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .filter((s): s is RecentSheet => typeof s?.id === "string" && typeof s?.title === "string")
      .map((s) => ({
        ...s,
        // Written before links: opened by its plain address, which gave edit access then.
        links: Array.isArray(s.links) ? s.links.filter(isLink) : [{ role: "edit" }],
      }));
  } catch {
    return [];
  }
}

/**
 * Past the limit the oldest sheets go, but never one with an owner link: the server cannot show
 * an owner link's secret again, so dropping it could leave a sheet nobody can share any more.
 */
function capped(list: RecentSheet[]): RecentSheet[] {
  const owned = (s: RecentSheet) => s.links.some((l) => l.role === "owner");
  let others = 0;
  return list.filter((s) => owned(s) || ++others <= MAX);
}

function save(list: RecentSheet[], storage: Storage): void {
  storage.setItem(KEY, JSON.stringify(capped(list)));
}

/** Moves a sheet to the front with its current title, keeping its links. */
export function rememberSheet(id: string, title: string, storage: Storage = localStorage): void {
  const list = loadRecent(storage);
  const links = list.find((s) => s.id === id)?.links ?? [];
  save([{ id, title, openedAt: Date.now(), links }, ...list.filter((s) => s.id !== id)], storage);
}

/**
 * Remembers a link a sheet was opened with, as the best of its role. A link given without a role
 * keeps the one already known; past the limit per sheet the lowest roles go, so opening a view
 * link never pushes out an owner link.
 */
export function rememberLink(id: string, link: RememberedLink, storage: Storage = localStorage): void {
  const list = loadRecent(storage);
  const sheet = list.find((s) => s.id === id);
  const links = sheet?.links ?? [];
  const known = links.find((l) => l.secret === link.secret);
  const updated = [{ ...link, role: link.role ?? known?.role }, ...links.filter((l) => l !== known)];
  // A stable sort: within a role, the most recently opened stays first.
  updated.sort((a, b) => rank(b) - rank(a));
  const entry = { id, title: "", openedAt: Date.now(), ...sheet, links: updated.slice(0, MAX_LINKS) };
  save(sheet ? list.map((s) => (s === sheet ? entry : s)) : [entry, ...list], storage);
}

/** Forgets a link that no longer gives access (`undefined`: the plain address), and a sheet left with none. */
export function forgetLink(id: string, secret: string | undefined, storage: Storage = localStorage): void {
  const list = loadRecent(storage).map((s) => (s.id === id ? { ...s, links: s.links.filter((l) => l.secret !== secret) } : s));
  save(list.filter((s) => s.id !== id || s.links.length > 0), storage);
}

/**
 * The link to open a sheet with: the secret given (from the address), with the role remembered
 * for it; without one, the remembered link of the highest role; without any, the plain address.
 */
export function linkFor(id: string, secret: string | undefined, storage: Storage = localStorage): RememberedLink {
  const links = loadRecent(storage).find((s) => s.id === id)?.links ?? [];
  if (secret === undefined) return links[0] ?? {};
  return links.find((l) => l.secret === secret) ?? { secret };
}
